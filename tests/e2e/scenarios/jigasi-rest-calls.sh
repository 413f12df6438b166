# Conference calls placed over REST (issue 7 item 2c): POST /api/v1/calls makes jigasi-ng join a
# room and ring a phone; GET lists and shows calls; /dtmf, /mute and DELETE act on a live call.
# Real peers: Prosody, the Jicofo + JVB stand-in (web tones 440 + 660 Hz), a baresip phone
# (auto-answer, 1000 Hz) and a SIPp phone that is busy.
#   - bad requests get a clear error and place no call: no token / wrong token (401), not JSON,
#     missing "to", an unknown member, room "a/b", a "Via" header, dtmf "12x", a prompts language
#     that is not loaded (400), a number nothing can route (404 naming why), an unknown id for
#     DELETE / dtmf / mute (404)
#   - POST {"wait": true, "display_name": "Reception", "dtmf": "12#", "language": "de"} to the
#     baresip phone: 200 with the call (answered, setup_ms, out, rest); its prompts in German (a
#     dial-in number's language); the stand-in sees our occupant in room1 named Reception; the
#     phone receives 1, 2, # as RFC 4733 events, then 4, * from POST .../dtmf (202);
#     bad keys on the live call: 400
#   - POST .../mute: 202, the presence says audiomuted, GET shows muted
#   - GET /api/v1/calls lists it, GET .../{id} shows it; DELETE: 202, the phone gets a BYE, the
#     room is left; then the call is ended/answered/api/api_hangup; a second DELETE: 409
#   - the phone heard the conference (440 + 660 Hz, not its own 1000 Hz, no gap over 60 ms between
#     the two DTMF bursts, which replace audio while they last); the bridge heard the phone (verdict)
#   - the SIPp phone answers 486: POST with wait gives 502, unanswered/busy/phone, room2 left
#   - /metrics: the attempts by result and reason, the setup histogram, RTP from the bridge
#   - calls.records_file: one JSON line per finished call, the answered one with media statistics
# Not covered: DTMF as SIP INFO (calls.dtmf "auto" picks RFC 4733 for baresip, which always offers
# telephone-event; INFO needs calls.dtmf "info" on another instance).
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
TOKEN=e2e-token-0123456789abcdef
MUC=conference.$PROSODY_DOMAIN
RECORDS=$E2E_OUT/calls.jsonl
start_prosody
start_standin --tones 440,660 --spare "" --expect 1000
start_jigasi <<JSON
{ "http": { "api_token": "$TOKEN" }, "log": { "subsystems": { "xmpp": "info" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "$MUC" } ] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 34000, "max_port": 34999 },
  "calls": { "records_file": "$RECORDS" },
  "dialin": { "numbers": [ { "country_code": "DE", "number": "+49 30 0100", "language": "de" } ] } }
JSON
sip_probe 5060 5
start_baresip phone phone 15064 --registrar none --tone 1000 --codecs pcmu --answermode auto
PHONE=sip:phone@127.0.0.1:15064

