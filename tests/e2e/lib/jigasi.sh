# jigasi-ng under test (sourced by common.sh).
#
#   start_jigasi [NAME] < CONFIG_JSON   write the config from stdin to $E2E_OUT/NAME.json, check it with
#                                       --check-config, start $JIGASI_BINARY with it and wait until its
#                                       HTTP API answers; NAME defaults to jigasi. Sets JIGASI_HTTP.
#   jigasi_get PATH [NAME]              GET http://127.0.0.1:<http port>PATH, prints the body
#   jigasi_log_has REGEX [NAME]         true if the log has a line matching REGEX
#   meet_and_sip_json                   the "xmpp" and "sip" keys of a jigasi-ng serving the bench's
#                                       Prosody (deployment "meet", MUC $MUC) on SIP UDP
#                                       127.0.0.1:5060: start_jigasi <<< "{ $(meet_and_sip_json), ... }"
#
# Keep the config's "http": {"port": ...} at 8788 (the default) unless two instances run. Logs go to
# $E2E_OUT/NAME.log. The binary comes from the build (JIGASI_BINARY, set by meson) or build-test/.
JIGASI_BINARY=${JIGASI_BINARY:-$E2E_DIR/../../build-test/jigasi-ng}
declare -A JIGASI_HTTP_PORT=()

start_jigasi() {
    local name=${1:-jigasi} cfg port
    cfg="$E2E_OUT/$name.json"
    cat > "$cfg"
    [ -x "$JIGASI_BINARY" ] || fail "no jigasi-ng binary at $JIGASI_BINARY (build first or set JIGASI_BINARY)"
    "$JIGASI_BINARY" --config "$cfg" --check-config > "$E2E_OUT/$name.check.log" 2>&1 \
        || fail "$name: configuration rejected: $(tail -n 3 "$E2E_OUT/$name.check.log" | tr '\n' ' ')"
    port=$(python3 -c 'import json,re,sys; t=re.sub(r"(?m)^\s*//.*$","",open(sys.argv[1]).read()); print(json.loads(t).get("http",{}).get("port",8788))' "$cfg")
    JIGASI_HTTP_PORT[$name]=$port
    JIGASI_HTTP=$port
    spawn "$name" "$JIGASI_BINARY" --config "$cfg"
    wait_until 10 "$name's HTTP API on port $port" curl -sf "http://127.0.0.1:$port/about/version"
    alive "$name" || fail "$name exited at start (see $name.log)"
    note "$name up (http $port)"
}

meet_and_sip_json() {
    printf '"xmpp": { "servers": [\n      { "id": "meet", "domain": "%s", "host": "127.0.0.1", "port": %s, "tls": "none",\n        "muc_domain": "%s" } ] },\n  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] }' \
        "$PROSODY_DOMAIN" "$PROSODY_C2S" "$MUC"
}

jigasi_get() {
    local path=$1 name=${2:-jigasi}
    curl -sf "http://127.0.0.1:${JIGASI_HTTP_PORT[$name]}$path"
}

jigasi_log_has() { grep -Eq -- "$1" "$E2E_OUT/${2:-jigasi}.log"; }
