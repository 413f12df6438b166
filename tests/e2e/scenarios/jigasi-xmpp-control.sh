# jigasi-ng's call-control side against Prosody and the Jicofo stand-in (issue 5 items 1-4):
#   - the control account logs in with SCRAM, binds, joins the brewery with nick = its resource and
#     publishes the colibri stats presence of jitsi-protocol.md §1.1, which the stand-in (as Jicofo)
#     reads; health says "in brewery"
#   - a second deployment entry reaches the same Prosody over XMPP-over-WebSocket (RFC 7395,
#     ws://127.0.0.1:5280/xmpp-websocket) and joins the brewery the same way
#   - the XEP-0114 component callcontrol.meet.test completes its handshake
#   - a Rayo dial through the brewery and one to the component get an error stanza
#     (service-unavailable: this build has no call layer yet), and the links stay up
#   - a second deployment entry with a wrong password stays down with the SASL reason
#   - Prosody restarts: the control link notices, reconnects with backoff and rejoins the brewery
source "$E2E_DIR/jitsi/bench.sh"
start_prosody
start_standin
start_jigasi <<JSON
{ "server": { "region": "e2e-region" }, "log": { "subsystems": { "xmpp": "debug" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } },
      { "id": "ws", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "tls": "none",
        "websocket": "ws://127.0.0.1:$PROSODY_HTTP/xmpp-websocket", "muc_domain": "conference.$PROSODY_DOMAIN",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } },
      { "id": "wrongpass", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "control": { "enabled": true, "password": "not-the-password", "brewery": "$BREWERY_JID" } } ],
    "component": { "enabled": true, "domain": "$PROSODY_DOMAIN", "subdomain": "callcontrol",
                   "secret": "$CALLCONTROL_SECRET", "host": "127.0.0.1", "port": $PROSODY_COMPONENT },
    "reconnect_min_s": 1, "reconnect_max_s": 2 },
  "sip": { "listen": [] } }
JSON
# subsystem NAME STATE DETAIL_REGEX: /about/health shows NAME in STATE with a matching detail
subsystem() {
    curl -s "http://127.0.0.1:$JIGASI_HTTP/about/health" | jq -e --arg n "$1" --arg s "$2" --arg d "$3" \
        '.subsystems[$n] | select(.state == $s and (.detail | test($d)))' > /dev/null
}
wait_until 10 "xmpp.meet in the brewery (health)" subsystem xmpp.meet up "^in brewery $BREWERY_JID as jigasi-ng-[0-9a-f]{8} .jigasi@auth.meet.test/jigasi-ng-[0-9a-f]{8}.$"
wait_until 10 "xmpp.ws in the brewery over WebSocket (health)" subsystem xmpp.ws up "^in brewery $BREWERY_JID as jigasi-ng-"
jigasi_log_has 'xmpp \[ws\]: stream ready as jigasi@auth.meet.test/jigasi-ng-[0-9a-f]{8} \(WebSocket, no TLS, SCRAM-SHA-1\)' \
    || fail "the ws deployment did not negotiate its stream over WebSocket"
wait_until 10 "the component connected (health)" subsystem xmpp.component up '^component callcontrol.meet.test connected'
wait_until 10 "xmpp.wrongpass refused with the SASL reason" subsystem xmpp.wrongpass down 'SCRAM-SHA-1: .*(not.authorized|credentials)'
note "brewery, component up; wrong password refused: $(curl -s "http://127.0.0.1:$JIGASI_HTTP/about/health" | jq -r '.subsystems["xmpp.wrongpass"].detail')"

standin_wait 5 "the stand-in (Jicofo) to see jigasi-ng's stats presence in the brewery" \
    '.brewery | to_entries | map(select(.key | startswith("jigasi-ng-"))) | length == 2 and all(.[]; .value | .supports_sip == "true" and .supports_transcription == "false" and .graceful_shutdown == "false" and .conferences == "0" and .participants == "0" and .region == "e2e-region" and .stress_level == "0.0")'
note "stats presence: $(curl -sf http://127.0.0.1:$STANDIN_PORT/state | jq -c '.brewery | to_entries | map(select(.key | startswith("jigasi-ng-"))) | .[0].value')"

for target in brewery component; do
    out=$(standin POST /dial "{\"room\": \"room1@conference.$PROSODY_DOMAIN\", \"to\": \"+15551234567\", \"target\": \"$target\"}")
    jq -e '.result == "error" and .error == "service-unavailable"' <<< "$out" > /dev/null \
        || fail "Rayo dial via $target: expected an error stanza service-unavailable, got $out"
    note "Rayo dial via $target: $out"
done
jigasi_log_has 'Rayo dial to \+15551234567 for room1@conference.meet.test from jigasibrewery@internal.auth.meet.test/focus' \
    || fail "jigasi-ng did not log the brewery dial with its sender"
subsystem xmpp.meet up '^in brewery' || fail "xmpp.meet left the brewery after the dial"

note "prosody restarts"
stop standin
stop prosody
wait_until 10 "xmpp.meet down after prosody stopped" subsystem xmpp.meet down '.'
start_prosody prosody2
restarted_ms=$(elapsed_ms)
# Issue 5: back in the brewery within 5 s of Prosody's return (the backoff is capped at 2 s here).
wait_until 5 "xmpp.meet back in the brewery" subsystem xmpp.meet up '^in brewery'
wait_until 5 "xmpp.ws back in the brewery" subsystem xmpp.ws up '^in brewery'
wait_until 5 "the component back" subsystem xmpp.component up '^component'
note "all back within $(( $(elapsed_ms) - restarted_ms )) ms of Prosody's return"
n=$(grep -c 'in the brewery jigasibrewery@internal.auth.meet.test as' "$E2E_OUT/jigasi.log" || true)
[ "$n" -ge 4 ] || fail "jigasi-ng logged $n brewery joins, expected 4 (two deployments, before and after the restart)"
alive jigasi || fail "jigasi-ng exited"
