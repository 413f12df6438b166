# Outgoing INVITEs (issue 4 item 5), through POST /api/v1/sip/echo-calls: jigasi-ng calls out and
# echoes what the callee sends.
#   direct      SIPp uas_tone.xml by URI: 180, 200, the tone it streams comes back (RTP relayed)
#   registrar   baresip alice registered on jigasi-ng's registrar is called and hears her own tone
#   account     through the upstream account at kamailio, which challenges the INVITE (407): bob,
#               registered at kamailio, is called and hears his own tone
#   busy        SIPp uas_busy.xml: 180, then 486 -> HTTP 502 with status 486
#   no answer   carol (manual answer) rings; after ring_timeout_s jigasi-ng CANCELs -> HTTP 504,
#               carol's phone stops ringing
#   refused     no token / wrong token (401), unknown user or account (404), bad JSON, header
#               injection in "to", out-of-range numbers (400); the API off without a token (403,
#               checked on a second instance)
source "$E2E_DIR/sip/sip.sh"
TOKEN=e2e-token-0123456789abcdef
start_kamailio --auth --auth-invite
start_jigasi <<JSON
{ "xmpp": { "servers": [] }, "log": { "subsystems": { "sip": "debug" } },
  "http": { "api_token": "$TOKEN" },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ],
           "registrar": { "users": [ { "user": "alice", "password": "alicepass" },
                                     { "user": "carol", "password": "carolpass" } ] },
           "accounts": [ { "id": "kam", "user": "jigasi", "password": "jigasipass", "domain": "sip.test",
                           "registrar": "sip:127.0.0.1:15060" } ] },
  "media": { "min_port": 40000, "max_port": 40999 } }
JSON
sip_probe 5060 5

# api BODY [TOKEN]: POST the echo call; prints "<http status> <json body>"
api() {
    curl -s -o "$E2E_OUT/api.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        ${2:+-H "Authorization: Bearer $2"} --data-binary "$1" "http://127.0.0.1:$JIGASI_HTTP/api/v1/sip/echo-calls"
    printf ' %s' "$(cat "$E2E_OUT/api.body")"
}
# expect WHAT HTTP_STATUS JQ_FILTER BODY [TOKEN]: the answer has that status and the filter holds
expect() {
    local what=$1 code=$2 filter=$3 out
    out=$(api "$4" "${5-$TOKEN}")
    [ "${out%% *}" = "$code" ] || fail "$what: expected HTTP $code, got: $out"
    jq -e "$filter" <<< "${out#* }" > /dev/null || fail "$what: answer does not satisfy $filter: $out"
    note "$what: $out"
}

note "direct: SIPp UAS by URI"
sipp_spawn uas uas_tone.xml 15072 -m 1 -key media_sink 15900
expect "direct call to SIPp" 200 '.answered and .status == 200 and .codec == "PCMU" and .ringing_ms >= 0 and .answer_ms >= .ringing_ms' \
    '{"to": "sip:svc@127.0.0.1:15072", "max_duration_s": 3}'
sipp_wait uas 10
wait_until 5 "the relay of the direct call to end" jigasi_log_has 'echo-1 side=sip dir=out\]: echo relay ends after [1-9][0-9]+ packets'

note "registrar: alice registered on jigasi-ng"
start_baresip alice alice 15062 --registrar 127.0.0.1:5060 --password alicepass --tone 440
start_baresip carol carol 15064 --registrar 127.0.0.1:5060 --password carolpass --answermode manual
baresip_wait_registered alice
baresip_wait_registered carol
expect "call to registered alice" 200 '.answered and .codec == "PCMU"' '{"to": "alice", "via": "registrar", "max_duration_s": 4}'
baresip_wait_event alice CALL_CLOSED 8  # jigasi-ng hangs up after max_duration_s
audio_check "alice (heard the echo)" "$(baresip_recording alice dec)" --expect 440 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1

note "account: bob at kamailio, INVITE challenged with 407"
start_baresip bob bob 15066 --tone 660
baresip_wait_registered bob
expect "call to bob through account kam" 200 '.answered' '{"to": "bob", "via": "kam", "max_duration_s": 4}'
grep -q 'CHALLENGE 407 INVITE from sip:jigasi@sip.test' "$E2E_OUT/kamailio.log" || fail "kamailio did not challenge jigasi-ng's INVITE"
baresip_wait_event bob CALL_CLOSED 8
audio_check "bob (heard the echo)" "$(baresip_recording bob dec)" --expect 660 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1

note "busy and no answer"
sipp_spawn busy uas_busy.xml 15074 -m 1
expect "busy callee" 502 '(.answered | not) and .status == 486 and .ringing_ms >= 0' '{"to": "sip:svc@127.0.0.1:15074"}'
sipp_wait busy 10
expect "carol does not answer" 504 '(.answered | not) and (.reason | test("no answer within 2 s"))' \
    '{"to": "carol", "via": "registrar", "ring_timeout_s": 2}'
baresip_wait_event carol CALL_CLOSED 5
grep -q '"type": "CALL_INCOMING"' "$E2E_OUT/carol/events" || fail "carol's phone never rang"

note "refused requests"
expect "no token" 401 '.error | test("Bearer")' '{"to": "alice", "via": "registrar"}' ""
expect "wrong token" 401 '.error == "wrong token"' '{"to": "alice", "via": "registrar"}' "x$TOKEN"
expect "unregistered user" 404 '.error == "dave is not registered"' '{"to": "dave", "via": "registrar"}'
expect "unknown account" 404 '.error | test("no account nope")' '{"to": "123", "via": "nope"}'
expect "not JSON" 400 '.error | test("JSON object")' '{"to": '
expect "number without via" 400 '.error | test("sip: URI")' '{"to": "123"}'
expect "header injection" 400 '.error | test("not a usable SIP URI")' '{"to": "sip:a@b\r\nX-Evil: 1"}'
expect "ring timeout out of range" 400 '.error | test("ring_timeout_s")' '{"to": "sip:a@127.0.0.1", "ring_timeout_s": 0}'
expect "unknown member" 400 '.error == "unknown member: tos"' '{"to": "sip:a@127.0.0.1", "tos": 1}'
jigasi_get /about/health > /dev/null || fail "jigasi-ng unhealthy after the dial-out tests"
alive jigasi || fail "jigasi-ng exited"
