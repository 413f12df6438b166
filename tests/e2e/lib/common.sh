# Shared helpers for e2e scenarios; sourced by lib/enter.sh inside the scenario's namespaces.
#
# Variables: E2E_DIR (tests/e2e), E2E_OUT (this scenario's artifact folder, empty at start),
# E2E_SCENARIO, E2E_LIMIT (seconds). Node scripts find the pinned packages in $E2E_DIR/node_modules.
#
#   spawn NAME CMD [ARGS...]   start CMD in the background, stdout+stderr to $E2E_OUT/NAME.log, record its
#                              PID; sets SPAWNED_PID. Started peers are stopped in reverse order at the end.
#   stop NAME                  SIGTERM, then SIGKILL (with its children) after 3 s; reaps it. Idempotent.
#   alive NAME                 true while NAME runs
#   wait_exit NAME SECS        wait for NAME to exit by itself; returns its exit status (fails on time-out)
#   wait_tcp PORT [SECS]       wait until 127.0.0.1:PORT accepts (default 10 s)
#   wait_until SECS DESC CMD.. poll CMD every 50 ms until it succeeds, else fail "timed out waiting for DESC"
#   deadline_in SECS / before DEADLINE (SECS: whole seconds)
#                              wall-clock bounds for polling loops (all waits here count time, not
#                              tries: a slow probe on a loaded machine must not stretch 10 s into 40)
#   fail MESSAGE               end the scenario as failed; MESSAGE says what broke
#   note MESSAGE               progress line with a timestamp
#   elapsed_ms                 milliseconds since the scenario started

export NODE_PATH="$E2E_DIR/node_modules${NODE_PATH:+:$NODE_PATH}"
declare -a E2E_NAMES=()
declare -A E2E_PIDS=()
E2E_T0=$(date +%s%N)
E2E_DONE=

elapsed_ms() { echo $((($(date +%s%N) - E2E_T0) / 1000000)); }
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }  # whatever the locale's decimal point
deadline_in() { echo $(($(now_us) + $1 * 1000000)); }
before() { [ "$(now_us)" -lt "$1" ]; }
# descendants PID: every process below PID (kamailio's workers, a shell's children), deepest last
descendants() {
    local c
    for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}
note() { printf '%6d ms  %s\n' "$(elapsed_ms)" "$*"; }

fail() {
    local msg="$*"
    # Only the first failure counts: later ones are usually consequences of it.
    [ -s "$E2E_OUT/failure" ] || printf '%s\n' "$msg" > "$E2E_OUT/failure"
    note "FAIL: $msg"
    exit 1
}

spawn() {
    local name=$1
    shift
    [ -z "${E2E_PIDS[$name]:-}" ] || fail "bench bug: peer name '$name' used twice"
    "$@" > "$E2E_OUT/$name.log" 2>&1 < /dev/null &
    SPAWNED_PID=$!
    E2E_PIDS[$name]=$SPAWNED_PID
    E2E_NAMES+=("$name")
    echo "$name $SPAWNED_PID" >> "$E2E_OUT/pids"
    note "started $name (pid $SPAWNED_PID): $*"
}

alive() { local p=${E2E_PIDS[$1]:-}; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

stop() {
    local name=$1 pid=${E2E_PIDS[$1]:-} end kids
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        end=$(deadline_in 3)
        while kill -0 "$pid" 2>/dev/null && before "$end"; do sleep 0.05; done
        if kill -0 "$pid" 2>/dev/null; then
            # Its children too: orphaned workers of a killed kamailio kept its port and answered nothing.
            kids=$(descendants "$pid" | paste -sd' ')
            note "$name (pid $pid) ignored SIGTERM for 3 s; killing it${kids:+ and its children $kids}"
            # shellcheck disable=SC2086 # one pid per word
            kill -KILL "$pid" $kids 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    E2E_PIDS[$name]=
}

wait_exit() {
    local name=$1 secs=$2 pid=${E2E_PIDS[$1]:-} end rc
    [ -n "$pid" ] || fail "bench bug: wait_exit on unknown peer $name"
    end=$(deadline_in "$secs")
    while kill -0 "$pid" 2>/dev/null && before "$end"; do sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && fail "$name did not finish within $secs s (see $name.log)"
    rc=0
    wait "$pid" || rc=$?
    E2E_PIDS[$name]=
    return $rc
}

wait_tcp() {
    local port=$1 secs=${2:-10} end
    end=$(deadline_in "$secs")
    while before "$end"; do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.02
    done
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    fail "nothing accepted TCP connections on 127.0.0.1:$port within $secs s"
}

wait_until() {
    local secs=$1 desc=$2 end
    shift 2
    end=$(deadline_in "$secs")
    while before "$end"; do
        "$@" > /dev/null 2>&1 && return 0
        sleep 0.05
    done
    "$@" > /dev/null 2>&1 && return 0  # one last try: the deadline may have passed during a slow one
    fail "timed out after $secs s waiting for $desc"
}

# Stops every peer (reverse start order, so phones leave before their registrar), then checks that
# none survived. Runs on every exit path.
e2e_cleanup() {
    local rc=$? i name pid leaked=
    trap - EXIT TERM INT
    set +e  # cleanup must run to the end whatever fails in it
    [ -n "${E2E_WATCHDOG:-}" ] && kill "$E2E_WATCHDOG" 2>/dev/null
    for ((i = ${#E2E_NAMES[@]} - 1; i >= 0; i--)); do stop "${E2E_NAMES[$i]}"; done
    while read -r name pid; do
        kill -0 "$pid" 2>/dev/null && leaked+=" $name($pid)"
    done < <(cat "$E2E_OUT/pids" 2>/dev/null)
    if [ -n "$leaked" ]; then
        [ -s "$E2E_OUT/failure" ] || echo "processes still alive after the scenario:$leaked" > "$E2E_OUT/failure"
        rc=1
    fi
    if [ $rc -eq 0 ] && [ -z "$E2E_DONE" ]; then rc=1; fi
    if [ $rc -ne 0 ] && [ ! -s "$E2E_OUT/failure" ]; then
        echo "scenario stopped with status $rc at $(elapsed_ms) ms without saying why" > "$E2E_OUT/failure"
    fi
    exit $rc
}

e2e_timeout() {
    [ -s "$E2E_OUT/failure" ] || echo "scenario exceeded its limit of $E2E_LIMIT s" > "$E2E_OUT/failure"
    note "time limit of $E2E_LIMIT s reached"
    exit 1
}

e2e_arm() {
    trap e2e_cleanup EXIT
    trap e2e_timeout TERM INT
    local self=$$
    # TERM to the scenario shell runs e2e_timeout once its foreground command returns; ending that
    # command (any direct child) a moment later makes sure it does return.
    (sleep "$E2E_LIMIT"; kill -TERM "$self"; sleep 1; pkill -TERM -P "$self") > /dev/null 2>&1 &
    E2E_WATCHDOG=$!
    : > "$E2E_OUT/pids"
    note "scenario $E2E_SCENARIO, limit $E2E_LIMIT s, artifacts in $E2E_OUT"
}

e2e_pass() { E2E_DONE=1; note "scenario passed"; }

source "$E2E_DIR/lib/prosody.sh"
source "$E2E_DIR/lib/jigasi.sh"
