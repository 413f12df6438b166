# Helpers of the IVR scenarios (jigasi-ivr, jigasi-ivr-waiting): meeting IDs from jigasi-ng's
# mapper, dialling baresip phones that the IVR answers at once, and whether a phone heard speech
# (lib/speech.js on baresip's recording of what it received). Needs MUC, J and the bench/sip helpers.
state() { curl -sf "http://127.0.0.1:$STANDIN_PORT/state"; }
# meeting_id ROOM: the conference mapper's ID for ROOM@muc (what Jitsi Meet shows as the PIN)
meeting_id() {
    local a
    a=$(jigasi_get "/conferenceMapper?conference=$1@$MUC") || fail "the conference mapper did not answer for $1"
    jq -e '.id | type == "number"' <<< "$a" > /dev/null || fail "the conference mapper's answer for $1 has no id: $a"
    jq -r .id <<< "$a"
}
# speech NAME LAST_MS: the last LAST_MS ms of what phone NAME has heard so far are speech-like
speech() { node "$E2E_DIR/lib/speech.js" check "$(baresip_recording "$1" dec)" --last-ms "$2"; }
# heard_speech WHO NAME LAST_MS: as speech, failing with what was heard instead
heard_speech() {
    local out
    SPEECH_N=$((${SPEECH_N:-0} + 1))
    out=$(speech "$2" "$3" 2>&1 > "$E2E_OUT/$2/speech-$SPEECH_N.json") || fail "$1: $out"
    note "$1: speech heard ($(jq -c '{rmsDbfs, activeShare, modulation, toneShare}' "$E2E_OUT/$2/speech-$SPEECH_N.json"))"
}
# wait_speech SECS WHO NAME: wait until phone NAME hears speech (its last second is speech-like)
wait_speech() { wait_until "$1" "$2" speech "$3" 1000; note "$2: heard"; }
closed_count() { grep -c '"type": "CALL_CLOSED"' "$E2E_OUT/$1/events" || true; }
closed_param() { grep '"type": "CALL_CLOSED"' "$E2E_OUT/$1/events" | tail -n 1 | jq -r .param; }
# dial NAME URI: dial and wait for the 200 (the IVR answers at once, before any key)
dial() {
    local t0
    t0=$(elapsed_ms)
    baresip_cmd "$1" dial "$2" > /dev/null || fail "$1: dial refused"
    baresip_wait_event "$1" CALL_ESTABLISHED 5
    DIAL_ANSWERED=$(elapsed_ms)
    note "$1: $2 answered after $((DIAL_ANSWERED - t0)) ms"
}
room_size() { state | jq --arg r "$1@$MUC" '(.rooms[$r] // []) | length'; }
# closed_at_least NAME N: phone NAME has seen N calls close (for wait_until, which runs its
# command again each time: a "$(...)" in its arguments would be evaluated only once)
closed_at_least() { [ "$(closed_count "$1")" -ge "$2" ]; }
