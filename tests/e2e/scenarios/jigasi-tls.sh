# SIP over TLS (issue 4 item 2): a TLS listener with the certificate and key from the config.
#   - OPTIONS over TLS gets 200, and the server presents exactly the configured certificate
#   - baresip, trusting that certificate, calls the echo extension over TLS and hears itself
#   - a plain-TCP client on the TLS port gets nothing it can take for SIP, and jigasi-ng stays up
source "$E2E_DIR/sip/sip.sh"
tls="$E2E_OUT/tls"
mkdir -p "$tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=jigasi-ng.test" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:jigasi-ng.test" \
    -keyout "$tls/key.pem" -out "$tls/cert.pem" > "$tls/openssl.log" 2>&1 || fail "openssl could not make a certificate"
start_jigasi <<JSON
{ "xmpp": { "servers": [] }, "log": { "subsystems": { "sip": "debug" } },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 },
                       { "transport": "tls", "address": "127.0.0.1", "port": 5061,
                         "certificate": "$tls/cert.pem", "private_key": "$tls/key.pem" } ] },
  "media": { "min_port": 40000, "max_port": 40999 } }
JSON
sip_probe 5060 5
out=$(python3 "$SIP_DIR/sip_options.py" 127.0.0.1 5061 3 --tls "$tls/cert.pem") || fail "OPTIONS over TLS: $out"
[[ "$out" == "SIP/2.0 200 OK"*"CN=jigasi-ng.test"* ]] || fail "OPTIONS over TLS: unexpected answer: $out"
note "OPTIONS over TLS: $(tr '\n' ' ' <<< "$out")"

start_baresip phone phone 15062 --registrar none --tone 440 --cafile "$tls/cert.pem"
baresip_cmd phone dial "sip:echo@127.0.0.1:5061;transport=tls" > /dev/null || fail "phone: dial refused"
baresip_wait_event phone CALL_ESTABLISHED 5
sleep 3
baresip_cmd phone hangup > /dev/null
baresip_wait_event phone CALL_CLOSED 5
audio_check "phone over TLS (heard the echo)" "$(baresip_recording phone dec)" --expect 440 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1
jigasi_log_has 'side=sip\]: INVITE from tls:127.0.0.1:' || fail "jigasi-ng logged no INVITE over TLS"

# Plain text on the TLS port: the handshake fails on jigasi-ng's side; nothing SIP comes back.
reply=$(printf 'OPTIONS sip:127.0.0.1 SIP/2.0\r\n\r\n' | timeout 3 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", 5061), timeout=2)
s.sendall(sys.stdin.buffer.read())
try:
    print(s.recv(100)[:12])
except Exception as e:
    print(type(e).__name__)') || true
[[ "$reply" == *"SIP/2.0"* ]] && fail "the TLS port answered plain text with SIP: $reply"
note "plain text on the TLS port: $reply"
python3 "$SIP_DIR/sip_options.py" 127.0.0.1 5061 3 --tls "$tls/cert.pem" > /dev/null || fail "TLS listener dead after plain-text garbage"
alive jigasi || fail "jigasi-ng exited"
