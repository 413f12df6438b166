# SIP peers for e2e scenarios: kamailio (registrar/proxy), headless baresip phones, SIPp, an RTP
# recorder. Source it from a scenario: source "$E2E_DIR/sip/sip.sh". Needs lib/common.sh (spawn, fail..).
# Everything a peer writes goes to $E2E_OUT/<NAME>/ and $E2E_OUT/<NAME>.log. Full docs: README.md.
#
#   make_tones                           $E2E_OUT/media/tone<HZ>_{8k,48k}.wav (S16 mono) and tone<HZ>.ul
#                                        (raw u-law for SIPp rtp_stream) for 440, 660, 1000 Hz; idempotent
#   start_kamailio [--auth|--auth-invite] [--port P] [--user NAME:PASS]...
#                                        registrar/proxy on 127.0.0.1:P (15060); --auth: REGISTER needs
#                                        digest auth (realm sip.test) with the per-user passwords in
#                                        SIP_PASSWORDS (alice bob carol dave jigasi: <name>pass)
#   sip_probe PORT [SECS]                wait until something answers OPTIONS on 127.0.0.1:PORT
#   start_baresip NAME USER PORT [--registrar HOST:PORT|none] [--password PW] [--tone HZ|--wav FILE]
#                 [--codecs pcmu|pcma|opus/48000/2,..] [--answermode auto|manual] [--params ';k=v']
#                 [--cafile PEM]         (PEM: trusted server certificates for sips/TLS calls)
#                                        headless baresip; ctrl_tcp on PORT+10000, cons on PORT+11000,
#                                        RTP 20000+(PORT-15060)*50 (+49); recordings in NAME/rec
#   baresip_wait_registered NAME [SECS]  fails "NAME could not register: <status>" on 401/403/timeout
#   baresip_cmd NAME CMD [PARAMS]        ctrl_tcp command (dial, hangup, accept, listcalls, ...); prints
#                                        baresip's answer; returns 1 if baresip said not ok
#   baresip_wait_event NAME EVENT [SECS] wait for a ctrl_tcp event (CALL_ESTABLISHED, CALL_CLOSED, ...)
#   baresip_dtmf NAME DIGITS             RFC 4733 digits over the cons port (key press + release each)
#   baresip_recording NAME [dec|enc]     path of the newest recording (dec = what NAME heard)
#   recorded_ms FILE                     how many ms a recording being written holds so far
#   baresip_digits_received NAME         RFC 4733 digits NAME logged as received (end events)
#   start_rtprec NAME PORT...            RTP recorder (rtprec.py) on those ports; stop NAME writes
#                                        NAME/summary.json and one wav per stream
#   rtprec_check NAME [--port P] [--streams N] [--min-packets P] [--pt PT] [--digits D]
#   rtprec_wavs NAME [PORT]              the recorded wav files (received on PORT), one per line
#   long_tone HZ SECS                    a SECS-long 8 kHz tone file (for --wav); prints its path
#   sipp_spawn NAME XML PORT [--tone HZ] [sipp args...]
#                                        SIPp (XML: in sip/sipp/, or an absolute path) in the background, cwd $E2E_OUT/NAME (tone.ul, pcap/), RTP
#                                        from 30000+(PORT-15070)*200, SIP trace in NAME/messages.log
#   sipp_wait NAME SECS                  wait for it; fails "NAME (XML): N failed calls ..." if not 0
#   sipp_run NAME XML PORT [...]         sipp_spawn + sipp_wait 30
#   audio_check WHO FILE ARGS...         lib/audio.js check; fails "WHO: <reason>"

SIP_DIR="$E2E_DIR/sip"
KAMAILIO_PORT=15060
declare -A SIP_PASSWORDS=([alice]=alicepass [bob]=bobpass [carol]=carolpass [dave]=davepass [jigasi]=jigasipass)
declare -A BARESIP_PORT=()

# long_tone HZ SECS: a tone file at 8 kHz lasting SECS, for a phone whose call outlives
# make_tones' 20 s (baresip hangs up when its aufile source ends); prints its path
long_tone() {
    local f="$E2E_OUT/media/tone$1_8k_$2s.wav"
    mkdir -p "$E2E_OUT/media"
    [ -f "$f" ] || sox -n -r 8000 -c 1 -b 16 "$f" synth "$2" sine "$1" vol 0.5
    echo "$f"
}

