# A softphone calls jigasi-ng's echo extension on a default-like configuration and hears itself,
# once per codec (PCMU, PCMA, G722, Opus).
source "$E2E_DIR/sip/sip.sh"
start_jigasi <<'JSON'
{ "xmpp": { "servers": [] }, "sip": { "listen": [ { "transport": "udp", "address": "0.0.0.0", "port": 5060 },
                                               { "transport": "tcp", "address": "0.0.0.0", "port": 5060 } ] },
  "media": { "min_port": 40000, "max_port": 40999 } }
JSON
sip_probe 5060 5
port=15062
for codec in pcmu pcma G722/16000/1 opus/48000/2; do
    name=$(echo "${codec%%/*}" | tr 'A-Z' 'a-z')
    port=$((port + 2))
    start_baresip "phone-$name" "phone-$name" "$port" --registrar none --tone 440 --codecs "$codec" --answermode manual
    baresip_cmd "phone-$name" dial "sip:echo@127.0.0.1:5060" > /dev/null || fail "phone-$name: dial refused"
    baresip_wait_event "phone-$name" CALL_ESTABLISHED 5
    sleep 3
    baresip_cmd "phone-$name" hangup > /dev/null
    baresip_wait_event "phone-$name" CALL_CLOSED 5
    audio_check "phone-$name (heard the echo)" "$(baresip_recording "phone-$name" dec)" --expect 440 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1
    stop "phone-$name"
    note "$codec: echo heard"
done
for c in PCMU/8000 PCMA/8000 G722/8000 opus/48000; do
    jigasi_log_has "sip \\[call echo-[0-9]+ side=sip\\]: offer answered: $c " || fail "jigasi-ng did not answer a $c offer"
done
