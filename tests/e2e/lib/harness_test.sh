#!/bin/bash
# Self-test of the scenario runner: a passing scenario passes; a scenario that overruns its limit
# fails with a message saying so, on time; and no process it started (one ignoring SIGTERM, one
# that detached into its own session, one blocking in the foreground) is alive afterwards.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${E2E_OUT_ROOT:-$PWD/e2e-out}
problems=0
check() { if eval "$2"; then echo "ok: $1"; else echo "NOT OK: $1"; problems=$((problems + 1)); fi; }

"$here/run" --out "$out/bench-prosody" bench-prosody
check "bench-prosody passes" "[ $? -eq 0 ]"

marker=$$-$RANDOM
t0=$(date +%s)
"$here/run" --timeout 3 --out "$out/bench-harness-timeout" bench-harness-timeout "$marker"
rc=$?
secs=$(($(date +%s) - t0))
check "an overrunning scenario fails" "[ $rc -ne 0 ]"
check "its failure says the limit was exceeded" "grep -q 'exceeded its limit of 3 s' '$out/bench-harness-timeout/failure'"
check "it ends within 10 s of its 3 s limit (took $secs s)" "[ $secs -le 13 ]"
check "no process of it survives" "! pgrep -f -- '-$marker' > /dev/null"
pgrep -af -- "-$marker" || true
exit $((problems > 0))
