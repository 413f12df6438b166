# Like jitsi-audio, but the answers are trickled, in two rooms at once: one participant sends its
# candidates in transport-info before a candidate-less session-accept (what Jigasi does), the
# other after it. Both directions must carry the tones, without gaps over 60 ms.
source "$E2E_DIR/jitsi/bench.sh"
start_prosody
start_standin "$@"   # e.g. --bridge werift
spawn early node "$JITSI_DIR/participant.js" --room early@conference.meet.test --mode trickle \
    --expect 440,660 --seconds 3 --report "$E2E_OUT/early-report.json"
spawn late node "$JITSI_DIR/participant.js" --room late@conference.meet.test --mode trickle-late \
    --expect 440,660 --seconds 3 --report "$E2E_OUT/late-report.json"
wait_exit early 20 || note "participant 'early' reported problems (checked below)"
wait_exit late 20 || note "participant 'late' reported problems (checked below)"
check_verdict "$E2E_OUT/early-report.json" "$E2E_OUT/late-report.json"
# The stand-in must have seen the transport-info on the intended side of session-accept.
jq -e '[.sessions[] | select(.room | startswith("early")) | .timings.transportInfo[] | select(.beforeAccept and .candidates > 0)] | length > 0' \
    "$E2E_OUT/verdict.json" > /dev/null || fail "stand-in saw no transport-info with candidates before session-accept from 'early'"
jq -e '[.sessions[] | select(.room | startswith("late")) | .timings.transportInfo[] | select((.beforeAccept | not) and .candidates > 0)] | length > 0' \
    "$E2E_OUT/verdict.json" > /dev/null || fail "stand-in saw no transport-info with candidates after session-accept from 'late'"
