# XEP-0198 on jigasi-ng's control link: a network hiccup between jigasi-ng and Prosody does not take
# it out of the brewery. The link goes through lib/tcp_cut.py; the stand-in (Jicofo) talks to
# Prosody directly. The control account lives on sm.meet.test, the bench's host with mod_smacks,
# which keeps a broken session 10 s (smacks_hibernation_time).
#   - cut 1: every relayed connection reset, new ones accepted: jigasi-ng resumes the session; Jicofo
#     never sees its occupant leave, health stays "in brewery" under the same nick, a Rayo dial is
#     answered (service-unavailable: no call layer yet)
#   - cut 2: reset, then 2 s of refused connects with a Rayo dial sent meanwhile: Prosody holds it for
#     the sleeping session, delivers it on resumption, and jigasi-ng's answer reaches Jicofo
#   - cut 3: what jigasi-ng sends is dropped (its answer to a Rayo dial), then the link is reset: the
#     resumed session resends the answer Prosody never acknowledged, and it reaches Jicofo
#   - cut 4: connects refused longer than Prosody keeps the session: resumption gives up, the link
#     starts over with a fresh session and a new nick; Jicofo sees the old occupant leave
#   - Prosody dies (SIGKILL) and comes back empty: <resume/> gets <failed/> (item-not-found), and the
#     link starts over with a fresh session
#   - jigasi-ng stops: its occupant leaves at once (a clean close is not kept for resumption)
source "$E2E_DIR/jitsi/bench.sh"
RELAY_PORT=15222
RELAY_CONTROL=15223
# register_sm NAME: the control account on the Prosody instance NAME's host with mod_smacks
register_sm() {
    prosodyctl --config "$E2E_OUT/$1/prosody.cfg.lua" register jigasi sm.meet.test "$JIGASI_PASSWORD" \
        > "$E2E_OUT/$1-register-sm.log" 2>&1 || fail "prosodyctl could not register jigasi@sm.meet.test (see $1-register-sm.log)"
}
start_prosody
register_sm prosody
start_standin
spawn relay python3 "$E2E_DIR/lib/tcp_cut.py" --listen "$RELAY_PORT" --to "127.0.0.1:$PROSODY_C2S" --control "$RELAY_CONTROL"
wait_until 5 "the relay's control port" curl -sf "http://127.0.0.1:$RELAY_CONTROL/state"
start_jigasi <<JSON
{ "log": { "subsystems": { "xmpp": "debug" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $RELAY_PORT, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN",
        "control": { "enabled": true, "auth_domain": "sm.meet.test", "password": "$JIGASI_PASSWORD",
                     "brewery": "$BREWERY_JID" } } ],
    "reconnect_min_s": 1, "reconnect_max_s": 2 },
  "sip": { "listen": [] } }
JSON

subsystem() {
    curl -s "http://127.0.0.1:$JIGASI_HTTP/about/health" | jq -e --arg n "$1" --arg s "$2" --arg d "$3" \
        '.subsystems[$n] | select(.state == $s and (.detail | test($d)))' > /dev/null
}
relay() { curl -sf -X POST "http://127.0.0.1:$RELAY_CONTROL$1" > /dev/null || fail "relay control POST $1 failed (see relay.log)"; }
brewery_nick() {
    curl -s "http://127.0.0.1:$JIGASI_HTTP/about/health" | jq -r '.subsystems["xmpp.meet"].detail' |
        sed -n "s|^in brewery $BREWERY_JID as \(jigasi-ng-[0-9a-f]*\) .*|\1|p"
}
# left_brewery NICK: the stand-in received an unavailable presence from brewery/NICK
left_brewery() {
    jq -e -s --arg f "from=\"$BREWERY_JID/$1\"" 'any(.[]; .dir == "in" and (.xml | startswith("<presence"))
        and (.xml | contains($f)) and (.xml | test("type=\"unavailable\"")))' "$E2E_OUT/standin-stanzas.jsonl" > /dev/null
}
resumes() { grep -c 'stream resumed after [0-9]* ms' "$E2E_OUT/jigasi.log" || true; }
DIAL="{\"room\": \"room1@conference.$PROSODY_DOMAIN\", \"to\": \"+15551234567\", \"target\": \"brewery\"}"
# dial_answered WHEN [JSON]: the stand-in's dial result (given, or a new dial) is service-unavailable
dial_answered() {
    local out=${2:-$(standin POST /dial "$DIAL")}
    jq -e '.result == "error" and .error == "service-unavailable"' <<< "$out" > /dev/null \
        || fail "Rayo dial $1: expected an error stanza service-unavailable, got $out"
    note "Rayo dial $1: $(jq -c '{result, error, ms: (.resultMs - .sentMs)}' <<< "$out")"
}
dials_seen() { [ "$(grep -c 'Rayo dial to' "$E2E_OUT/jigasi.log")" -ge "$1" ]; }

wait_until 10 "xmpp.meet in the brewery through the relay (health)" subsystem xmpp.meet up '^in brewery'
nick=$(brewery_nick)
[ -n "$nick" ] || fail "no brewery nick in xmpp.meet's health detail"
jigasi_log_has 'xmpp \[meet\]: stream ready as .*; XEP-0198 session [^ ]+, resumable for 10 s' \
    || fail "jigasi-ng did not enable XEP-0198 with resumption (10 s, Prosody's hibernation time) (see jigasi.log)"
standin_wait 5 "the stand-in (Jicofo) to see $nick in the brewery" ".brewery | has(\"$nick\")"
note "in the brewery as $nick"

