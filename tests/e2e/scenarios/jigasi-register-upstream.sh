# jigasi-ng registers upstream at kamailio with digest auth (issue 4 item 3), a phone reaches it
# through that binding, and it re-registers after kamailio restarts; a second account with a wrong
# password stays down with "credentials refused" and keeps retrying with backoff.
source "$E2E_DIR/sip/sip.sh"

# health STATE ACCOUNT [DETAIL-REGEX]: /about/health lists sip.account.ACCOUNT in STATE
health() {
    jigasi_get /about/health | jq -e --arg n "sip.account.$2" --arg s "$1" --arg d "${3:-}" \
        '.subsystems[$n] | select(.state == $s and .critical == false and (.detail | test($d)))' > /dev/null
}
# kamailio_count LOG REGEX: lines of kamailio's LOG (kamailio, kamailio2) matching REGEX
kamailio_count() { grep -cE -- "$2" "$E2E_OUT/$1.log" || true; }
# kamailio_has LOG N REGEX: at least N such lines (for wait_until, which runs it again each time)
kamailio_has() { [ "$(kamailio_count "$1" "$3")" -ge "$2" ]; }
jigasi_regs() { kamailio_count "$1" 'REQ REGISTER sip:127.0.0.1:15060 from sip:jigasi@sip.test'; }

start_kamailio --auth
start_jigasi <<'JSON'
{ "xmpp": { "servers": [] },
  "log": { "subsystems": { "sip": "debug" } },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ],
           "accounts": [
             { "id": "trunk", "user": "jigasi", "password": "jigasipass", "domain": "sip.test",
               "registrar": "sip:127.0.0.1:15060", "expires_s": 60, "keepalive_s": 2 },
             { "id": "badpass", "user": "carol", "password": "not-carols", "domain": "sip.test",
               "registrar": "sip:127.0.0.1:15060", "expires_s": 60, "keepalive_s": 2 } ] } }
JSON

# 1. Digest registration: challenged (REGISTER without credentials, 401), then accepted.
wait_until 5 "sip.account.trunk up in /about/health" health up trunk '^registered at sip:127.0.0.1:15060, expires in 60 s$'
[ "$(jigasi_regs kamailio)" -ge 2 ] || fail "kamailio saw fewer than 2 REGISTERs from jigasi (challenge + credentials)"
jigasi_log_has 'account trunk\]: REGISTER sent \(Expires: 60, Contact: <sip:jigasi@127.0.0.1:5060>\)' \
    || fail "jigasi-ng sent no first REGISTER (without credentials, Contact <sip:jigasi@127.0.0.1:5060>)"
jigasi_log_has 'account trunk\]: REGISTER sent \(Expires: 60, Contact: <sip:jigasi@127.0.0.1:5060>, with credentials\)' \
    || fail "jigasi-ng did not answer kamailio's digest challenge"
note "trunk registered at kamailio"

# 2. The binding works: a phone registered at kamailio calls jigasi, kamailio forwards to jigasi-ng.
start_baresip alice alice 15062 --answermode manual
baresip_wait_registered alice
baresip_cmd alice dial sip:jigasi@127.0.0.1:15060 > /dev/null || fail "alice: dial refused"
wait_until 5 "jigasi-ng to receive alice's INVITE via kamailio" jigasi_log_has 'INVITE for jigasi from udp:127.0.0.1:15060'
stop alice-ctl
stop alice
note "INVITE reached jigasi-ng through its binding"

# 3. Wrong password: down with the reason, retried with backoff (2 s, then about 4 s).
wait_until 5 "sip.account.badpass down with 'credentials refused'" health down badpass 'credentials refused.*retry in'
wait_until 8 "a second refused REGISTER of carol" kamailio_has kamailio 2 'AUTH FAILED for carol'
jigasi_get /metrics > "$E2E_OUT/metrics.txt"
grep -qx 'jigasi_ng_sip_registration_up{account="trunk"} 1' "$E2E_OUT/metrics.txt" || fail "metrics: trunk not up"
# From the saved file: `curl | grep -q` under pipefail fails when grep exits before curl is done.
grep -qx 'jigasi_ng_sip_registration_up{account="badpass"} 0' "$E2E_OUT/metrics.txt" || fail "metrics: badpass not down"
grep -qE '^jigasi_ng_sip_registration_failures_total\{account="badpass"\} [2-9]' "$E2E_OUT/metrics.txt" \
    || fail "metrics: badpass failures not counted"