make_tones() {
    local d="$E2E_OUT/media" hz
    mkdir -p "$d"
    for hz in 440 660 1000; do
        [ -f "$d/tone${hz}.ul" ] && continue
        sox -n -r 8000 -c 1 -b 16 "$d/tone${hz}_8k.wav" synth 20 sine "$hz" vol 0.5
        sox -n -r 16000 -c 1 -b 16 "$d/tone${hz}_16k.wav" synth 20 sine "$hz" vol 0.5
        sox -n -r 48000 -c 1 -b 16 "$d/tone${hz}_48k.wav" synth 20 sine "$hz" vol 0.5
        sox "$d/tone${hz}_8k.wav" -t ul "$d/tone${hz}.ul"
    done
}

sip_probe() {
    local port=$1 secs=${2:-10}
    wait_until "$secs" "a SIP answer to OPTIONS on 127.0.0.1:$port" python3 "$SIP_DIR/sip_options.py" 127.0.0.1 "$port" 0.1
}

start_kamailio() {
    local name=kamailio defs=() u
    KAMAILIO_PORT=15060
    while [ $# -gt 0 ]; do
        case "$1" in
        --auth) defs+=(-A AUTH) ;;
        --auth-invite) defs+=(-A AUTH_INVITE) ;;
        --port) KAMAILIO_PORT=$2; shift ;;
        --user) SIP_PASSWORDS[${2%%:*}]=${2#*:}; shift ;;
        *) fail "bench bug: start_kamailio: unknown option $1" ;;
        esac
        shift
    done
    local dir="$E2E_OUT/$name"
    mkdir -p "$dir"
    cp "$SIP_DIR/kamailio.cfg" "$dir/kamailio.cfg"
    : > "$dir/users.cfg"
    for u in "${!SIP_PASSWORDS[@]}"; do
        # shellcheck disable=SC2016 # kamailio syntax, not shell
        printf '$sht(users=>%s) = "%s";\n' "$u" "${SIP_PASSWORDS[$u]}" >> "$dir/users.cfg"
    done
    kamailio -f "$dir/kamailio.cfg" -c -A "SIP_PORT=$KAMAILIO_PORT" "${defs[@]}" > "$dir/check.log" 2>&1 \
        || fail "kamailio: config check failed (see $name/check.log)"
    spawn "$name" kamailio -f "$dir/kamailio.cfg" -DD -E -P "$dir/kamailio.pid" -Y "$dir" -m 64 -M 8 \
        -A "SIP_PORT=$KAMAILIO_PORT" "${defs[@]}"
    sip_probe "$KAMAILIO_PORT" 10
    alive "$name" || fail "kamailio exited at start (see $name.log)"
    note "kamailio ready on $KAMAILIO_PORT ${defs[*]}"
}

start_baresip() {
    local name=$1 user=$2 port=$3
    shift 3
    local reg="127.0.0.1:$KAMAILIO_PORT" pass=${SIP_PASSWORDS[$user]:-secret} wav="" codecs=pcmu am=auto params="" srate=8000 hz="" cafile=""
    while [ $# -gt 0 ]; do
        case "$1" in
        --registrar) reg=$2 ;;
        --password) pass=$2 ;;
        --tone) hz=$2 ;;
        --wav) wav=$2 ;;
        --codecs) codecs=$2 ;;
        --answermode) am=$2 ;;
        --params) params=$2 ;;
        --cafile) cafile=$2 ;;
        *) fail "bench bug: start_baresip: unknown option $1" ;;
        esac
        shift 2
    done
    # aufile needs a mono S16 wav at exactly ausrc_srate, so Opus phones get the 48 kHz tone and
    # G.722 phones (baresip's codec name G722/16000/1) the 16 kHz one
    case "$codecs" in opus*) srate=48000 ;; g722*|G722*) srate=16000 ;; esac
    if [ -z "$wav" ]; then
        make_tones
        wav="$E2E_OUT/media/tone${hz:-440}_$((srate / 1000))k.wav"
        [ -f "$wav" ] || fail "bench bug: no tone file $wav (make_tones has 440, 660, 1000)"
    fi
    local d="$E2E_OUT/$name" ctrl=$((port + 10000)) cons=$((port + 11000)) rtp=$((20000 + (port - 15060) * 50))
    mkdir -p "$d/rec"
    cat > "$d/config" <<CFG
