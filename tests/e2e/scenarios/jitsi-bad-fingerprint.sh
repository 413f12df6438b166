# Negative test: the participant signals a DTLS fingerprint that is not its certificate's. ICE
# connects, the DTLS handshake must fail, and this scenario must FAIL with a message naming the
# fingerprint (wired as an expected failure: tests/e2e/expect-fail jitsi-bad-fingerprint 'fingerprint').
source "$E2E_DIR/jitsi/bench.sh"
start_prosody
start_standin "$@"   # e.g. --bridge werift
spawn participant node "$JITSI_DIR/participant.js" --room room1@conference.meet.test --mode full \
    --bad-fingerprint --seconds 3 --report "$E2E_OUT/participant-report.json"
wait_exit participant 20 || note "participant reported problems (checked below)"
check_verdict "$E2E_OUT/participant-report.json"
