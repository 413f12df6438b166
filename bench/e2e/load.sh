# bench/e2e step: N concurrent dial-in calls held for HOLD_S seconds (run by bench/e2e/run inside a
# private network and PID namespace, through tests/e2e/lib/enter.sh; not a test).
#   load.sh CALLS HOLD_S JIGASI_CPU [TONES]
# The whole namespace runs with the peers' CPU affinity (set by run); jigasi-ng alone is moved to
# JIGASI_CPU with "server.threads": 1. Rooms of 4 phones (the last one may be smaller). Writes to
# $E2E_OUT: jigasi.log (time-stamped), rtpgaps.json (wire timing + jigasi-ng's schedstat), verdict.json,
# window (Unix ms of the measured span), cpu0/cpu1 (CPU ticks of every peer), stat0/stat1 (/proc/stat).
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
calls=${1:?calls}
hold_s=${2:-10}
jigasi_cpu=${3:-0}
tones=${4:-440,660}
per_room=4
unix_ms() { date +%s%3N; }

# A tone long enough for the whole step (make_tones' files last 20 s).
make_tones
tone="$E2E_OUT/media/tone1000_8k_long.wav"
sox -n -r 8000 -c 1 -b 16 "$tone" synth $((hold_s + 60)) sine 1000 vol 0.5

start_prosody
start_standin --tones "$tones" --spare "" --expect 1000
# jigasi-ng on its own CPU: a wrapper, so that spawn records the PID of jigasi-ng itself (exec)
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
  "media": { "min_port": 31000, "max_port": 32999 } }
JSON
sip_probe 5060 5
taskset -pc "${E2E_PIDS[jigasi]}" | sed 's/^/    /'
spawn rtpgaps python3 "$E2E_DIR/lib/rtpgaps.py" capture "$E2E_OUT/rtpgaps.json" 31000-32999 --gap-ms 40 \
    --watch "${E2E_PIDS[jigasi]}"
wait_until 5 "the packet capture to start" grep -q capturing "$E2E_OUT/rtpgaps.log"

phones=()
declare -A room_of=()
for i in $(seq 1 "$calls"); do
    p=phone$i
    start_baresip "$p" "$p" $((15060 + 2 * i)) --registrar none --wav "$tone" --codecs pcmu --answermode manual
    phones+=("$p")
    room_of[$p]=room$(((i - 1) / per_room + 1))
done
note "$calls phones ready"
t_dial=$(unix_ms)
for p in "${phones[@]}"; do echo "dial-$p dial sip:${room_of[$p]}@127.0.0.1:5060" > "$E2E_OUT/$p/ctl.fifo"; done
events=()
for p in "${phones[@]}"; do events+=("$E2E_OUT/$p/events"); done
unanswered=$calls
deadline=$(($(unix_ms) + 30000))  # 30 s for all of them
while [ "$(unix_ms)" -lt "$deadline" ]; do
    unanswered=$( (grep -L '"type": "CALL_ESTABLISHED"' "${events[@]}" || true) | wc -l)
    [ "$unanswered" -eq 0 ] && break
    sleep 0.2
done
note "$((calls - unanswered)) of $calls calls answered after $(($(unix_ms) - t_dial)) ms"
sleep 2  # let the last calls' jitter buffers settle before measuring

peers=(jigasi standin prosody rtpgaps "${phones[@]}")
for p in "${phones[@]}"; do peers+=("$p-ctl"); done
cpu_ticks() { local p; for p in "${peers[@]}"; do awk -v n="$p" '{ print n, $14 + $15 }' "/proc/${E2E_PIDS[$p]}/stat" 2> /dev/null; done; }
t_up=$(unix_ms)
cpu_ticks > "$E2E_OUT/cpu0"
grep '^cpu[0-9]' /proc/stat > "$E2E_OUT/stat0"
sleep "$hold_s"
cpu_ticks > "$E2E_OUT/cpu1"
grep '^cpu[0-9]' /proc/stat > "$E2E_OUT/stat1"
t_down=$(unix_ms)
echo "$t_dial $t_up $t_down $unanswered" > "$E2E_OUT/window"
jigasi_get /about/stats > "$E2E_OUT/stats-up.json" || true
alive jigasi || note "jigasi-ng exited under load"

for p in "${phones[@]}"; do echo "hangup-$p hangup" > "$E2E_OUT/$p/ctl.fifo"; done
deadline=$(($(unix_ms) + 10000))  # 10 s for all of them
while [ "$(unix_ms)" -lt "$deadline" ]; do
    [ "$( (grep -L '"type": "CALL_CLOSED"' "${events[@]}" || true) | wc -l)" -eq 0 ] && break
    sleep 0.2
done
sleep 1
stop rtpgaps
standin POST /verdict > /dev/null
note "step done"