poll_method		epoll
sip_listen		127.0.0.1:$port
call_local_timeout	120
call_max_calls		4
audio_buffer		20
audio_player		aubridge,nil
audio_source		aufile,$wav
audio_alert		aubridge,nil
ausrc_srate		$srate
auplay_srate		$srate
ausrc_channels		1
auplay_channels		1
rtp_tos			0
rtp_ports		$rtp-$((rtp + 49))
rtcp_mux		no
jitter_buffer_delay	1-10
rtp_stats		yes
net_interface		127.0.0.1
dns_server		127.0.0.1:53
module_path		/usr/lib/baresip/modules
module			cons.so
module			g711.so
module			g722.so
module			opus.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
cons_listen		127.0.0.1:$cons
ctrl_tcp_listen		127.0.0.1:$ctrl
snd_path		$d/rec
menu_bell		no
ringback_disabled	yes
CFG
    # TLS: the server certificates baresip accepts (libre verifies the chain against it)
    [ -n "$cafile" ] && printf 'sip_cafile\t\t%s\n' "$cafile" >> "$d/config"
    # regint=0: no REGISTER (registrarless, e.g. called directly by IP)
    if [ "$reg" = none ]; then
        echo "<sip:$user@127.0.0.1:$port;transport=udp>;answermode=$am;audio_codecs=$codecs;regint=0$params" > "$d/accounts"
    else
        echo "<sip:$user@$reg;transport=udp>;auth_pass=$pass;answermode=$am;audio_codecs=$codecs;regint=600$params" > "$d/accounts"
    fi
    : > "$d/contacts"
    : > "$d/events"
    rm -f "$d/ctl.fifo"
    mkfifo "$d/ctl.fifo"
    BARESIP_PORT[$name]=$port
    spawn "$name" baresip -f "$d"
    # owns baresip's single ctrl_tcp connection; events -> NAME/events, commands <- NAME/ctl.fifo
    spawn "$name-ctl" python3 "$SIP_DIR/bctl.py" serve "$ctrl" "$d/events" "$d/ctl.fifo"
    wait_until 10 "$name's ctrl_tcp connection (see $name.log, $name-ctl.log)" grep -q '"bctl": "connected"' "$d/events"
}

baresip_wait_registered() {
    # baresip registers before bctl.py is connected, so REGISTER_OK/FAIL events are usually missed:
    # read its log ("alice@127.0.0.1: {0/UDP/v4} 200 OK (...) [1 binding]" / "... 403 Forbidden")
    local name=$1 secs=${2:-5} end line log="$E2E_OUT/$1.log"
    end=$(deadline_in "$secs")
    while :; do  # checks once more after the deadline, which a slow check may have passed
        grep -qE '^[^ ]+@[^ ]+: \{[^}]*\} 200 OK' "$log" && { note "$name registered"; return 0; }
        if line=$(grep -m1 -E 'reg: .*[3456][0-9][0-9] |^[^ ]+@[^ ]+: \{[^}]*\} [3456][0-9][0-9] ' "$log"); then
            fail "$name could not register: $(sed 's/\x1b\[[0-9;]*m//g; s/^reg: //' <<< "$line")"
        fi
        before "$end" || break
        sleep 0.05
    done
    fail "$name could not register: no final answer to REGISTER within $secs s (see $name.log)"
}

baresip_cmd() {
    local name=$1
    shift
    python3 "$SIP_DIR/bctl.py" send "$E2E_OUT/$name/ctl.fifo" "$E2E_OUT/$name/events" "$@"
}

baresip_wait_event() {
    local name=$1 ev=$2 secs=${3:-5}
    wait_until "$secs" "$name to report $ev (see $name/events, $name.log)" grep -q "\"type\": \"$ev\"" "$E2E_OUT/$name/events"
}

baresip_dtmf() {
    local name=$1 digits=$2 cons=$((BARESIP_PORT[$1] + 11000))
    # key press, then KEYCODE_REL (0x04): without the release the RFC 4733 end packets of the last
    # digit are only sent with the next key
    python3 - "$cons" "$digits" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for d in sys.argv[2]:
    s.sendto(d.encode(), ("127.0.0.1", int(sys.argv[1]))); time.sleep(0.2)
    s.sendto(b"\x04", ("127.0.0.1", int(sys.argv[1]))); time.sleep(0.1)
PY
}

# recorded_ms FILE: how much audio (ms) a recording being written holds so far
recorded_ms() {
    node -e 'const { readWav } = require(process.argv[1]); const w = readWav(process.argv[2]);
             console.log(Math.floor(w.samples.length * 1000 / w.rate));' "$E2E_DIR/lib/audio.js" "$1"
}

