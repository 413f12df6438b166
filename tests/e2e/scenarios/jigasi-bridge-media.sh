# The bridge leg's media (issue 6) against libwebrtc as the bridge: an audio room probe
# (POST /api/v1/xmpp/probes {"audio": true}) answers the stand-in's offer with session-accept,
# then ICE (we are controlled), DTLS (we are the client), SRTP and Opus run against the stand-in's
# wrtc PeerConnection (the controlling, DTLS-server "JVB").
#   - the transport is secured; the probe hears the two web tones (440 and 660 Hz) at once, mixed,
#     and after a source-add the third (880 Hz); its recording has no gap over 60 ms
#   - the bridge (wrtc) hears our 1000 Hz tone on our SSRC with no gap over 60 ms (the verdict)
#   - RTCP flows both ways (RTT measured), no SRTP authentication failure
#   - DELETE ends the media and the session; the stand-in sees session-terminate
#   - a bridge whose certificate does not match its signalled fingerprint is refused: the DTLS
#     handshake fails naming the fingerprint, and we terminate the Jingle session
source "$E2E_DIR/jitsi/bench.sh"
TOKEN=e2e-token-0123456789abcdef
start_prosody
start_standin --tones 440,660 --spare 880 --expect 1000
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
# heard REPORT HZ: the probe's spectrum names a tone within 20 Hz of HZ
heard() { jq -e --argjson f "$2" 'any(.media.heard[]; (.hz - $f) | fabs <= 20)' <<< "$1" > /dev/null; }

# --- a probe with audio ---
id=$(api POST /api/v1/xmpp/probes '{"room": "room1", "audio": true, "tone_hz": 1000, "hold_s": 60, "record_s": 8}' | jq -r .id)
probe_wait "$id" 15 "the probe's media to be secured" '.media.transport == "secured"'
report=$(api GET "/api/v1/xmpp/probes/$id")
note "secured: $(jq -c '.media | {port, remote, connect_ms, ice_rtt_ms, codec}' <<< "$report")"
jq -e '.timeline | any(.event == "session-accept" and .answered)' <<< "$report" > /dev/null \
    || fail "the focus did not accept our session-accept: $(jq -c .timeline <<< "$report")"
jq -e '.media.port >= 31000 and .media.port <= 31100' <<< "$report" > /dev/null \
    || fail "media port outside media.min_port..max_port: $(jq -c .media <<< "$report")"

probe_wait "$id" 10 "the probe to hear 440 and 660 Hz" \
    'any(.media.heard[]; (.hz - 440 | fabs) <= 20) and any(.media.heard[]; (.hz - 660 | fabs) <= 20)'
nick=$(api GET "/api/v1/xmpp/probes/$id" | jq -r .nick)
standin POST /source-add "{\"endpoint\": \"$nick\", \"freq\": 880}" > /dev/null
probe_wait "$id" 10 "the probe to hear the third speaker (880 Hz) after source-add" \
    'any(.media.heard[]; (.hz - 880 | fabs) <= 20)'
# 7 s of media: the recording below is long enough, and RTCP has gone both ways a few times
# (RFC 3550 §6.2: the first reports after ~1-2.5 s, then every ~5 s at most).
probe_wait "$id" 10 "7 s of media" '.media.ticks >= 350'
report=$(api GET "/api/v1/xmpp/probes/$id")
note "media: $(jq -c '.media | {heard: [.heard[] | "\(.hz) Hz \(.dbfs) dBFS"], rx: .rx.packets, tx: .tx.packets, rtt_ms, streams, concealed, rtcp_received, rtcp_sent, mos: .rx.mos, late_ticks}' <<< "$report")"
heard "$report" 440 && heard "$report" 660 && heard "$report" 880 || fail "not all three tones heard at once: $(jq -c .media.heard <<< "$report")"
heard "$report" 1000 && fail "the probe hears its own tone (no mix-minus?): $(jq -c .media.heard <<< "$report")"
jq -e '.media.rx.packets > 150 and .media.tx.packets > 150' <<< "$report" > /dev/null \
    || fail "too few packets: $(jq -c '.media | {rx, tx}' <<< "$report")"
jq -e '.media.srtp_auth_failures == 0' <<< "$report" > /dev/null || fail "SRTP authentication failures: $(jq -c .media <<< "$report")"
jq -e '.media.rtcp_received > 0 and .media.rtcp_sent > 0' <<< "$report" > /dev/null \
    || fail "no RTCP both ways: $(jq -c .media <<< "$report")"

# What was heard, as a file: every tone present, no gap.
curl -sf -H "Authorization: Bearer $TOKEN" -o "$E2E_OUT/probe-heard.wav" \
    "http://127.0.0.1:$JIGASI_HTTP/api/v1/xmpp/probes/$id/audio.wav" || fail "GET audio.wav failed"
node "$E2E_DIR/lib/audio.js" check "$E2E_OUT/probe-heard.wav" --expect 440,660 --absent 1000 --skip-ms 1500 \
    --max-gap-ms 60 --min-seconds 4 > "$E2E_OUT/probe-heard.json" 2> "$E2E_OUT/probe-heard.err" \
    || fail "the probe's recording: $(cat "$E2E_OUT/probe-heard.err")"
note "recording: $(jq -c '{seconds, tones: .tones, maxGapMs}' "$E2E_OUT/probe-heard.json" 2>/dev/null || head -c 300 "$E2E_OUT/probe-heard.json")"

# The bridge's side: our tone on our SSRC (checked by the stand-in's verdict).
api DELETE "/api/v1/xmpp/probes/$id" > /dev/null
probe_wait "$id" 10 "the probe to end" '.state == "ended"'
grep -F '"dir":"in"' "$E2E_OUT/standin-stanzas.jsonl" | grep -F 'session-terminate' | grep -Fq "$nick" \
    || fail "the stand-in saw no session-terminate from $nick"
check_verdict

# --- a bridge that lies about its certificate ---
stop standin
mkdir -p "$E2E_OUT/bad"
spawn standin-bad node "$JITSI_DIR/standin.js" --port "$STANDIN_PORT" --out "$E2E_OUT/bad" \
    --service "xmpp://127.0.0.1:$PROSODY_C2S" --component-service "xmpp://127.0.0.1:$PROSODY_COMPONENT" \
    --password "$FOCUS_PASSWORD" --secret "$FOCUS_COMPONENT_SECRET" --bad-fingerprint
wait_until 10 "the second stand-in to be ready" grep -q READY "$E2E_OUT/standin-bad.log"
id=$(api POST /api/v1/xmpp/probes '{"room": "room2", "audio": true, "hold_s": 60}' | jq -r .id)
probe_wait "$id" 20 "the media to fail on the fingerprint" '.media.end.stage == "dtls"'
report=$(api GET "/api/v1/xmpp/probes/$id")
note "refused: $(jq -c .media.end <<< "$report")"
jq -e '.media.end.reason | test("fingerprint")' <<< "$report" > /dev/null || fail "the DTLS failure does not name the fingerprint: $(jq -c .media.end <<< "$report")"
jq -e '.media.rx.packets == 0' <<< "$report" > /dev/null || fail "media was accepted from an unverified peer: $(jq -c .media <<< "$report")"
wait_until 5 "the stand-in to receive our session-terminate" \
    sh -c "grep -F '\"dir\":\"in\"' '$E2E_OUT/bad/standin-stanzas.jsonl' | grep -F session-terminate | grep -Fq connectivity-error"
jigasi_log_has 'media transport failed \(dtls\): .*fingerprint' || fail "no log line naming the fingerprint failure"
