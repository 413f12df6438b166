# Prosody configured like a docker-jitsi-meet deployment (sourced by common.sh).
#
#   start_prosody [--tls] [NAME]  fresh config and data under $E2E_OUT/NAME (default prosody), accounts
#                          focus/jigasi registered, started in the foreground mode, waits for its ports.
#                          --tls: c2s requires STARTTLS with a self-signed certificate for meet.test
#                          and auth.meet.test; PROSODY_CA names the PEM file to trust. HTTPS (so
#                          wss://127.0.0.1:$PROSODY_HTTPS/xmpp-websocket) with the same certificate,
#                          which also names IP 127.0.0.1 (there is no DNS in the bench).
#
# Hosts: meet.test (anonymous), auth.meet.test (SCRAM accounts focus, jigasi), conference.meet.test
# (MUC, with the lobby of jitsi-protocol.md §3.5 from prosody/mod_bench_lobby.lua), lobby.meet.test
# (MUC of the lobby rooms), internal.auth.meet.test (MUC with the jigasibrewery room, only
# auth.meet.test users), focus.meet.test and callcontrol.meet.test (XEP-0114 components). Ports are
# the standard ones; every scenario has its own network namespace. Secrets and passwords below are
# what peers must use.
PROSODY_C2S=5222
PROSODY_COMPONENT=5347
PROSODY_HTTP=5280
PROSODY_HTTPS=5281
PROSODY_DOMAIN=meet.test
FOCUS_PASSWORD=focuspass
JIGASI_PASSWORD=jigasipass
FOCUS_COMPONENT_SECRET=focussecret
CALLCONTROL_SECRET=callcontrolsecret
BREWERY_JID=jigasibrewery@internal.auth.meet.test

start_prosody() {
    local tls=""
    if [ "${1:-}" = --tls ]; then tls=1; shift; fi
    local name=${1:-prosody}
    local dir="$E2E_OUT/$name"
    mkdir -p "$dir/data" "$dir/certs"
    sed -e "s|@DIR@|$dir|g" -e "s|@PLUGINS@|$E2E_DIR/prosody|g" -e "s|@C2S@|$PROSODY_C2S|g" \
        -e "s|@COMPONENT@|$PROSODY_COMPONENT|g" -e "s|@HTTP@|$PROSODY_HTTP|g" \
        -e "s|@FOCUS_SECRET@|$FOCUS_COMPONENT_SECRET|g" -e "s|@CALLCONTROL_SECRET@|$CALLCONTROL_SECRET|g" \
        "$E2E_DIR/prosody/prosody.cfg.lua.in" > "$dir/prosody.cfg.lua"
    if [ -n "$tls" ]; then
        # One self-signed certificate for every host (Prosody finds certs/<host>.crt and .key);
        # clients trust it through $dir/certs/ca.pem. c2s then requires STARTTLS.
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$PROSODY_DOMAIN" \
            -addext "subjectAltName=DNS:$PROSODY_DOMAIN,DNS:auth.$PROSODY_DOMAIN,IP:127.0.0.1" \
            -keyout "$dir/certs/key.pem" -out "$dir/certs/ca.pem" > "$dir/openssl.log" 2>&1 \
            || fail "openssl could not make the Prosody certificate (see $name/openssl.log)"
        local h
        for h in "$PROSODY_DOMAIN" "auth.$PROSODY_DOMAIN"; do
            cp "$dir/certs/ca.pem" "$dir/certs/$h.crt"
            cp "$dir/certs/key.pem" "$dir/certs/$h.key"
        done
        sed -i -e 's/^modules_disabled = { "s2s"; "tls";/modules_disabled = { "s2s";/' \
            -e 's/^  "roster"; "saslauth";/  "roster"; "tls"; "saslauth";/' \
            -e 's/^c2s_require_encryption = false/c2s_require_encryption = true/' \
            -e "s|^https_ports = { }|https_ports = { $PROSODY_HTTPS }\\nhttps_ssl = { certificate = \"$dir/certs/ca.pem\"; key = \"$dir/certs/key.pem\" }|" \
            "$dir/prosody.cfg.lua"
        PROSODY_CA="$dir/certs/ca.pem"
    fi
    prosodyctl --config "$dir/prosody.cfg.lua" register focus auth.meet.test "$FOCUS_PASSWORD" \
        > "$dir/register.log" 2>&1 || fail "prosodyctl could not register focus (see $name/register.log)"
    prosodyctl --config "$dir/prosody.cfg.lua" register jigasi auth.meet.test "$JIGASI_PASSWORD" \
        >> "$dir/register.log" 2>&1 || fail "prosodyctl could not register jigasi (see $name/register.log)"
    spawn "$name" prosody --config "$dir/prosody.cfg.lua" -F
    wait_tcp "$PROSODY_C2S" 10
    wait_tcp "$PROSODY_COMPONENT" 10
    wait_tcp "$PROSODY_HTTP" 10
    [ -z "$tls" ] || wait_tcp "$PROSODY_HTTPS" 10
    alive "$name" || fail "prosody exited at start (see $name.log and $name/prosody.log)"
    note "prosody ready"
}
