# Dial-in through the gateway (issues 6-7): a softphone calls sip:room1@jigasi-ng, which joins the
# conference (the Jicofo stand-in), answers the bridge's offer (ICE, DTLS-SRTP, Opus toward the
# libwebrtc "JVB") and bridges the phone's codec to it; once per codec: PCMU, PCMA, G722, Opus.
#   - 180 then 200 only once the bridge leg is up
#   - the phone hears both web participants (440 and 660 Hz, mixed) with no gap over 60 ms
#   - the bridge hears the phone's 1000 Hz on our SSRC (the stand-in's verdict)
#   - the phone hangs up: we leave the room (session-terminate, unavailable), no occupant is left
#   - /about/stats counts the call, its conference and participants while it runs, none after
#   - drain: SIGTERM with a call up refuses a new INVITE (503), waits for the call, then exits 0
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
start_prosody
start_standin --tones 440,660 --spare 880 --expect 1000
start_jigasi <<JSON
{ "log": { "subsystems": { "xmpp": "info" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN" } ] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 32000, "max_port": 32999 } }
JSON
sip_probe 5060 5
port=15062
n=0
for codec in pcmu pcma G722/16000/1 opus/48000/2; do
    name=$(echo "${codec%%/*}" | tr 'A-Z' 'a-z')
    port=$((port + 2))
    n=$((n + 1))
    start_baresip "phone-$name" "phone-$name" "$port" --registrar none --tone 1000 --codecs "$codec" --answermode manual
    t0=$(elapsed_ms)
    baresip_cmd "phone-$name" dial "sip:room$n@127.0.0.1:5060" > /dev/null || fail "phone-$name: dial refused"
    baresip_wait_event "phone-$name" CALL_ESTABLISHED 10
    note "$codec: answered after $(($(elapsed_ms) - t0)) ms"
    stats=$(jigasi_get /about/stats)
    jq -e '.conferences == 1 and .participants == 1 and .total_participants == '$n <<< "$stats" > /dev/null \
        || fail "/about/stats during the call: $(jq -c '{conferences, participants, total_participants}' <<< "$stats")"
    sleep 4
    baresip_cmd "phone-$name" hangup > /dev/null
    baresip_wait_event "phone-$name" CALL_CLOSED 5
    audio_check "phone-$name (heard the conference)" "$(baresip_recording "phone-$name" dec)" \
        --expect 440,660 --absent 1000 --skip-ms 1000 --max-gap-ms 60 --min-seconds 2
    stop "phone-$name"
    # The call left the room: the stand-in's room has no occupant but the focus.
    standin_wait 5 "room$n to be left after the hang-up" \
        "(.rooms[\"room$n@conference.meet.test\"] // [\"none yet\"]) | map(select(. != \"focus\")) | length == 0"
    note "$codec: the phone heard 440 + 660 Hz"
done
jigasi_log_has 'answered 200' || fail "no call was answered"
stats=$(jigasi_get /about/stats)
jq -e '.conferences == 0 and .participants == 0 and .total_participants == 4 and .total_conference_seconds >= 12' <<< "$stats" > /dev/null \
    || fail "/about/stats after the calls: $(jq -c . <<< "$stats")"
check_verdict

# --- drain: a call in progress finishes, a new one is refused ---
start_baresip phone-drain phone-drain 15080 --registrar none --tone 1000 --codecs pcmu --answermode manual
start_baresip phone-late phone-late 15082 --registrar none --tone 1000 --codecs pcmu --answermode manual
baresip_cmd phone-drain dial "sip:room9@127.0.0.1:5060" > /dev/null || fail "phone-drain: dial refused"
baresip_wait_event phone-drain CALL_ESTABLISHED 10
kill -TERM "${E2E_PIDS[jigasi]}"
wait_until 5 "jigasi-ng to announce the drain" jigasi_log_has 'shutting down \(SIGTERM\)'
baresip_cmd phone-late dial "sip:room9@127.0.0.1:5060" > /dev/null || fail "phone-late: dial refused"
baresip_wait_event phone-late CALL_CLOSED 5
grep -q "503" "$E2E_OUT/phone-late/events" || grep -q "503" "$E2E_OUT/phone-late.log" \
    || fail "the INVITE during the drain was not refused with 503 (see phone-late/events)"
sleep 1
alive jigasi || fail "jigasi-ng exited with a call still up (it should drain)"
baresip_cmd phone-drain hangup > /dev/null
wait_exit jigasi 10 || fail "jigasi-ng did not exit 0 after the drain"
note "drain: the late INVITE got 503, the process exited once the call ended"
