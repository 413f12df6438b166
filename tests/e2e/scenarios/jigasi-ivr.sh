# The built-in IVR (issue 8 item 8): a caller dials sip:1000@jigasi-ng (ivr.extension), is
# answered at once, hears the spoken prompt, types the meeting ID that jigasi-ng's own conference
# mapper gave the room (/conferenceMapper) ended by #, and lands in that room; a locked room asks
# for its PIN. baresip phones send RFC 4733 keys; the Jicofo + JVB stand-in is the conference.
# ivr.tries 2, ivr.digit_timeout_s 3, meeting IDs of 6 digits (dialin.id_digits), to keep it short.
#   1. right ID the first time: the phone heard speech (the prompt, lib/speech.js) before it typed
#      anything; it is in room1; the bridge hears its 1000 Hz (verdict), it hears the bridge's 440 Hz
#   2. a wrong ID (the "not found" prompt is heard), then "12*" and the right ID: * starts the
#      entry over (without it the 8 digits are unknown too and the second try ends the call)
#   3. a wrong ID, then keypad silence (digit_timeout_s): two failed tries end the call: the phone
#      hears the error prompt, then a BYE; the call record says ivr_no_room; the call never became
#      an occupant of any room
#   4. room2 locked with PIN 4321 (stand-in POST /lock): after its ID the PIN prompt is heard; a
#      wrong PIN gets the "wrong PIN" prompt and a second chance; the right one gets in
#   5. calls.routing ["header"] and ivr.unrouted true: sip:someone@ without a room header reaches the
#      IVR (answered, prompt heard) and no room "someone" is asked for; reloaded (SIGHUP) with
#      ivr.unrouted false it gets 404 (sip:1000 is still answered, with ivr.language "de": the
#      German prompt is heard); with ivr.enabled false sip:1000 gets 404
#   6. /about/stats and /stats count no call, conference or participant at the end
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
MUC=conference.$PROSODY_DOMAIN
RECORDS=$E2E_OUT/calls.jsonl
start_prosody
start_standin --tones 440 --expect 1000
start_jigasi <<JSON
{ $(meet_and_sip_json),
  "media": { "min_port": 37000, "max_port": 37999 },
  "calls": { "records_file": "$RECORDS", "routing": ["header"] },
  "dialin": { "id_digits": 6 },
  "ivr": { "extension": "1000", "unrouted": true, "min_digits": 4, "max_digits": 8, "tries": 2, "digit_timeout_s": 3 } }
JSON
sip_probe 5060 5
J=127.0.0.1:5060
source "$E2E_DIR/lib/ivr.sh"

id1=$(meeting_id room1)
id2=$(meeting_id room2)
[ "$id1" != "$id2" ] || fail "room1 and room2 got the same meeting ID $id1"
[ "${#id1}" = 6 ] || fail "meeting ID $id1 is not 6 digits (dialin.id_digits)"
note "meeting IDs: room1 $id1, room2 $id2"
standin POST /lock "{\"room\":\"room2@$MUC\",\"password\":\"4321\"}" > "$E2E_OUT/lock.json"
jq -e '.result == "result" and .locked == true' "$E2E_OUT/lock.json" > /dev/null \
    || fail "the stand-in could not lock room2: $(cat "$E2E_OUT/lock.json")"
WRONG=1111  # 4 digits: never a 6-digit meeting ID
for p in alice:15062 bob:15064 carol:15066 dave:15068 erin:15072; do
    start_baresip "${p%%:*}" "${p%%:*}" "${p#*:}" --registrar none --tone 1000 --codecs pcmu --answermode manual
done

# --- 3 (started first: it runs out its tries while the others go on) ---
dial carol "sip:1000@$J"
baresip_dtmf carol "$WRONG#"
t_carol=$(elapsed_ms)
t_carol_epoch=$(date +%s%3N)  # baresip's events carry t_ms, epoch ms
note "case 3: carol typed $WRONG#, then nothing"

# --- 1: right ID first time ---
dial alice "sip:1000@$J"
t_alice_est=$DIAL_ANSWERED
sleep 1.6
heard_speech "case 1: alice before typing (the meeting ID prompt)" alice 1200
baresip_dtmf alice "$id1#"
standin_wait 10 "case 1: alice's call in room1 after typing its ID" "(.rooms[\"room1@$MUC\"] // []) | length == 1"
nick_a=$(state | jq -r --arg r "room1@$MUC" '.rooms[$r][0]')
standin_wait 10 "case 1: the bridge to hear alice" "any(.sessions[]; .endpoint == \"$nick_a\" and .firstAudio != null)"
t_alice_in=$(elapsed_ms)  # media both ways from about now
note "case 1: alice in room1 as $nick_a, the bridge hears her"

