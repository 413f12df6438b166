# The bridge leg's media against an ICE-lite bridge: the stand-in's JVB side is werift with
# iceLite (stand-in --bridge werift), which answers checks and never sends any. Jingle cannot say
# "ice-lite", so jigasi-ng starts controlled (jitsi-protocol.md §4.4); its first check claims
# ICE-CONTROLLED, werift answers 487 Role Conflict, and jigasi-ng must switch to controlling and
# nominate with USE-CANDIDATE (RFC 8445 §6.1.1, §7.2.5.1), or ICE never completes.
#   - an audio room probe answers the offer; its transport is secured (ICE, DTLS client, SRTP)
#   - the probe hears the two web tones (440 and 660 Hz, Opus from opusscript via werift)
#   - the bridge (werift + opusscript) hears our 1000 Hz with no gap over 60 ms (the verdict)
#   - DELETE ends the probe; the stand-in sees session-terminate
source "$E2E_DIR/jitsi/bench.sh"
TOKEN=e2e-token-0123456789abcdef
start_prosody
start_standin --bridge werift --tones 440,660 --expect 1000
start_jigasi <<JSON
{ "http": { "api_token": "$TOKEN" }, "log": { "subsystems": { "xmpp": "debug" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN" } ] },
  "sip": { "listen": [] },
  "media": { "min_port": 31000, "max_port": 31100 } }
JSON

api() {  # api METHOD PATH [BODY]: prints the body, fails unless 2xx
    curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "http://127.0.0.1:$JIGASI_HTTP$2" || fail "$1 $2 failed"
}
probe_wait() {  # probe_wait ID SECS DESC JQ
    wait_until "$2" "$3" sh -c "curl -sf -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$JIGASI_HTTP/api/v1/xmpp/probes/$1 | jq -e '$4'"
}
# What the ICE-lite bridge saw of our checks (/state sessions[].ice, see jitsi/README.md).
bridge_ice() { curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -c '.sessions[-1] | {ice, iceConnected, dtlsConnected, failed}'; }

id=$(api POST /api/v1/xmpp/probes '{"room": "room1", "audio": true, "tone_hz": 1000, "hold_s": 60, "record_s": 8}' | jq -r .id)
# Secured within 15 s, or fail with both sides' view of ICE (which role we took, USE-CANDIDATE).
deadline=$((SECONDS + 15))
while :; do
    report=$(api GET "/api/v1/xmpp/probes/$id")
    jq -e '.media.transport == "secured" or .media.end != null or .state == "ended"' <<< "$report" > /dev/null && break
    [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.1
done
jq -e '.media.transport == "secured"' <<< "$report" > /dev/null \
    || fail "media not secured against the ICE-lite bridge within 15 s: probe $(jq -c '{state, media: (.media | {transport, "end": .end, ice_checks_sent, ice_rtt_ms, datagrams_in, datagrams_out})}' <<< "$report"); bridge $(bridge_ice)"
note "secured: $(jq -c '.media | {port, remote, connect_ms, ice_checks_sent, ice_rtt_ms, codec}' <<< "$report"); bridge $(bridge_ice)"
jq -e '.timeline | any(.event == "session-accept" and .answered)' <<< "$report" > /dev/null \
    || fail "the focus did not accept our session-accept: $(jq -c .timeline <<< "$report")"

probe_wait "$id" 10 "the probe to hear 440 and 660 Hz" \
    'any(.media.heard[]; (.hz - 440 | fabs) <= 20) and any(.media.heard[]; (.hz - 660 | fabs) <= 20)'
nick=$(api GET "/api/v1/xmpp/probes/$id" | jq -r .nick)
# 4 s of media: enough for the bridge's recording (1 s skipped, at least 1 s analysed).
probe_wait "$id" 10 "4 s of media" '.media.ticks >= 200'
report=$(api GET "/api/v1/xmpp/probes/$id")
note "media: $(jq -c '.media | {heard: [.heard[] | "\(.hz) Hz \(.dbfs) dBFS"], rx: .rx.packets, tx: .tx.packets, rtt_ms, streams, concealed, srtp_auth_failures}' <<< "$report")"
jq -e '.media.rx.packets > 100 and .media.tx.packets > 100' <<< "$report" > /dev/null \
    || fail "too few packets: $(jq -c '.media | {rx, tx}' <<< "$report")"
jq -e '.media.srtp_auth_failures == 0' <<< "$report" > /dev/null || fail "SRTP authentication failures: $(jq -c .media <<< "$report")"

api DELETE "/api/v1/xmpp/probes/$id" > /dev/null
probe_wait "$id" 10 "the probe to end" '.state == "ended"'
wait_until 5 "the stand-in to receive our session-terminate" \
    sh -c "grep -F '\"dir\":\"in\"' '$E2E_OUT/standin-stanzas.jsonl' | grep -F session-terminate | grep -Fq '$nick'"
# The bridge's side: our tone on our SSRC, no gap over 60 ms (the stand-in's verdict).
check_verdict
note "ICE-lite bridge: $(jq -c '.sessions[0].bridges[0] | {ice, sinceOffer}' "$E2E_OUT/verdict.json")"
