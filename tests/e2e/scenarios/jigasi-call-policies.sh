# Dial-in policies (issue 7 items 1 and 3): late offer, the default room, and calls.when_alone.
#   - calls.routing ["header", "default"]: the request-URI user is not a room here; every call
#     without a room header lands in calls.default_room (hall)
#   - late offer: SIPp sends an INVITE without SDP to sip:roomlate@; jigasi-ng joins hall,
#     puts its offer in the 200, takes the answer from the ACK (PCMU) and bridges it: the bridge
#     hears SIPp's 1000 Hz (verdict); the call record says PCMU/8000, answered
#   - when_alone "hang_up" (grace 5 s): two phones in the default room keep each other company
#     past the grace; when one hangs up the other is alone and gets a BYE after the grace; its
#     record says reason "alone", side "conference"
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
MUC=conference.$PROSODY_DOMAIN
RECORDS=$E2E_OUT/calls.jsonl
start_prosody
start_standin --tones 440,660 --expect 1000
start_jigasi <<JSON
{ $(meet_and_sip_json),
  "media": { "min_port": 35000, "max_port": 35999 },
  "calls": { "routing": ["header", "default"], "default_room": "hall", "when_alone": "hang_up", "alone_grace_s": 5, "records_file": "$RECORDS" } }
JSON
sip_probe 5060 5
J=127.0.0.1:5060
occupants() {  # occupants ROOM: our occupants in ROOM@MUC (the focus aside)
    curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq --arg r "$1@$MUC" '(.rooms[$r] // []) | map(select(. != "focus")) | length'
}

# --- late offer ---
sipp_spawn late uac_late_offer.xml 15070 --tone 1000 -s roomlate $J -m 1 -l 1 -d 3000
standin_wait 15 "our occupant in hall (late-offer INVITE to sip:roomlate@, no header)" "(.rooms[\"hall@$MUC\"] // []) | length == 1"
sipp_wait late 25
grep -q '^SIP/2.0 200' "$E2E_OUT/late/messages.log" || fail "late: no 200"
tr -d '\r' < "$E2E_OUT/late/messages.log" | awk '/^SIP\/2.0 200/ {p = 1} p' | grep -q '^m=audio [0-9]* RTP/AVP' \
    || fail "late: jigasi-ng's 200 carries no SDP offer"
jigasi_log_has 'late offer answered in the ACK: PCMU/8000' || fail "the ACK's answer was not taken (see jigasi.log)"
wait_until 5 "hall to be left after the late-offer call" sh -c "[ \"\$(curl -sf http://127.0.0.1:$STANDIN_PORT/state | jq --arg r hall@$MUC '(.rooms[\$r] // []) | map(select(. != \"focus\")) | length')\" = 0 ]"
jq -e --arg r "roomlate@$MUC" '.rooms | has($r) | not' <<< "$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state")" > /dev/null \
    || fail "the request-URI user was used as a room although calls.routing leaves \"uri\" out"
note "late offer: offer in the 200, PCMU answer in the ACK"

# --- default room, when_alone ---
start_baresip a phone-a 15062 --registrar none --tone 1000 --codecs pcmu --answermode manual
start_baresip b phone-b 15064 --registrar none --tone 1000 --codecs pcmu --answermode manual
baresip_cmd a dial "sip:reception@$J" > /dev/null || fail "a: dial refused"
baresip_wait_event a CALL_ESTABLISHED 15
baresip_cmd b dial "sip:sales@$J" > /dev/null || fail "b: dial refused"
baresip_wait_event b CALL_ESTABLISHED 15
[ "$(occupants hall)" = 2 ] || fail "the two INVITEs without a room header did not both land in the default room hall: $(occupants hall) occupant(s)"
jigasi_log_has 'for room hall@conference.meet.test \(by default\)' || fail "the default-room routing was not logged"
sleep 7  # past the 5 s grace: neither is alone
grep -q CALL_CLOSED "$E2E_OUT/a/events" && fail "a was hung up while b was in the room"
grep -q CALL_CLOSED "$E2E_OUT/b/events" && fail "b was hung up while a was in the room"
t0=$(elapsed_ms)
baresip_cmd b hangup > /dev/null
baresip_wait_event b CALL_CLOSED 5
baresip_wait_event a CALL_CLOSED 12
alone_ms=$(($(elapsed_ms) - t0))
[ "$alone_ms" -ge 4500 ] || fail "a was hung up $alone_ms ms after it was left alone, before the 5 s grace"
closed=$(grep '"type": "CALL_CLOSED"' "$E2E_OUT/a/events" | jq -r .param)
[ "$closed" = "Connection reset by peer" ] || fail "a: the call closed with '$closed', not by a BYE from jigasi-ng"
jigasi_log_has 'alone in the conference: hanging up in 5 s' || fail "the alone policy was not logged"
note "when_alone: a got BYE $alone_ms ms after b left"

wait_until 5 "three call records" sh -c "[ \$(wc -l < '$RECORDS') -ge 3 ]"
jq -s -e 'length == 3
    and (.[0] | .room == "hall@conference.meet.test" and .codec == "PCMU/8000" and .result == "answered" and .side == "phone")
    and ([.[] | select(.room == "hall@conference.meet.test" and .reason == "alone" and .side == "conference")] | length == 1)
    and ([.[] | select(.room == "hall@conference.meet.test" and .reason == "phone_hung_up")] | length == 2)' "$RECORDS" > /dev/null \
    || fail "call records: $(jq -c '{room, codec, result, reason, side}' "$RECORDS" | tr '\n' ' ')"
check_verdict
