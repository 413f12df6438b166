# The built-in conference mapper and numbers list (issue 8 item 3, jitsi-protocol.md §6.3), in the
# formats jitsi-meet's dialInConfCodeUrl and dialInNumbersUrl expect, kept across a restart.
#   - GET /conferenceMapper?conference=room@muc&url=...: {message, id (10 digits), conference};
#     the same ID again; another room gets another ID; CORS allows any origin
#   - GET /conferenceMapper?id=ID: the reverse; an unknown ID: 404 with "conference": false
#   - a conference on a MUC domain we do not serve: 404; no parameter or a non-numeric ID: 400
#   - GET /phoneNumberList: the configured numbers as [{countryCode, tollFree, formattedNumber, default}]
#   - after a restart the IDs are the same (dialin.ids_file)
#   - a burst of unknown IDs runs into 429 (the ID space cannot be walked)
MUC=conference.meet.test
config() {
    cat <<JSON
{ "xmpp": { "servers": [ { "id": "meet", "domain": "meet.test", "host": "127.0.0.1", "port": 5222, "tls": "none",
        "muc_domain": "$MUC" } ] },
  "sip": { "listen": [] },
  "dialin": { "ids_file": "$E2E_OUT/conference-ids.json",
              "numbers": [ { "country_code": "US", "number": "+1 555-123-4567", "default": true },
                           { "country_code": "GB", "number": "+44 800 000 0000", "toll_free": true } ] } }
JSON
}
start_jigasi <<< "$(config)"
base="http://127.0.0.1:${JIGASI_HTTP_PORT[jigasi]}"
get() {  # get PATH EXPECTED_STATUS: prints the body
    local out code
    out=$(curl -s -o "$E2E_OUT/body" -w '%{http_code}' "$base$1")
    code=$out
    [ "$code" = "$2" ] || fail "GET $1: expected HTTP $2, got $code: $(cat "$E2E_OUT/body")"
    cat "$E2E_OUT/body"
}
r1=$(get "/conferenceMapper?conference=Room1%40$MUC&url=https%3A%2F%2Fmeet.test%2FRoom1" 200)
jq -e '.message == "Successfully retrieved conference mapping" and .conference == "room1@conference.meet.test"
       and (.id | type == "number" and . >= 1000000000 and . <= 9999999999)' <<< "$r1" > /dev/null \
    || fail "mapper answer for room1: $r1"
id1=$(jq .id <<< "$r1")
[ "$(get "/conferenceMapper?conference=room1@$MUC" 200 | jq .id)" = "$id1" ] || fail "room1 got a different ID the second time"
id2=$(get "/conferenceMapper?conference=room2@$MUC" 200 | jq .id)
[ "$id2" != "$id1" ] || fail "room2 got room1's ID"
curl -s -D - -o /dev/null "$base/conferenceMapper?conference=room1@$MUC" | tr -d '\r' | grep -qi '^access-control-allow-origin: \*$' \
    || fail "no Access-Control-Allow-Origin: * (jitsi-meet fetches from the meeting page)"
get "/conferenceMapper?id=$id2" 200 | jq -e '.conference == "room2@conference.meet.test" and .id == '"$id2" > /dev/null \
    || fail "the reverse lookup of $id2"
get "/conferenceMapper?id=1" 404 | jq -e '.conference == false and .id == 1' > /dev/null || fail "unknown ID answer"
get "/conferenceMapper?conference=room1@conference.elsewhere.test" 404 | jq -e '.message | test("not a conference this gateway serves")' > /dev/null \
    || fail "a foreign MUC domain was mapped"
get "/conferenceMapper" 400 | jq -e '.message | test("conference or id")' > /dev/null || fail "no parameter"
get "/conferenceMapper?id=12ab" 400 | jq -e '.message | test("digits")' > /dev/null || fail "non-numeric id"
get "/phoneNumberList?conference=room1@$MUC" 200 | jq -e '. == [
    {"countryCode": "US", "tollFree": false, "formattedNumber": "+1 555-123-4567", "default": true},
    {"countryCode": "GB", "tollFree": true, "formattedNumber": "+44 800 000 0000", "default": false}]' > /dev/null \
    || fail "numbers list: $(cat "$E2E_OUT/body")"
note "room1 -> $id1, room2 -> $id2; numbers listed"

stop jigasi
start_jigasi <<< "$(config)"
base="http://127.0.0.1:${JIGASI_HTTP_PORT[jigasi]}"
[ "$(get "/conferenceMapper?conference=room1@$MUC" 200 | jq .id)" = "$id1" ] || fail "room1's ID changed across the restart"
get "/conferenceMapper?id=$id2" 200 > /dev/null
jigasi_log_has '2 meeting IDs from' || fail "the restart did not log the IDs it read"
note "the same IDs after a restart"

limited=0
for i in $(seq 1 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/conferenceMapper?id=$((1000000000 + i))")
    if [ "$code" = 429 ]; then limited=$i; break; fi
done
[ "$limited" -gt 0 ] || fail "40 unknown IDs in a row were all answered: lookups are not rate-limited"
note "unknown IDs rate-limited after $limited tries"
