# Load on the echo extension: SIPp uac_load.xml at RATE calls/s (default 100) for CALLS calls
# (default 1000, i.e. 10 s), each streaming PCMU for 1 s ([auto_media_port]), at most 200 at once.
# Passes if SIPp reports no failed call (exit code 0) and jigasi-ng's log shows every call started
# and ended (the echo count back to 0) with RTP relayed; jigasi-ng stays healthy throughout.
#   tests/e2e/run jigasi-echo-load [RATE] [CALLS]
source "$E2E_DIR/sip/sip.sh"
rate=${1:-100}
calls=${2:-1000}
start_jigasi <<'JSON'
{ "xmpp": { "servers": [] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 40000, "max_port": 41999 } }
JSON
sip_probe 5060 5

note "SIPp: $calls calls at $rate/s, 1 s of RTP each, -l 200"
t0=$(elapsed_ms)
# -recv_timeout: a call waiting 5 s for any answer fails (instead of hanging until the limit)
sipp_spawn load uac_load.xml 15070 -s echo 127.0.0.1:5060 -r "$rate" -l 200 -m "$calls" -d 1000 \
    -recv_timeout 5000 -max_socket 2000
sipp_wait load $((calls / rate + 25))
secs=$(( ($(elapsed_ms) - t0) / 1000 ))
sed -n 's/^.*Successful call.*$/&/p; s/^.*Failed call.*$/&/p' "$E2E_OUT/load.log" | tail -n 2 | tr -s ' ' | sed 's/^/    /'
note "SIPp done in ~$secs s"

ended() { grep -c 'side=sip\]: ended:' "$E2E_OUT/jigasi.log" || true; }
wait_until 10 "jigasi-ng to end all $calls echo calls (ended: $(ended))" test "$(ended)" -eq "$calls"
started=$(grep -c 'side=sip\]: INVITE from' "$E2E_OUT/jigasi.log" || true)
[ "$started" -eq "$calls" ] || fail "jigasi-ng started $started echo calls, expected $calls"
byes=$(grep -c 'side=sip\]: ended: BYE from the other side' "$E2E_OUT/jigasi.log" || true)
[ "$byes" -eq "$calls" ] || fail "jigasi-ng: only $byes of $calls echo calls ended by the caller's BYE ($(grep 'side=sip\]: ended:' "$E2E_OUT/jigasi.log" | sed 's/.*ended: //' | sort | uniq -c | paste -sd','))"
relayed=$(grep -oE 'echo relay ends after [0-9]+ packets' "$E2E_OUT/jigasi.log" | awk '$5 >= 25' | wc -l)
[ "$relayed" -ge $((calls * 99 / 100)) ] || fail "jigasi-ng: only $relayed of $calls echo calls relayed >= 25 RTP packets"
alive jigasi || fail "jigasi-ng exited under load"
jigasi_get /about/health > /dev/null || fail "jigasi-ng unhealthy after the load"
note "all $calls calls ended, $relayed relayed >= 25 packets; jigasi-ng healthy"
