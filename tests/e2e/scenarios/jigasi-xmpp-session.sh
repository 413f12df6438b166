# A call's XMPP side (issue 5 items 5-6), driven through room probes (POST /api/v1/xmpp/probes),
# against Prosody and the Jicofo stand-in:
#   - anonymous login, the conference IQ to focus.meet.test, the MUC join with the §3.3 presence
#     (nick, features jigasi + jingle DTMF + audio-mute, audiomuted, caps), seen by the stand-in
#   - the stand-in's session-initiate is acknowledged and parsed: Opus/111, telephone-event,
#     audio-level id 1, the simulated participants' sources with owners, ICE candidates, sha-256
#   - the focus' mute IQ gets a result, and the probe's presence then says audiomuted
#   - source-add / source-remove from the focus are acknowledged and reach the call layer; a
#     session-terminate from the focus leaves the probe in the room (§4.3: a call waits for a new offer)
#   - DELETE: session-terminate and an unavailable presence; the stand-in sees both
#   - a nick already in use (two probes asking for "alice"): the second joins under a random nick
#   - a locked room (POST /lock): no password → join-refused "password", the right one → joined
#   - kicked by the focus → outcome kicked with the reason; the room destroyed → outcome destroyed
#   - refusals: a members-only (lobby) room, a wrong server id, a bad room name, no token
#   - the hold runs out by itself (short hold_s)
#   - a Rayo dial through the brewery from a sender other than control.allowed_jid is refused
#     with forbidden (§1.1 ALLOWED_JID), over the wire
#   - shutdown with a probe in a room: it leaves at once and the process exits 0 (no drain wait)
#   - a second instance with a wrong XEP-0114 component secret stays down, health naming the refusal
source "$E2E_DIR/jitsi/bench.sh"
TOKEN=e2e-token-0123456789abcdef
start_prosody
start_standin --tones 440,660 --spare 880
start_jigasi <<JSON
{ "http": { "api_token": "$TOKEN" }, "log": { "subsystems": { "xmpp": "debug" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID",
                     "allowed_jid": "jicofo@auth.$PROSODY_DOMAIN" } } ] },
  "sip": { "listen": [] } }
JSON