# --- 2: wrong ID, then * starts over, then the right one ---
dial bob "sip:1000@$J"
baresip_dtmf bob "$WRONG#"
wait_speech 8 "case 2: bob to hear the 'not found' prompt after $WRONG#" bob
jigasi_log_has "IVR: meeting ID $WRONG is unknown" || fail "case 2: jigasi-ng did not log $WRONG as unknown"
baresip_dtmf bob "12*$id1#"
standin_wait 10 "case 2: bob in room1 after 12*$id1# (* starts the entry over)" "(.rooms[\"room1@$MUC\"] // []) | length == 2"
nick_b=$(state | jq -r --arg r "room1@$MUC" --arg a "$nick_a" '.rooms[$r] | map(select(. != $a))[0]')
note "case 2: bob in room1 as $nick_b"

# case 1, the audio: alice has been in room1 for a while; she hangs up, her recording is checked
# from a second after the bridge first heard her (before: the IVR), as the other scenarios skip
# the first second of a call
sleep 1
baresip_cmd alice hangup > /dev/null
baresip_wait_event alice CALL_CLOSED 5
rec_a=$(baresip_recording alice dec)
skip_a=$(( t_alice_in - t_alice_est + 1000 ))
audio_check "case 1: alice (heard the conference)" "$rec_a" --expect 440 --absent 1000 --skip-ms "$skip_a" --max-gap-ms 60 --min-seconds 2

# --- 4: locked room, wrong PIN then right PIN ---
dial dave "sip:1000@$J"
baresip_dtmf dave "$id2#"
wait_speech 10 "case 4: dave to hear a prompt after room2's ID" dave
wait_until 2 "case 4: jigasi-ng to say room2 is locked" jigasi_log_has 'IVR: the room is locked; asking for its PIN'
baresip_dtmf dave "9999#"
wait_until 10 "case 4: the PIN to be asked again after a wrong one" jigasi_log_has 'IVR: the room is locked; asking for its PIN again'
sleep 0.5
heard_speech "case 4: dave after the wrong PIN (the 'wrong PIN' prompt)" dave 1000
[ "$(room_size room2)" = 0 ] || fail "case 4: a wrong PIN let dave into room2"
baresip_dtmf dave "4321#"
standin_wait 10 "case 4: dave in room2 after the right PIN" "(.rooms[\"room2@$MUC\"] // []) | length == 1"
nick_d=$(state | jq -r --arg r "room2@$MUC" '.rooms[$r][0]')
standin_wait 10 "case 4: the bridge to hear dave" "any(.sessions[]; .endpoint == \"$nick_d\" and .firstAudio != null)"
note "case 4: dave in the locked room2 as $nick_d"

# --- 3, the outcome: error prompt, BYE, record ---
left=$(( 20 - ($(elapsed_ms) - t_carol) / 1000 ))
wait_until $(( left > 1 ? left : 1 )) "case 3: carol to be hung up after two failed tries" \
    closed_at_least carol 1
[ "$(closed_param carol)" = "Connection reset by peer" ] || fail "case 3: carol's call closed with '$(closed_param carol)', not by a BYE from jigasi-ng"
bye_ms=$(grep '"type": "CALL_CLOSED"' "$E2E_OUT/carol/events" | tail -n 1 | jq .t_ms)
note "case 3: BYE $((bye_ms - t_carol_epoch)) ms after $WRONG#"
heard_speech "case 3: carol before the BYE (the error prompt)" carol 2000
# The keypad silence after the second prompt ended the entry after ivr.digit_timeout_s (3 s, not
# the default 10): the longest silence carol heard between the first and the last sound
rec_c=$(baresip_recording carol dec)
node "$E2E_DIR/lib/audio.js" check "$rec_c" --skip-ms 0 > "$rec_c.check.json" 2> /dev/null || true
gap_c=$(jq '.maxGapMs' "$rec_c.check.json")
if [ "$gap_c" -lt 2700 ] || [ "$gap_c" -gt 4500 ]; then
    fail "case 3: carol's longest silence (the keypad timeout) was $gap_c ms, want about 3000 (ivr.digit_timeout_s 3): $(jq -c '.gaps' "$rec_c.check.json")"
fi
note "case 3: the silent entry timed out after $gap_c ms of silence"
wait_until 5 "case 3: carol's call record" sh -c "grep -q '\"from\":\"carol\"' '$RECORDS'"
rec=$(jq -c 'select(.from == "carol")' "$RECORDS")
jq -e '.reason == "ivr_no_room"' <<< "$rec" > /dev/null || fail "case 3: carol's call record does not say ivr_no_room: $rec"
note "case 3: record $(jq -c '{result, reason, room, detail}' <<< "$rec")"

