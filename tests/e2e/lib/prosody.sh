# Prosody configured like a docker-jitsi-meet deployment (sourced by common.sh).
#
#   start_prosody [NAME]   fresh config and data under $E2E_OUT/NAME (default prosody), accounts
#                          focus/jigasi registered, started in the foreground mode, waits for its ports.
#
# Hosts: meet.test (anonymous), auth.meet.test (SCRAM accounts focus, jigasi), conference.meet.test
# (MUC), internal.auth.meet.test (MUC with the jigasibrewery room, only auth.meet.test users),
# focus.meet.test and callcontrol.meet.test (XEP-0114 components). Ports are the standard ones; every
# scenario has its own network namespace. Secrets and passwords below are what peers must use.
PROSODY_C2S=5222
PROSODY_COMPONENT=5347
PROSODY_HTTP=5280
PROSODY_DOMAIN=meet.test
FOCUS_PASSWORD=focuspass
JIGASI_PASSWORD=jigasipass
FOCUS_COMPONENT_SECRET=focussecret
CALLCONTROL_SECRET=callcontrolsecret
BREWERY_JID=jigasibrewery@internal.auth.meet.test

start_prosody() {
    local name=${1:-prosody}
    local dir="$E2E_OUT/$name"
    mkdir -p "$dir/data" "$dir/certs"
    sed -e "s|@DIR@|$dir|g" -e "s|@C2S@|$PROSODY_C2S|g" -e "s|@COMPONENT@|$PROSODY_COMPONENT|g" \
        -e "s|@HTTP@|$PROSODY_HTTP|g" -e "s|@FOCUS_SECRET@|$FOCUS_COMPONENT_SECRET|g" \
        -e "s|@CALLCONTROL_SECRET@|$CALLCONTROL_SECRET|g" \
        "$E2E_DIR/prosody/prosody.cfg.lua.in" > "$dir/prosody.cfg.lua"
    prosodyctl --config "$dir/prosody.cfg.lua" register focus auth.meet.test "$FOCUS_PASSWORD" \
        > "$dir/register.log" 2>&1 || fail "prosodyctl could not register focus (see $name/register.log)"
    prosodyctl --config "$dir/prosody.cfg.lua" register jigasi auth.meet.test "$JIGASI_PASSWORD" \
        >> "$dir/register.log" 2>&1 || fail "prosodyctl could not register jigasi (see $name/register.log)"
    spawn "$name" prosody --config "$dir/prosody.cfg.lua" -F
    wait_tcp "$PROSODY_C2S" 10
    wait_tcp "$PROSODY_COMPONENT" 10
    wait_tcp "$PROSODY_HTTP" 10
    alive "$name" || fail "prosody exited at start (see $name.log and $name/prosody.log)"
    note "prosody ready"
}