# api METHOD PATH [BODY] [noauth]: prints "<http status> <json body>"
api() {
    local auth=(-H "Authorization: Bearer $TOKEN")
    [ "${4-}" = noauth ] && auth=()
    curl -s -o "$E2E_OUT/api.body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
        "${auth[@]}" ${3:+--data-binary "$3"} "http://127.0.0.1:$JIGASI_HTTP$2"
    printf ' %s' "$(cat "$E2E_OUT/api.body")"
}
# expect WHAT STATUS JQ METHOD PATH [BODY]: the answer has that status and satisfies the filter
expect() {
    local what=$1 code=$2 filter=$3 out
    shift 3
    out=$(api "$@")
    [ "${out%% *}" = "$code" ] || fail "$what: expected HTTP $code, got: $out"
    jq -e "$filter" <<< "${out#* }" > /dev/null || fail "$what: answer does not satisfy $filter: $out"
    echo "${out#* }"
}
probe_wait() {  # probe_wait ID SECS DESC JQ
    wait_until "$2" "$3" sh -c "curl -sf -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$JIGASI_HTTP/api/v1/xmpp/probes/$1 | jq -e '$4'"
}
probe_get() { curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$JIGASI_HTTP/api/v1/xmpp/probes/$1"; }

# --- join, offer, mute, leave ---
out=$(expect "probe start" 201 '.state == "starting" or .state == "connecting"' POST /api/v1/xmpp/probes \
    '{"room": "room1", "display_name": "+15551234567", "hold_s": 60}')
id=$(jq -r .id <<< "$out")
probe_wait "$id" 10 "the probe to receive the session-initiate" '.state == "offered"'
report=$(probe_get "$id")
note "offer as parsed: $(jq -c '.offer.contents[0] | {codecs: [.codecs[] | "\(.name)/\(.pt)"], ext: [.header_extensions[] | "\(.id)"], sources: [.sources[] | .owner], candidates: (.candidates | length), fp: .fingerprint_hash}' <<< "$report")"
jq -e '.offer.contents | length == 1' <<< "$report" > /dev/null || fail "expected one content in the offer: $report"
jq -e '.offer.contents[0] | any(.codecs[]; .name == "opus" and .pt == 111 and .rate == 48000 and .channels == 2)
       and any(.codecs[]; .name == "telephone-event" and .pt == 126)
       and any(.header_extensions[]; .id == 1 and (.uri | test("ssrc-audio-level")))
       and ([.sources[] | select(.owner != "jvb")] | length == 2)
       and any(.sources[]; .owner == "jvb")
       and (.candidates | length >= 1) and .ice_ufrag and .fingerprint_hash == "sha-256" and .rtcp_mux' \
    <<< "$report" > /dev/null || fail "the parsed offer misses something: $(jq -c .offer <<< "$report")"
nick=$(jq -r .nick <<< "$report")
[[ "$nick" =~ ^[0-9a-f]{8}$ ]] || fail "nick is not 8 hex digits (§3.1): $nick"
jq -e '.jid | test("@meet.test/")' <<< "$report" > /dev/null || fail "not logged in anonymously on meet.test: $report"

# What the stand-in (Jicofo) saw: our conference IQ and join presence.
stanzas="$E2E_OUT/standin-stanzas.jsonl"
grep -F '"dir":"in"' "$stanzas" | grep -F 'http://jitsi.org/protocol/focus' | grep -Fq 'room1@conference.meet.test' \
    || fail "the stand-in received no conference IQ for room1"
join=$(jq -r --arg n "room1@conference.meet.test/$nick" 'select(.dir == "in" and (.xml | test("<presence")) and (.xml | contains("to=\"" + $n + "\"") or contains("from=\"" + $n + "\""))) | .xml' "$stanzas" | head -n 1)
[ -n "$join" ] || fail "the stand-in saw no presence of $nick"
for want in '<nick xmlns="http://jabber.org/protocol/nick">+15551234567</nick>' 'http://jitsi.org/protocol/jigasi' \
    'urn:xmpp:jingle:dtmf:0' 'http://jitsi.org/protocol/audio-mute' '<audiomuted>false</audiomuted>' 'hash="sha-1"'; do
    grep -Fq -- "$want" <<< "$join" || fail "our join presence as the stand-in saw it lacks $want: $join"
done
note "join presence seen by the focus: ok (nick, features, audiomuted, caps)"

mute=$(standin POST /mute "{\"endpoint\": \"$nick\", \"muted\": true}")
jq -e '.result == "result"' <<< "$mute" > /dev/null || fail "the mute IQ was not answered with a result: $mute"
probe_wait "$id" 5 "the probe to record the mute" 'any(.timeline[]; .event == "mute" and .mute == true)'
wait_until 5 "a presence with audiomuted true" sh -c "grep -F '\"dir\":\"in\"' '$stanzas' | grep -F '$nick' | grep -Fq '<audiomuted>true</audiomuted>'"
note "mute IQ: $(jq -c '{result, ms: (.resultMs - .sentMs)}' <<< "$mute")"

add=$(standin POST /source-add "{\"endpoint\": \"$nick\", \"freq\": 880}")
probe_wait "$id" 5 "the probe to get the source-add" 'any(.timeline[]; .event == "jingle" and .action == "source-add")'
standin POST /source-remove "{\"endpoint\": \"$nick\", \"freq\": 880}" > /dev/null
probe_wait "$id" 5 "the probe to get the source-remove" 'any(.timeline[]; .event == "jingle" and .action == "source-remove")'
n_err=$(grep -F '"dir":"in"' "$stanzas" | grep -F "room1@conference.meet.test/$nick" | grep -c 'type=\\"error\\"' || true)
[ "$n_err" = 0 ] || fail "we answered $n_err stanza(s) from the focus with an error"
note "source-add $(jq -c '{ssrc, owner}' <<< "$add") and source-remove acknowledged"

expect "probe list" 200 '.probes | any(.id == "'"$id"'" and .state == "offered")' GET /api/v1/xmpp/probes > /dev/null
expect "probe stop" 202 '.stopping == true' DELETE "/api/v1/xmpp/probes/$id" > /dev/null
probe_wait "$id" 6 "the probe to end as left" '.state == "ended" and .outcome.why == "left"'
wait_until 5 "the stand-in to see our session-terminate" sh -c "grep -F '\"dir\":\"in\"' '$stanzas' | grep -F 'session-terminate' | grep -Fq 'room1@conference.meet.test/$nick'"
wait_until 5 "the stand-in to see us leave" sh -c "grep -F '\"dir\":\"in\"' '$stanzas' | grep -F 'unavailable' | grep -Fq '$nick'"
note "probe $id: $(probe_get "$id" | jq -c '{outcome, duration_ms, events: [.timeline[] | "\(.ms) \(.event)"]}')"

# --- the hold runs out ---
out=$(expect "short probe" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room2@conference.meet.test", "hold_s": 4}')
id2=$(jq -r .id <<< "$out")
probe_wait "$id2" 10 "the second probe's offer" '.state == "offered"'
standin POST /terminate "{\"endpoint\": \"$(probe_get "$id2" | jq -r .nick)\", \"reason\": \"expired\", \"text\": \"Idle session timeout\"}" > /dev/null
probe_wait "$id2" 5 "the focus' session-terminate to reach the probe" 'any(.timeline[]; .event == "jingle" and .action == "session-terminate" and .reason == "expired") and .state != "ended"'
probe_wait "$id2" 10 "the short probe to end by itself" '.state == "ended" and .outcome.why == "left" and any(.timeline[]; .event == "leaving (hold over)")'

# --- nickname conflict: the second "alice" gets a random nick (XEP-0045 §7.2.9) ---
a1=$(expect "first alice" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room4", "nick": "alice", "hold_s": 20}' | jq -r .id)
probe_wait "$a1" 10 "the first alice to join" '.nick == "alice"'
a2=$(expect "second alice" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room4", "nick": "alice", "hold_s": 20}' | jq -r .id)
probe_wait "$a2" 10 "the second alice to join under another nick" '(.nick // "") | test("^[0-9a-f]{8}$")'
jigasi_log_has "nick alice in use in room4@conference.meet.test; trying [0-9a-f]{8}" || fail "the nick conflict was not logged"
note "nick conflict: second probe joined as $(probe_get "$a2" | jq -r .nick)"
expect "nick too long" 400 '.error | test("nick")' POST /api/v1/xmpp/probes "{\"room\": \"r\", \"nick\": \"$(printf 'n%.0s' {1..65})\"}" > /dev/null

# --- room password (XEP-0045 §7.2.6, jitsi-protocol.md §3.5) ---
lock=$(standin POST /lock "{\"room\": \"room6@conference.$PROSODY_DOMAIN\", \"password\": \"s3cret\"}")
jq -e '.locked == true' <<< "$lock" > /dev/null || fail "the stand-in could not lock room6: $lock"
p1=$(expect "probe without password" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room6"}' | jq -r .id)
probe_wait "$p1" 10 "the locked room to refuse the probe" '.state == "ended" and .outcome.why == "join-refused" and (.outcome.refusal | test("password"))'
note "locked room without password: $(probe_get "$p1" | jq -c .outcome)"
p2=$(expect "probe with the wrong password" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room6", "password": "guess"}' | jq -r .id)
probe_wait "$p2" 10 "the wrong password to be refused" '.state == "ended" and .outcome.why == "join-refused"'
p3=$(expect "probe with the password" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room6", "password": "s3cret", "hold_s": 30}' | jq -r .id)
probe_wait "$p3" 10 "the probe with the password to join and get an offer" '.state == "offered"'
note "locked room with the password: joined as $(probe_get "$p3" | jq -r .nick)"

# --- kicked, destroyed (XEP-0045 §8.2, §10.9) ---
kick=$(standin POST /kick "{\"room\": \"room6@conference.$PROSODY_DOMAIN\", \"nick\": \"$(probe_get "$p3" | jq -r .nick)\", \"reason\": \"bye phone\"}")
jq -e '.result == "result"' <<< "$kick" > /dev/null || fail "the stand-in could not kick: $kick"
probe_wait "$p3" 5 "the kick to end the probe" '.state == "ended" and .outcome.why == "kicked" and (.outcome.detail | test("bye phone"))'
note "kicked: $(probe_get "$p3" | jq -c .outcome)"
p4=$(expect "probe of room7" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room7", "hold_s": 30}' | jq -r .id)
probe_wait "$p4" 10 "the probe in room7" '.state == "offered"'
destroy=$(standin POST /destroy "{\"room\": \"room7@conference.$PROSODY_DOMAIN\", \"reason\": \"meeting over\"}")
jq -e '.result == "result"' <<< "$destroy" > /dev/null || fail "the stand-in could not destroy room7: $destroy"
probe_wait "$p4" 5 "the destroy to end the probe" '.state == "ended" and .outcome.why == "destroyed" and (.outcome.detail | test("meeting over"))'
note "destroyed: $(probe_get "$p4" | jq -c .outcome)"

# --- refusals ---
standin POST /lobby "{\"room\": \"room1@conference.$PROSODY_DOMAIN\", \"enabled\": true}" > /dev/null
out=$(expect "probe of a members-only room" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room1"}')
id3=$(jq -r .id <<< "$out")
probe_wait "$id3" 10 "the lobby refusal" '.state == "ended" and .outcome.why == "join-refused" and (.outcome.refusal | test("members"))'
note "members-only room: $(probe_get "$id3" | jq -c .outcome)"
expect "unknown server" 400 '.error | test("no xmpp.servers entry")' POST /api/v1/xmpp/probes '{"room": "r", "server": "nope"}' > /dev/null
expect "bad room" 400 '.error | test("room")' POST /api/v1/xmpp/probes '{"room": "a/b@c@d"}' > /dev/null
expect "missing room" 400 '.error == "room: required"' POST /api/v1/xmpp/probes '{}' > /dev/null
expect "unknown member" 400 '.error | test("unknown member")' POST /api/v1/xmpp/probes '{"room": "r", "x": 1}' > /dev/null
expect "hold out of range" 400 '.error | test("hold_s")' POST /api/v1/xmpp/probes '{"room": "r", "hold_s": 0}' > /dev/null
expect "no token" 401 '.error' POST /api/v1/xmpp/probes '{"room": "r"}' noauth > /dev/null
expect "unknown probe" 404 '.error' GET /api/v1/xmpp/probes/nope > /dev/null
expect "unknown probe delete" 404 '.error' DELETE /api/v1/xmpp/probes/nope > /dev/null
# --- Rayo from a sender that is not control.allowed_jid ---
standin_wait 10 "jigasi-ng in the brewery" '.brewery | to_entries | any(.key | startswith("jigasi-ng-"))'
out=$(standin POST /dial "{\"room\": \"room3@conference.$PROSODY_DOMAIN\", \"to\": \"+15551234567\", \"target\": \"brewery\"}")
jq -e '.result == "error" and .error == "forbidden"' <<< "$out" > /dev/null || fail "a dial from the brewery (not allowed_jid) was not refused with forbidden: $out"
jigasi_log_has 'Rayo dial from jigasibrewery@internal.auth.meet.test/focus refused: not jicofo@auth.meet.test' \
    || fail "the refused dial was not logged with its sender"
note "Rayo dial from a sender that is not allowed_jid: $out"
# --- a component with the wrong secret ---
start_jigasi badsecret <<JSON
{ "http": { "port": 8789 }, "sip": { "listen": [] }, "xmpp": { "servers": [],
  "component": { "enabled": true, "domain": "$PROSODY_DOMAIN", "subdomain": "callcontrol",
                 "secret": "not-the-secret", "host": "127.0.0.1", "port": $PROSODY_COMPONENT } } }
JSON
wait_until 10 "the wrong component secret to be refused (health)" sh -c \
    "curl -s http://127.0.0.1:8789/about/health | jq -e '.subsystems[\"xmpp.component\"] | select(.state == \"down\" and (.detail | test(\"handshake|not-authorized\")))'"
note "wrong component secret: $(curl -s http://127.0.0.1:8789/about/health | jq -c '.subsystems["xmpp.component"]')"
alive jigasi || fail "jigasi-ng exited"

# --- shutdown with a probe in a room ---
JIGASI_HTTP=${JIGASI_HTTP_PORT[jigasi]}
id5=$(expect "long probe" 201 '.id' POST /api/v1/xmpp/probes '{"room": "room5", "hold_s": 600}' | jq -r .id)
probe_wait "$id5" 10 "the long probe to join" '.state == "offered"'
nick5=$(probe_get "$id5" | jq -r .nick)
t0=$(elapsed_ms)
curl -sf -X POST "http://127.0.0.1:$JIGASI_HTTP/about/shutdown" > /dev/null || fail "POST /about/shutdown refused"
wait_exit jigasi 10 || fail "jigasi-ng exited with an error after shutdown"
note "shutdown with a probe in room5: exited in $(( $(elapsed_ms) - t0 )) ms"
wait_until 5 "the focus to see the probe leave room5" sh -c "grep -F '\"dir\":\"in\"' '$stanzas' | grep -F 'unavailable' | grep -Fq 'room5@conference.meet.test/$nick5'"