jigasi_get /about/health | jq -e '.status == "healthy"' > /dev/null \
    || fail "a failing upstream account made the whole gateway unhealthy"

# 4. Kamailio restarts (its bindings are in memory: all gone). The OPTIONS keepalive notices the
#    outage within keepalive_s + its deadline, and jigasi-ng re-registers once kamailio is back.
before=$(jigasi_regs kamailio)
stop kamailio
t_down=$(elapsed_ms)
wait_until 8 "sip.account.trunk down after kamailio stopped" health down trunk 'registrar stopped answering'
note "trunk down $(($(elapsed_ms) - t_down)) ms after kamailio stopped"
sleep 1
udp_free() { [ -z "$(ss -Hlun 'sport = :15060')" ]; }
end=$(deadline_in 5)
while ! udp_free && before "$end"; do sleep 0.05; done
udp_free || fail "UDP port 15060 still held 5 s after kamailio stopped: $(ss -Hlunp 'sport = :15060' | tr -s ' ')"
spawn kamailio2 kamailio -f "$E2E_OUT/kamailio/kamailio.cfg" -DD -E -P "$E2E_OUT/kamailio/kamailio2.pid" \
    -Y "$E2E_OUT/kamailio" -m 64 -M 8 -A SIP_PORT=15060 -A AUTH
# Ends early if it exits (it did not start), so that the failure says so rather than time out.
answers_or_died() { ! alive kamailio2 || python3 "$SIP_DIR/sip_options.py" 127.0.0.1 15060 0.1; }
wait_until 10 "the restarted kamailio to answer OPTIONS on 15060" answers_or_died
alive kamailio2 || fail "the restarted kamailio exited: $(tail -n 3 "$E2E_OUT/kamailio2.log")"
t_up=$(elapsed_ms)
wait_until 12 "sip.account.trunk up again after kamailio restarted" health up trunk '^registered at'
note "trunk registered again $(($(elapsed_ms) - t_up)) ms after kamailio came back"
[ "$(jigasi_regs kamailio2)" -ge 2 ] || fail "the restarted kamailio saw no new challenged REGISTER from jigasi"
jigasi_log_has 'account trunk\]: registration down: registrar stopped answering' \
    || fail "jigasi-ng did not log the outage"
wait_until 10 "carol to be refused by the restarted kamailio too (retries go on)" \
    kamailio_has kamailio2 1 'AUTH FAILED for carol'
note "badpass: $(kamailio_count kamailio 'AUTH FAILED for carol') + $(kamailio_count kamailio2 'AUTH FAILED for carol') refused attempts"

# 5. Reload without the bad account (accounts are live): it stops, its health entry and metrics go;
#    the unchanged trunk keeps its registration.
jq 'del(.sip.accounts[1])' "$E2E_OUT/jigasi.json" > "$E2E_OUT/jigasi.json.new"
mv "$E2E_OUT/jigasi.json.new" "$E2E_OUT/jigasi.json"
kill -HUP "${E2E_PIDS[jigasi]}"
badpass_gone() { jigasi_get /about/health | jq -e '.subsystems | has("sip.account.badpass") | not' > /dev/null; }
wait_until 5 "sip.account.badpass to leave /about/health after the reload" badpass_gone
jigasi_log_has 'reload: sip.accounts changed \(applied now\)' || fail "the reload did not apply sip.accounts live"
jigasi_get /metrics > "$E2E_OUT/metrics-after.txt"
grep -q 'account="badpass"' "$E2E_OUT/metrics-after.txt" && fail "metrics still list the removed account badpass"
health up trunk '^registered at' || fail "the reload disturbed the unchanged trunk account"

# 6. Shutdown un-REGISTERs (Expires: 0) within the bounded wait.
stop jigasi
jigasi_log_has 'account trunk\]: unregistered' || fail "jigasi-ng did not un-REGISTER at shutdown"
[ "$(jigasi_regs kamailio2)" -ge 3 ] || fail "kamailio saw no un-REGISTER"
