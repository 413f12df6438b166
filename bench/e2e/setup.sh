# bench/e2e: sequential dial-in calls from one baresip phone, each held HOLD_MS then hung up (run by
# bench/e2e/run through tests/e2e/lib/enter.sh; not a test). CALLS go into one room whose conference
# already runs (the focus is in it), NEW_ROOMS more (spread among them) each into a room nobody is in
# yet (the conference IQ makes the focus create and join it first, as Jicofo does).
#   setup.sh CALLS NEW_ROOMS HOLD_MS JIGASI_CPU
# Per call the setup latency comes from: jigasi.log (INVITE received, "answered 200"), rtpgaps.json
# (the first RTP packet to the phone, on the wire), the phone's recordings (first sound in them) and
# the stand-in's verdict (the bridge's first audio from the call). Only one call is up at a time.
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
calls=${1:?calls}
new_rooms=${2:-0}
hold_ms=${3:-1500}
jigasi_cpu=${4:-0}

start_prosody
start_standin --tones 440,660 --spare "" --expect 1000
cat > "$E2E_OUT/jigasi-pinned" <<SH
#!/bin/sh
exec nice -n ${BENCH_NICE:-0} taskset -c $jigasi_cpu "$JIGASI_BINARY" "\$@"
SH
chmod +x "$E2E_OUT/jigasi-pinned"
JIGASI_BINARY="$E2E_OUT/jigasi-pinned"
start_jigasi <<JSON
{ "server": { "threads": 1 },
  "log": { "timestamps": true, "subsystems": { "xmpp": "info" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN" } ] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 31000, "max_port": 31999 } }
JSON
sip_probe 5060 5
spawn rtpgaps python3 "$E2E_DIR/lib/rtpgaps.py" capture "$E2E_OUT/rtpgaps.json" 31000-31999 --gap-ms 40 \
    --watch "${E2E_PIDS[jigasi]}"
wait_until 5 "the packet capture to start" grep -q capturing "$E2E_OUT/rtpgaps.log"
start_baresip phone phone 15062 --registrar none --tone 1000 --codecs pcmu --answermode manual
: > "$E2E_OUT/dials"
# the conference of room "bench" starts with a first call (not counted among the CALLS)
total=$((calls + new_rooms + 1))
every=$(( new_rooms > 0 ? (calls + new_rooms) / new_rooms : 0 ))
for i in $(seq 1 "$total"); do
    room=bench
    [ "$every" -gt 0 ] && [ "$i" -gt 1 ] && [ $(((i - 1) % every)) -eq 0 ] && room=new$i
    before=$(grep -c '"type": "CALL_CLOSED"' "$E2E_OUT/phone/events" || true)
    echo "$i $room $(date +%s%3N)" >> "$E2E_OUT/dials"
    baresip_cmd phone dial "sip:$room@127.0.0.1:5060" > /dev/null || fail "call $i: dial refused"
    wait_until 15 "call $i to be answered" sh -c "[ \$(grep -c '\"type\": \"CALL_ESTABLISHED\"' '$E2E_OUT/phone/events') -ge $i ]"
    sleep "$(awk -v ms="$hold_ms" 'BEGIN { print ms / 1000 }')"
    baresip_cmd phone hangup > /dev/null || true
    wait_until 10 "call $i to close" sh -c "[ \$(grep -c '\"type\": \"CALL_CLOSED\"' '$E2E_OUT/phone/events') -gt $before ]"
    standin_wait 10 "call $i to leave $room" "(.rooms[\"$room@conference.meet.test\"] // []) | map(select(. != \"focus\")) | length == 0"
    sleep 1.1  # baresip names its recordings by the second
done
stop rtpgaps
standin POST /verdict > /dev/null
note "$total calls done"