baresip_recording() {
    local f
    f=$(ls -t "$E2E_OUT/$1/rec/"*"-${2:-dec}.wav" 2> /dev/null | head -n 1)
    [ -n "$f" ] || fail "$1 recorded nothing (no $1/rec/*-${2:-dec}.wav)"
    echo "$f"
}

baresip_digits_received() {
    grep -o "received event: '.' (end=1)" "$E2E_OUT/$1.log" | cut -d"'" -f2 | tr -d '\n'
}

start_rtprec() {
    local name=$1
    shift
    spawn "$name" python3 "$SIP_DIR/rtprec.py" record "$E2E_OUT/$name" "$@"
    wait_until 5 "$name to listen" grep -q listening "$E2E_OUT/$name.log"
}

rtprec_check() {
    local name=$1 msg
    shift
    msg=$(python3 "$SIP_DIR/rtprec.py" check "$E2E_OUT/$name" "$@" 2>&1) || fail "$name: $msg"
    note "$name: $msg"
}

rtprec_wavs() {
    python3 -c 'import json,sys; [print(sys.argv[1] + "/" + s["wav"]) for s in json.load(open(sys.argv[1] + "/summary.json"))["streams"] if s["wav"] and (len(sys.argv) < 3 or s["local_port"] == int(sys.argv[2]))]' "$E2E_OUT/$1" "${@:2}"
}

declare -A SIPP_XML=()
sipp_spawn() {
    local name=$1 xml=$2 port=$3 hz=440
    shift 3
    if [ "${1:-}" = --tone ]; then hz=$2; shift 2; fi
    make_tones
    local d="$E2E_OUT/$name"
    mkdir -p "$d"
    ln -sfn "$E2E_OUT/media/tone$hz.ul" "$d/tone.ul"
    ln -sfn /usr/share/sip-tester "$d/pcap"
    SIPP_XML[$name]=$xml
    # SIPp keeps the FIRST -key of a name: add the default media_sink (own RTP port) only if not given
    local mp=$((30000 + (port - 15070) * 200)) sink=()
    [[ " $* " == *" -key media_sink "* ]] || sink=(-key media_sink "$mp")
    local sf=$SIP_DIR/sipp/$xml
    [[ $xml == /* ]] && sf=$xml  # a scenario's own variant of one
    spawn "$name" env -C "$d" sipp -sf "$sf" -i 127.0.0.1 -mi 127.0.0.1 -p "$port" \
        -mp "$mp" -nostdin -trace_msg -message_file "$d/messages.log" \
        -trace_err -error_file "$d/errors.log" -trace_stat -stf "$d/stats.csv" \
        "${sink[@]}" "$@"
}

sipp_wait() {
    local name=$1 secs=$2 rc=0 calls why
    wait_exit "$name" "$secs" || rc=$?
    if [ $rc -ne 0 ]; then
        calls=$(grep -E 'Successful call|Failed call' "$E2E_OUT/$name.log" | awk '{print $1, $2, $(NF)}' | tr -s ' ' | paste -sd, - || true)
        # SIPp's first event says why (e.g. "Aborting call on unexpected message ... received 'SIP/2.0
        # 180 Ringing"): enough of it to act on from CI's output alone
        why=$(grep -m1 -A1 -E 'Aborting|unexpected|timeout|Timeout|failed|Failed' "$E2E_OUT/$name/errors.log" 2> /dev/null \
            | sed 's/^[0-9-]*\t[0-9:.]*\t[0-9.]*: //' | tr '\n' ' ' | tr -s ' ' | cut -c1-240 || true)
        fail "$name (${SIPP_XML[$name]}): SIPp exit code $rc [${calls:-no call statistics}]${why:+: $why} (see $name.log, $name/errors.log, $name/messages.log)"
    fi
    note "$name (${SIPP_XML[$name]}) done: exit 0"
}

sipp_run() {
    sipp_spawn "$@"
    sipp_wait "$1" 30
}

audio_check() {
    local who=$1 file=$2 out
    shift 2
    out=$(node "$E2E_DIR/lib/audio.js" check "$file" "$@" 2>&1 > "$file.check.json") || fail "$who: $out ($(basename "$file"))"
    note "$who: audio ok ($(sed -n 's/.*"dominantHz":\([0-9]*\).*"maxGapMs":\([0-9]*\).*/dominant \1 Hz, max gap \2 ms/p' "$file.check.json"))"
}