# --- 5: an unrouted call reaches the IVR; then unrouted off, then the IVR off ---
dial erin "sip:someone@$J"
sleep 1.6
heard_speech "case 5: erin (sip:someone, no room header) hears the IVR's prompt" erin 1200
baresip_cmd erin hangup > /dev/null
wait_until 5 "erin's hang-up" closed_at_least erin 1
cfg=$E2E_OUT/jigasi.json
jq '.ivr.unrouted = false' "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
kill -HUP "${E2E_PIDS[jigasi]}"
wait_until 5 "the reload of ivr.unrouted" jigasi_log_has 'reload: ivr.unrouted changed'
baresip_cmd erin dial "sip:someone@$J" > /dev/null || fail "erin: dial refused"
wait_until 5 "case 5: a final answer to sip:someone with ivr.unrouted false" closed_at_least erin 2
[[ "$(closed_param erin)" == 404* ]] || fail "case 5: sip:someone with ivr.unrouted false ended with '$(closed_param erin)', not 404"
# ivr.language "de", live: the German set is loaded and the extension still reaches the IVR
jq '.ivr.language = "de"' "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
kill -HUP "${E2E_PIDS[jigasi]}"
wait_until 5 "the German prompts to be loaded (ivr.language de)" jigasi_log_has 'IVR prompts: de, e\.g\. .*/de/enter_meeting_id\.wav'
dial erin "sip:1000@$J"
sleep 1.6
heard_speech "case 5: erin hears the IVR's German prompt" erin 1200
baresip_cmd erin hangup > /dev/null
wait_until 5 "erin's hang-up" closed_at_least erin 3
jq '.ivr.enabled = false' "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
kill -HUP "${E2E_PIDS[jigasi]}"
wait_until 5 "the reload of ivr.enabled" jigasi_log_has 'reload: ivr.enabled changed'
baresip_cmd erin dial "sip:1000@$J" > /dev/null || fail "erin: dial refused"
wait_until 5 "case 5: a final answer to sip:1000 with ivr.enabled false" closed_at_least erin 4
[[ "$(closed_param erin)" == 404* ]] || fail "case 5: sip:1000 with ivr.enabled false ended with '$(closed_param erin)', not 404"
note "case 5: unrouted -> IVR; unrouted off -> 404 (sip:1000 still answered); IVR off -> 404 for sip:1000"

# --- the end: everyone hangs up, the rooms and the counters ---
sleep 1  # dave: over a second of tone at the bridge after its first skipped second
for p in bob dave; do
    baresip_cmd "$p" hangup > /dev/null
    baresip_wait_event "$p" CALL_CLOSED 5
done
standin_wait 5 "room1 and room2 to be left" "((.rooms[\"room1@$MUC\"] // []) + (.rooms[\"room2@$MUC\"] // [])) | length == 0"
state > "$E2E_OUT/state-end.json"
jq -e '[.occupants[][]] | length == 3' "$E2E_OUT/state-end.json" > /dev/null \
    || fail "the stand-in saw $(jq '[.occupants[][]] | length' "$E2E_OUT/state-end.json") occupants in all; want 3 (alice, bob, dave; carol never got in): $(jq -c '[.occupants | to_entries[] | {room: .key, nicks: (.value | keys)}]' "$E2E_OUT/state-end.json")"
jq -e --arg m "$MUC" '(.rooms | keys) + (.roomInfo | keys) | unique - ["room1@" + $m, "room2@" + $m] | length == 0' "$E2E_OUT/state-end.json" > /dev/null \
    || fail "rooms other than room1 and room2 were asked for (e.g. one named after sip:1000 or sip:someone): $(jq -c '.roomInfo | keys' "$E2E_OUT/state-end.json")"
for who in alice:room1 bob:room1 dave:room2; do
    u=${who%%:*}
    wait_until 5 "$u's call record" sh -c "grep -q '\"from\":\"$u\"' '$RECORDS'"
    jq -s -e --arg u "$u" --arg r "${who#*:}@$MUC" '[.[] | select(.from == $u)] | length == 1 and .[0].room == $r and .[0].reason == "phone_hung_up"' "$RECORDS" > /dev/null \
        || fail "the call record of $u does not name ${who#*:} (or is not a hang-up by the phone): $(jq -c --arg u "$u" 'select(.from == $u) | {id, room, result, reason}' "$RECORDS")"
done
note "records: $(jq -s -c 'map({from, room, reason})' "$RECORDS")"
wait_until 5 "/about/stats to count no conference and no participant" \
    sh -c "curl -sf http://127.0.0.1:$JIGASI_HTTP/about/stats | jq -e '.conferences == 0 and .participants == 0'"
wait_until 5 "/stats to count no active call" sh -c "curl -sf http://127.0.0.1:$JIGASI_HTTP/stats | jq -e '.activeCalls == 0'"
note "stats: $(jigasi_get /about/stats | jq -c '{conferences, participants, total_participants}'), $(jigasi_get /stats | jq -c '{activeCalls}')"
check_verdict  # the bridge heard 1000 Hz from alice, bob and dave, no gap over 60 ms
