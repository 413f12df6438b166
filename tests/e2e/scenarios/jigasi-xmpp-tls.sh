# XMPP over TLS against a Prosody that requires STARTTLS (issue 5 items 1 and 2):
#   - tls "required" with the deployment's self-signed certificate in ca_file: STARTTLS, the
#     certificate checked against the auth domain (RFC 6125), SCRAM, brewery joined
#   - the same without ca_file: refused, health says the certificate could not be verified
#   - tls "none" against a server that requires encryption: refused with that reason
#   - XMPP over secure WebSocket (wss://, RFC 7395) with the certificate checked against the URL's
#     host; the same URL without ca_file is refused
source "$E2E_DIR/jitsi/bench.sh"
start_prosody --tls
start_jigasi <<JSON
{ "log": { "subsystems": { "xmpp": "debug" } },
  "xmpp": { "servers": [
      { "id": "tls", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "required",
        "ca_file": "$PROSODY_CA",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } },
      { "id": "untrusted", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "required",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } },
      { "id": "wss", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "tls": "required", "ca_file": "$PROSODY_CA",
        "websocket": "wss://127.0.0.1:$PROSODY_HTTPS/xmpp-websocket",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } },
      { "id": "wss-untrusted", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "tls": "required",
        "websocket": "wss://127.0.0.1:$PROSODY_HTTPS/xmpp-websocket",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } },
      { "id": "plain", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } } ],
    "reconnect_min_s": 1, "reconnect_max_s": 2 },
  "sip": { "listen": [] } }
JSON
subsystem() {
    curl -s "http://127.0.0.1:$JIGASI_HTTP/about/health" | jq -e --arg n "$1" --arg s "$2" --arg d "$3" \
        '.subsystems[$n] | select(.state == $s and (.detail | test($d)))' > /dev/null
}
detail() { curl -s "http://127.0.0.1:$JIGASI_HTTP/about/health" | jq -r --arg n "$1" '.subsystems[$n].detail'; }
wait_until 10 "xmpp.tls in the brewery over STARTTLS" subsystem xmpp.tls up "^in brewery $BREWERY_JID"
jigasi_log_has 'xmpp \[tls\]: stream ready as jigasi@auth.meet.test/jigasi-ng-[0-9a-f]{8} \(TLS, SCRAM-SHA-1\)' \
    || fail "xmpp.tls: no TLS stream with SCRAM in the log"
note "xmpp.tls: $(detail xmpp.tls)"
wait_until 10 "xmpp.untrusted refused: certificate not verified" subsystem xmpp.untrusted down 'TLS handshake .*certificate verify failed'
note "xmpp.untrusted: $(detail xmpp.untrusted)"
wait_until 10 "xmpp.plain refused: the server requires TLS" subsystem xmpp.plain down 'requires STARTTLS'
note "xmpp.plain: $(detail xmpp.plain)"
wait_until 10 "xmpp.wss in the brewery over wss://" subsystem xmpp.wss up "^in brewery $BREWERY_JID"
jigasi_log_has 'xmpp \[wss\]: stream ready as jigasi@auth.meet.test/jigasi-ng-[0-9a-f]{8} \(WebSocket, TLS, SCRAM-SHA-1\)' \
    || fail "xmpp.wss: no WebSocket+TLS stream in the log"
note "xmpp.wss: $(detail xmpp.wss)"
wait_until 10 "xmpp.wss-untrusted refused: certificate not verified" subsystem xmpp.wss-untrusted down 'certificate verify failed'
note "xmpp.wss-untrusted: $(detail xmpp.wss-untrusted)"
alive jigasi || fail "jigasi-ng exited"
