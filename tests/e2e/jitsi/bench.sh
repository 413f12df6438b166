# Helpers for the jitsi-* scenarios (sourced by them, inside the scenario namespace).
#
#   start_standin [ARGS...]       Prosody must run; starts jitsi/standin.js, waits for READY
#   standin METHOD PATH [JSON]    calls the control API, prints the JSON answer (also appended to
#                                 control.log); fails the scenario unless HTTP 200
#   standin_wait SECS DESC JQ     polls GET /state until the jq filter JQ is true
#   check_verdict REPORT...       POST /verdict, then jitsi/check.js; fails with its first problem
STANDIN_PORT=5900
JITSI_DIR="$E2E_DIR/jitsi"

start_standin() {
    spawn standin node "$JITSI_DIR/standin.js" --port "$STANDIN_PORT" --out "$E2E_OUT" \
        --service "xmpp://127.0.0.1:$PROSODY_C2S" --component-service "xmpp://127.0.0.1:$PROSODY_COMPONENT" \
        --password "$FOCUS_PASSWORD" --secret "$FOCUS_COMPONENT_SECRET" "$@"
    wait_until 10 "the stand-in to log in and listen (see standin.log)" grep -q READY "$E2E_OUT/standin.log"
}

standin() {
    local out code
    out=$(curl -sS -w '\n%{http_code}' -X "$1" "http://127.0.0.1:$STANDIN_PORT$2" \
        -H 'Content-Type: application/json' ${3:+-d "$3"} 2>&1) || fail "stand-in control API unreachable ($1 $2): $out"
    code=${out##*$'\n'}
    out=${out%$'\n'*}
    echo "$1 $2 ${3:-} -> $code $out" >> "$E2E_OUT/control.log"
    [ "$code" = 200 ] || fail "stand-in could not do $1 $2 ${3:-} (HTTP $code): $out"
    echo "$out"
}

standin_wait() {
    local secs=$1 desc=$2 filter=$3
    wait_until "$secs" "$desc" sh -c "curl -sf http://127.0.0.1:$STANDIN_PORT/state | jq -e '$filter'"
}

check_verdict() {
    standin POST /verdict > /dev/null
    node "$JITSI_DIR/check.js" "$E2E_OUT/verdict.json" "$@" > "$E2E_OUT/check.txt" 2>&1 || fail "$(tail -n 1 "$E2E_OUT/check.txt")"
    sed 's/^/    /' "$E2E_OUT/check.txt"
}