# api METHOD PATH [BODY] [TOKEN]: prints "<http status> <body>" (TOKEN "" sends no Authorization);
# no answer at all is "000 (no answer ...)" with the end of jigasi-ng's log
api() {
    local token=${4-$TOKEN} code body
    rm -f "$E2E_OUT/api.body"
    code=$(curl -s --max-time 40 -o "$E2E_OUT/api.body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
        ${token:+-H "Authorization: Bearer $token"} ${3:+--data-binary "$3"} "http://127.0.0.1:$JIGASI_HTTP$2") || true
    body=$(cat "$E2E_OUT/api.body" 2> /dev/null || true)
    [ "$code" != 000 ] || body="(no answer; jigasi.log ends: $(tail -n 2 "$E2E_OUT/jigasi.log" | tr '\n' ' '))"
    echo "$1 $2 ${3:-} -> $code $body" >> "$E2E_OUT/api.log"
    printf '%s %s' "$code" "$body"
}
# expect WHAT HTTP_STATUS JQ_FILTER METHOD PATH [BODY] [TOKEN]: that status, and the filter holds
expect() {
    local what=$1 code=$2 filter=$3 out
    shift 3
    out=$(api "$@")
    [ "${out%% *}" = "$code" ] || fail "$what: expected HTTP $code, got: $out"
    jq -e "$filter" <<< "${out#* }" > /dev/null || fail "$what: the answer does not satisfy $filter: $out"
    note "$what: $out"
    LAST=${out#* }
}
state() { curl -sf "http://127.0.0.1:$STANDIN_PORT/state"; }
# no_one_but_focus ROOM WHY: the room (which we joined) has no occupant left but the focus
no_one_but_focus() {
    standin_wait 5 "$1 to be left ($2)" "(.rooms[\"$1@$MUC\"] // [\"never joined\"]) | length == 0"
}
events() { grep "\"type\": \"$2\"" "$E2E_OUT/$1/events" || true; }

# --- bad requests: a clear error each, and no call ---
C=/api/v1/calls
ok_body="{\"to\": \"$PHONE\", \"room\": \"room1\"}"
expect "no token" 401 '.error | test("Authorization: Bearer")' POST $C "$ok_body" ""
expect "wrong token" 401 '.error == "wrong token"' POST $C "$ok_body" "x$TOKEN"
expect "wrong token on GET" 401 '.error == "wrong token"' GET $C "" "x$TOKEN"
expect "not JSON" 400 '.error | test("JSON object")' POST $C '{"to": '
expect "missing to" 400 '.error == "to: required"' POST $C '{"room": "room1"}'
expect "unknown member" 400 '.error == "unknown member: tos"' POST $C "{\"to\": \"$PHONE\", \"room\": \"room1\", \"tos\": 1}"
expect "room a/b" 400 '.error | test("not a room name: a/b")' POST $C "{\"to\": \"$PHONE\", \"room\": \"a/b\"}"
expect "unroutable number" 404 '.error | test("cannot route 12345: 12345 is not registered")' \
    POST $C '{"to": "12345", "room": "room1"}'
expect "a Via header" 400 '.error | test("header not allowed: Via")' \
    POST $C "{\"to\": \"$PHONE\", \"room\": \"room1\", \"headers\": {\"X-Ok\": \"1\", \"Via\": \"SIP/2.0/UDP 1.2.3.4\"}}"
expect "bad dtmf" 400 '.error | test("not a DTMF key: x")' POST $C "{\"to\": \"$PHONE\", \"room\": \"room1\", \"dtmf\": \"12x\"}"
expect "a language not loaded" 400 '.error == "no prompts loaded for language \"fr\""' \
    POST $C "{\"to\": \"$PHONE\", \"room\": \"room1\", \"language\": \"fr\"}"
expect "DELETE unknown id" 404 '.error | test("no call in progress with id out-999")' DELETE $C/out-999
expect "dtmf unknown id" 404 '.error | test("no call in progress with id out-999")' POST $C/out-999/dtmf '{"keys": "1"}'
expect "mute unknown id" 404 '.error | test("no call in progress with id out-999")' POST $C/out-999/mute '{"muted": true}'
expect "no call placed by bad requests" 200 '.calls == []' GET $C
[ -z "$(events phone CALL_INCOMING)" ] || fail "phone: a bad request made it ring"
state | jq -e --arg r "room1@$MUC" '.rooms | has($r) | not' > /dev/null || fail "a bad request made jigasi-ng join room1"

# --- a call to the baresip phone ---
expect "call to the phone" 200 '.state == "answered" and (.setup_ms | type == "number") and .direction == "out"
        and .origin == "rest" and .display_name == "Reception" and .room == "room1@'"$MUC"'"
        and (.id | test("^out-")) and (.occupant | startswith("room1@'"$MUC"'/")) and .muted == false' \
    POST $C "{\"to\": \"$PHONE\", \"room\": \"room1\", \"wait\": true, \"display_name\": \"Reception\", \"dtmf\": \"12#\", \"language\": \"de\"}"
call=$LAST
id=$(jq -r .id <<< "$call")
jigasi_log_has "call $id side=sip dir=out\\]: prompts in de\$" || fail "the call's prompts are not German"
nick=$(jq -r '.occupant | sub(".*/"; "")' <<< "$call")
R=room1@$MUC
baresip_wait_event phone CALL_ESTABLISHED 5
standin_wait 5 "our occupant $nick in room1 named Reception" ".occupants[\"$R\"][\"$nick\"] | .nick == \"Reception\" and .left == null"
standin_wait 10 "the bridge to hear the phone" "any(.sessions[]; .endpoint == \"$nick\" and .firstAudio != null)"
note "in room1 as $nick ($(state | jq -c --arg r "$R" --arg n "$nick" '.occupants[$r][$n] | {nick, status, audiomuted}'))"

# DTMF: the POST's "12#" once answered, then "4*" through the API; RFC 4733 (baresip logs
# "received event" for RFC 4733 and "received DTMF" for SIP INFO)
wait_until 5 "phone to receive the POST's 3 DTMF keys (see phone/events)" sh -c "[ \$(grep -c '\"type\": \"CALL_DTMF_END\"' '$E2E_OUT/phone/events') -ge 3 ]"
sleep 4  # the phone's recording between the two bursts: the conference's tones, no gap
expect "dtmf 4*" 202 '.id == "'"$id"'" and .keys == "4*"' POST "$C/$id"/dtmf '{"keys": "4*"}'
expect "dtmf bad keys" 400 '.error | test("keys:")' POST "$C/$id"/dtmf '{"keys": "4x"}'
expect "dtmf no keys" 400 '.error == "keys: required"' POST "$C/$id"/dtmf '{}'
wait_until 5 "phone to receive 5 DTMF keys (see phone/events)" sh -c "[ \$(grep -c '\"type\": \"CALL_DTMF_END\"' '$E2E_OUT/phone/events') -ge 5 ]"
sleep 0.5
keys=$(events phone CALL_DTMF_START | jq -r .param | tr -d '\n')
[ "$keys" = '12#4*' ] || fail "phone: received DTMF keys '$keys' (ctrl_tcp CALL_DTMF_START), want '12#4*'"
rfc4733=$(baresip_digits_received phone)
[ "$rfc4733" = '12#4*' ] || fail "phone: received RFC 4733 digits '$rfc4733' (phone.log 'received event'), want '12#4*'"
! grep -q 'received DTMF:' "$E2E_OUT/phone.log" || fail "phone: got DTMF as SIP INFO, want RFC 4733 only: $(grep 'received DTMF:' "$E2E_OUT/phone.log" | head -n 3 | tr '\n' '|')"
note "phone received DTMF $keys as RFC 4733 events"

# Mute: the phone's uplink stops and our presence says so
expect "mute" 202 '.id == "'"$id"'" and .muted == true' POST "$C/$id"/mute '{"muted": true}'
expect "mute without muted" 400 '.error | test("muted: expected true or false")' POST "$C/$id"/mute '{"muted": 1}'
standin_wait 5 "our presence in room1 to say audiomuted true" ".occupants[\"$R\"][\"$nick\"].audiomuted == true"
sleep 1.5  # the bridge's recording of the phone then ends in silence (checked after the verdict)
expect "GET the call (muted)" 200 '.id == "'"$id"'" and .state == "answered" and .muted == true and .display_name == "Reception"' GET "$C/$id"
expect "GET the list" 200 '[.calls[] | select(.id == "'"$id"'" and .state == "answered")] | length == 1' GET $C
expect "GET unknown id" 404 '.error | test("no call with id out-999")' GET $C/out-999
expect "unknown action" 404 '.error | test("no such action: hold")' POST "$C/$id"/hold '{}'

# Hang up through the API: BYE to the phone, the room left
expect "DELETE the call" 202 '.id == "'"$id"'" and .hanging_up == true' DELETE "$C/$id"
baresip_wait_event phone CALL_CLOSED 10
closed=$(events phone CALL_CLOSED | jq -r .param)
[ "$closed" = "Connection reset by peer" ] || fail "phone: the call closed with '$closed', not by a BYE from jigasi-ng"
no_one_but_focus room1 "DELETE hung up"
expect "GET the ended call" 200 '.state == "ended" and .result == "answered" and .side == "api" and .reason == "api_hangup"
        and (.setup_ms | type == "number") and (.ended | type == "string")' GET "$C/$id"
expect "second DELETE" 409 '.error | test("ended already")' DELETE "$C/$id"
expect "dtmf to the ended call" 404 '.error | test("no call in progress")' POST "$C/$id"/dtmf '{"keys": "1"}'

# What the phone heard between the two DTMF bursts (RFC 4733 events replace the audio while a key
# lasts): the recording's start is its end (mtime) less its length; the bursts' times are those of
# the ctrl_tcp events, with half a second of margin.
rec=$(baresip_recording phone dec)
seg=$E2E_OUT/phone-between-dtmf.wav
read -r from to < <(python3 - "$rec" "$E2E_OUT/phone/events" "$(soxi -D "$rec")" <<'PY'
import json, os, sys
rec, events, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
ev = [json.loads(l) for l in open(events) if '"event"' in l]
start = os.path.getmtime(rec) * 1000 - secs * 1000
ends = [e["t_ms"] for e in ev if e["type"] == "CALL_DTMF_END"]
starts = [e["t_ms"] for e in ev if e["type"] == "CALL_DTMF_START"]
print(f"{(ends[2] - start + 500) / 1000:.3f} {(starts[3] - start - 500) / 1000:.3f}")
PY
)
sox "$rec" "$seg" trim "$from" "=$to" || fail "cannot cut $rec from $from s to $to s"
note "phone recording $(basename "$rec"): $(soxi -D "$rec") s; between the DTMF bursts: $from s to $to s"
audio_check "phone (heard the conference between the DTMF bursts)" "$seg" \
    --expect 440,660 --absent 1000 --skip-ms 0 --max-gap-ms 60 --min-seconds 2
audio_check "phone (heard the conference)" "$rec" --expect 440,660 --absent 1000 --skip-ms 1000 --min-seconds 3
stop phone

# The bridge heard the phone's 1000 Hz with no gap (the mute came last: silence after the last sound)
check_verdict
# The mute stopped the uplink: the bridge's recording of the phone ends with over a second of
# silence (from the mute to the hang-up; wrtc records silence while no RTP comes)
muted_tail=$(jq --arg e "$nick" '[.sessions[] | select(.endpoint == $e) | .audio[0] | .seconds * 1000 + .skippedMs - .lastSoundMs] | first // "no recording"' "$E2E_OUT/verdict.json")
awk -v t="$muted_tail" 'BEGIN { exit !(t + 0 >= 1000) }' \
    || fail "the bridge still heard the phone after the API muted it: its recording ends with $muted_tail ms of silence, want >= 1000 (see verdict.json)"
note "bridge: the phone silent for the last $muted_tail ms (muted)"

# --- a phone that is busy ---
sipp_spawn busy uas_busy.xml 15074 -m 1
expect "call to a busy phone" 502 '.state == "ended" and .result == "unanswered" and .reason == "busy" and .side == "phone"
        and .sip_status == 486 and (has("setup_ms") | not) and .direction == "out" and .room == "room2@'"$MUC"'"' \
    POST $C '{"to": "sip:busy@127.0.0.1:15074", "room": "room2", "wait": true}'
busy_id=$(jq -r .id <<< "$LAST")
sipp_wait busy 10
no_one_but_focus room2 "the phone was busy"

# --- metrics ---
metrics=$(jigasi_get /metrics) || fail "GET /metrics failed"
echo "$metrics" > "$E2E_OUT/metrics.txt"
metric() {  # metric SERIES: its value (empty if absent)
    awk -v s="$1" '$1 == s { print $2 }' <<< "$metrics"
}
expect_metric() {  # expect_metric SERIES AWK_CONDITION_ON_v
    local v
    v=$(metric "$1")
    [ -n "$v" ] || fail "metrics: no series $1 (see metrics.txt: $(grep -F "${1%%\{*}" <<< "$metrics" | tr '\n' '|'))"
    awk -v v="$v" "BEGIN { exit !($2) }" || fail "metrics: $1 is $v, want $2"
    note "metrics: $1 $v"
}
expect_metric 'jigasi_ng_call_attempts_total{direction="out",result="answered",reason="api_hangup"}' 'v == 1'
expect_metric 'jigasi_ng_call_attempts_total{direction="out",result="unanswered",reason="busy"}' 'v == 1'
expect_metric 'jigasi_ng_call_attempts_total{direction="out",result="refused",reason="unroutable"}' 'v == 1'
expect_metric 'jigasi_ng_call_attempts_total{direction="out",result="refused",reason="no_room"}' 'v == 1'
expect_metric 'jigasi_ng_call_attempts_total{direction="out",result="refused",reason="bad_request"}' 'v == 3'  # a Via header, dtmf 12x, language fr
expect_metric 'jigasi_ng_call_setup_seconds_count{direction="out"}' 'v >= 1'
expect_metric 'jigasi_ng_calls_active{direction="out"}' 'v == 0'
expect_metric 'jigasi_ng_rtp_packets_received_total{leg="bridge"}' 'v > 0'
expect_metric 'jigasi_ng_rtp_packets_received_total{leg="phone"}' 'v > 0'

# --- call records: one line per finished call ---
[ -s "$RECORDS" ] || fail "no call records in calls.records_file ($RECORDS)"
jq -e . "$RECORDS" > /dev/null 2>&1 || fail "calls.records_file has a line that is not JSON: $(head -c 300 "$RECORDS")"
n=$(wc -l < "$RECORDS")
[ "$n" = 2 ] || fail "calls.records_file has $n lines, want 2 (one per finished call): $(jq -c '{id, result, reason}' "$RECORDS" | tr '\n' ' ')"
record() { jq -c --arg id "$1" 'select(.id == $id)' "$RECORDS"; }
[ "$(record "$id" | wc -l)" = 1 ] || fail "calls.records_file: $(record "$id" | wc -l) lines for $id, want 1"
[ "$(record "$busy_id" | wc -l)" = 1 ] || fail "calls.records_file: $(record "$busy_id" | wc -l) lines for $busy_id, want 1"
record "$busy_id" | jq -e '.direction == "out" and .room == "room2@'"$MUC"'" and .result == "unanswered" and .reason == "busy"
        and .side == "phone" and .sip_status == 486 and .state == "ended"' > /dev/null \
    || fail "calls.records_file: the busy call's record is wrong: $(record "$busy_id")"
record "$id" | jq -e '.direction == "out" and .origin == "rest" and .room == "'"$R"'" and .result == "answered"
        and .reason == "api_hangup" and .side == "api" and .display_name == "Reception" and .state == "ended"
        and (.setup_ms | type == "number")' > /dev/null \
    || fail "calls.records_file: the answered call's record is wrong: $(record "$id")"
note "records: $(jq -c '{id, result, reason, side}' "$RECORDS" | tr '\n' ' ')"
record "$id" | jq -e '.media.phone.rx.packets > 0 and .media.phone.tx.packets > 0 and .media.phone.dtmf_sent == 5' > /dev/null \
    || fail "calls.records_file: the answered call's record has no phone packet counts (or not 5 DTMF keys sent): media = $(record "$id" | jq -c '.media // "absent"')"
record "$id" | jq -e '.media.bridge.rx.packets > 0 and .media.bridge.tx.packets > 0' > /dev/null \
    || fail "calls.records_file: the answered call's record has no bridge packet counts: media = $(record "$id" | jq -c '.media // "absent"')"
note "answered call's media: $(record "$id" | jq -c .media)"
alive jigasi || fail "jigasi-ng exited"