note "cut 1: every relayed connection reset"
relay /cut
wait_until 5 "jigasi-ng to resume its session after cut 1" jigasi_log_has 'stream resumed after [0-9]+ ms'
jigasi_log_has 'xmpp \[meet\]: stream lost \(.+\), resuming session ' || fail "jigasi-ng resumed without logging the loss first"
note "$(grep -oE 'stream (lost|resumed) .*' "$E2E_OUT/jigasi.log" | tail -n 2 | tr '\n' ' ')"
subsystem xmpp.meet up "^in brewery $BREWERY_JID as $nick " || fail "xmpp.meet not 'in brewery as $nick' after cut 1"
dial_answered "after cut 1"

note "cut 2: reset, connects refused for 2 s, a Rayo dial sent meanwhile"
relay '/refuse?s=2'
relay /cut
dial_answered "sent during cut 2"
[ "$(resumes)" -eq 2 ] || fail "jigasi-ng logged $(resumes) resumptions after cut 2, expected 2"
note "$(grep -oE 'stream resumed .*' "$E2E_OUT/jigasi.log" | tail -n 1)"
left_brewery "$nick" && fail "the stand-in (Jicofo) saw $nick leave the brewery during cuts 1-2"
standin_wait 1 "$nick still in the stand-in's brewery" ".brewery | has(\"$nick\")"
subsystem xmpp.meet up "^in brewery $BREWERY_JID as $nick " || fail "xmpp.meet not 'in brewery as $nick' after cut 2"

note "cut 3: jigasi-ng's answer to a Rayo dial lost on the way, then the link reset"
relay /blackhole
spawn dial3 curl -sS -m 15 -X POST "http://127.0.0.1:$STANDIN_PORT/dial" -H 'Content-Type: application/json' -d "$DIAL"
wait_until 5 "the third dial to reach jigasi-ng" dials_seen 3
relay /cut
wait_exit dial3 15 || fail "the stand-in's third dial failed (see dial3.log)"
dial_answered "answered into the void, then cut 3" "$(cat "$E2E_OUT/dial3.log")"
[ "$(resumes)" -eq 3 ] || fail "jigasi-ng logged $(resumes) resumptions after cut 3, expected 3"
last=$(grep -oE 'stream resumed after [0-9]+ ms, [0-9]+ stanzas resent' "$E2E_OUT/jigasi.log" | tail -n 1)
note "$last"
[ "$(grep -oE '[0-9]+ stanzas' <<< "$last" | grep -oE '[0-9]+')" -ge 1 ] || fail "cut 3: jigasi-ng resent nothing ($last)"
left_brewery "$nick" && fail "the stand-in (Jicofo) saw $nick leave the brewery during cut 3"

note "cut 4: connects refused for 11 s, longer than Prosody keeps the session"
relay '/refuse?s=11'
relay /cut
wait_until 13 "jigasi-ng to give up resuming" jigasi_log_has 'session [^ ]+ not resumed within 10 s'
wait_until 5 "the stand-in (Jicofo) to see $nick leave the brewery" left_brewery "$nick"
wait_until 10 "xmpp.meet back in the brewery with a fresh session" subsystem xmpp.meet up '^in brewery'
nick2=$(brewery_nick)
[ -n "$nick2" ] && [ "$nick2" != "$nick" ] || fail "expected a new brewery nick after cut 4, got '$nick2'"
standin_wait 5 "the stand-in to see $nick2 (and not $nick) in the brewery" ".brewery | has(\"$nick2\") and (has(\"$nick\") | not)"
note "back in the brewery as $nick2"
dial_answered "after cut 4"
[ "$(resumes)" -eq 3 ] || fail "jigasi-ng logged $(resumes) resumptions, expected 3 (cut 4 starts over)"
alive jigasi || fail "jigasi-ng exited"

note "Prosody killed and restarted without the session (connects refused until it is ready)"
stop standin  # restarted below with the new Prosody; its first logs are kept as *-1.*
mv "$E2E_OUT/standin.log" "$E2E_OUT/standin-1.log"
mv "$E2E_OUT/standin-stanzas.jsonl" "$E2E_OUT/standin-stanzas-1.jsonl"
relay '/refuse?s=30'
kill -KILL "${E2E_PIDS[prosody]}"
stop prosody
start_prosody prosody2
register_sm prosody2
relay /accept
wait_until 10 "jigasi-ng to be refused the resumption" jigasi_log_has 'could not be resumed \(item-not-found\)'
wait_until 10 "xmpp.meet back in the brewery with a fresh session" subsystem xmpp.meet up "^in brewery $BREWERY_JID as jigasi-ng-[0-9a-f]{8} "
nick3=$(brewery_nick)
[ -n "$nick3" ] && [ "$nick3" != "$nick2" ] || fail "expected a new brewery nick after Prosody's restart, got '$nick3'"
[ "$(resumes)" -eq 3 ] || fail "jigasi-ng logged $(resumes) resumptions, expected 3 (the restart starts over)"
note "$(grep -oE 'session [^ ]+ could not be resumed.*' "$E2E_OUT/jigasi.log" | tail -n 1); back as $nick3"
start_standin
standin_wait 5 "the new stand-in to see $nick3 in the brewery" ".brewery | has(\"$nick3\")"
nick2=$nick3

# A shutdown ends the session with </stream:stream>: Prosody must not keep it for a resumption.
stop jigasi
wait_until 3 "the stand-in to see $nick2 leave at once when jigasi-ng stops" left_brewery "$nick2"
