# Stand-in (Jicofo + JVB) and one libwebrtc participant that puts everything in session-accept:
# audio both ways. The participant must hear 440 and 660 Hz on two separate SSRCs, the bridge
# must hear 1000 Hz, no gap over 60 ms after the first second.
source "$E2E_DIR/jitsi/bench.sh"
start_prosody
start_standin "$@"   # e.g. tests/e2e/run jitsi-audio --bridge werift
spawn participant node "$JITSI_DIR/participant.js" --room room1@conference.meet.test --mode full \
    --expect 440,660 --seconds 3 --report "$E2E_OUT/participant-report.json"
wait_exit participant 20 || note "participant reported problems (checked below)"
check_verdict "$E2E_OUT/participant-report.json"
