# Waiting and leaving with prompts (issue 8 items 2, 5 and 6): the stand-in starts no session
# until two participants are in a room (Jicofo's min-participants), the bench's Prosody has a
# Jitsi lobby (mod_bench_lobby), baresip phones hear jigasi-ng's prompts (lib/speech.js).
#   1. alice calls room1 by URI and is alone: she is answered (no session yet) and hears the
#      waiting prompt instead of ringing until a timeout (Jigasi: dropped after 30 s)
#   2. bob reaches room1 through the IVR: two participants, so both get their sessions; the bridge
#      hears both
#   3. the lobby goes on; carol types room1's ID: she waits in the lobby (the stand-in sees her
#      knock) hearing the lobby prompt, SIP INFO t=3 is sent (calls.info_json); admitted, she is in
#      room1 with audio, after t=6 and t=5
#   4. dave knocks too and is turned away: he hears the "rejected" prompt, then BYE; the record
#      says lobby_rejected; SIP INFO t=7
#   4b. henry knocks before carol and nobody answers him: after ivr.lobby_wait_s he hears the
#      error prompt, then BYE (record: lobby_timeout; SIP INFO t=5)
#   4c. room1 locked too: SIPp as an IVR in front calls it, gets INFO t=3 in the lobby and answers
#      with t=4 and the password: jigasi-ng joins again with it and is in
#   5. the room is destroyed (the meeting ended for all): alice, bob and carol hear "the
#      conference has ended" before their BYE
#   6. erin, alone in room9 from the start, heard the waiting prompt again after ivr.wait_prompt_s
#      and was hung up after ivr.start_wait_s (record: invite_timeout)
#   7. gina calls the locked room4 by URI without the password header: she is answered, asked for
#      the PIN, and gets in with it
#   8. frank types an ID only the external mapper (dialin.mapper_url, lib/mapper_peer.py in
#      jitsi-meet's format) knows and lands in room5; an ID nobody knows is asked of it too and
#      gets the "not found" prompt
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
MUC=conference.$PROSODY_DOMAIN
RECORDS=$E2E_OUT/calls.jsonl
start_prosody
start_standin --tones 440 --expect 1000
MAPPER_PORT=18790
spawn mapper python3 "$E2E_DIR/lib/mapper_peer.py" $MAPPER_PORT "{\"424242\": \"Room5@$MUC\"}"
wait_tcp $MAPPER_PORT 5
start_jigasi <<JSON
{ $(meet_and_sip_json),
  "media": { "min_port": 38000, "max_port": 38999 },
  "log": { "subsystems": { "call": "debug" } },
  "calls": { "records_file": "$RECORDS", "info_json": true },
  "dialin": { "id_digits": 6, "mapper_url": "http://127.0.0.1:$MAPPER_PORT/conferenceMapper" },
  "ivr": { "tries": 2, "digit_timeout_s": 5, "start_wait_s": 12, "wait_prompt_s": 4, "lobby_wait_s": 12 } }
JSON
sip_probe 5060 5
J=127.0.0.1:5060
source "$E2E_DIR/lib/ivr.sh"
R=room1@$MUC
standin POST /min-participants '{"n": 2}' > /dev/null
id1=$(meeting_id room1)
# The phones' 1000 Hz for the whole scenario.
tone=$(long_tone 1000 90)
for p in alice:15162 bob:15164 carol:15166 dave:15168 erin:15172 gina:15174 frank:15176 henry:15178; do
    start_baresip "${p%%:*}" "${p%%:*}" "${p#*:}" --registrar none --wav "$tone" --codecs pcmu --answermode manual
done
# record_of NAME: the call record of phone NAME (waits for it)
record_of() {
    wait_until 5 "$1's call record" sh -c "grep -q '\"from\":\"$1\"' '$RECORDS'"
    jq -c --arg u "$1" 'select(.from == $u)' "$RECORDS"
}
knockers_are() { [ "$(state | jq --arg r "$R" '(.lobby[$r] // []) | map(select(.left == null)) | length')" = "$1" ]; }
# new_knocker: the nick of the knocker in room1's lobby that is not henry's
new_knocker() { state | jq -r --arg r "$R" --arg h "${nick_h:-}" '.lobby[$r] | map(select(.left == null and .nick != $h))[0].nick'; }
has_new_knocker() { local n; n=$(new_knocker) && [ -n "$n" ] && [ "$n" != null ]; }

# --- 6 starts first: erin alone in room9 for the whole scenario ---
dial erin "sip:room9@$J"
t_erin=$DIAL_ANSWERED

# --- 1: alone in room1 ---
dial alice "sip:room1@$J"
nick_a=$(state | jq -r --arg r "$R" '.rooms[$r][0] // empty')
[ -n "$nick_a" ] || fail "case 1: alice is answered but not in room1"
state | jq -e --arg n "$nick_a" '[.sessions[] | select(.endpoint == $n)] | length == 0' > /dev/null \
    || fail "case 1: the stand-in started a session with alice alone (min-participants 2)"
sleep 1.5
heard_speech "case 1: alice alone in room1 (the waiting prompt)" alice 1200

# --- 2: bob through the IVR: the conference starts ---
dial bob "sip:1000@$J"
baresip_dtmf bob "$id1#"
standin_wait 10 "case 2: bob in room1" "(.rooms[\"$R\"] // []) | length == 2"
nick_b=$(state | jq -r --arg r "$R" --arg a "$nick_a" '.rooms[$r] | map(select(. != $a))[0]')
for n in "$nick_a" "$nick_b"; do
    standin_wait 10 "case 2: the bridge to hear $n" "any(.sessions[]; .endpoint == \"$n\" and .firstAudio != null)"
done
note "case 2: two participants: sessions for alice ($nick_a) and bob ($nick_b)"

# --- 3: the lobby; carol knocks and is admitted ---
standin POST /lobby "{\"room\":\"$R\",\"enabled\":true}" > "$E2E_OUT/lobby-on.json"
jq -e '.result == "result" and .lobbyRoom != null' "$E2E_OUT/lobby-on.json" > /dev/null \
    || fail "the stand-in could not turn the lobby on: $(cat "$E2E_OUT/lobby-on.json")"
dial henry "sip:1000@$J"
baresip_dtmf henry "$id1#"
wait_until 10 "case 4b: henry to knock in room1's lobby" knockers_are 1
t_henry=$(elapsed_ms)
nick_h=$(new_knocker)
dial carol "sip:1000@$J"
baresip_dtmf carol "$id1#"
wait_until 10 "case 3: carol to knock in room1's lobby" knockers_are 2
nick_c=$(new_knocker)
sleep 1.2
heard_speech "case 3: carol in the lobby (the lobby prompt)" carol 1000
[ "$(room_size room1)" = 2 ] || fail "case 3: carol got into room1 without being admitted"
wait_until 3 "case 3: SIP INFO t=3 (in the lobby)" jigasi_log_has 'INFO \{"i":[0-9]+,"t":3\} sent'
rec_carol=$(baresip_recording carol dec)
# Admitted between two lobby prompts, so that speech after the mark is the admission's own.
lobby_quiet() { ! node "$E2E_DIR/lib/speech.js" check "$rec_carol" --last-ms 700; }
wait_until 5 "case 3: a pause between carol's lobby prompts" lobby_quiet
carol_admitted_ms=$(recorded_ms "$rec_carol")
standin POST /lobby/admit "{\"room\":\"$R\",\"nick\":\"$nick_c\"}" > "$E2E_OUT/admit.json"
jq -e '.member == true' "$E2E_OUT/admit.json" > /dev/null || fail "case 3: the admission failed: $(cat "$E2E_OUT/admit.json")"
standin_wait 15 "case 3: carol in room1 after the admission" "(.rooms[\"$R\"] // []) | length == 3"
nick_c2=$(state | jq -r --arg r "$R" --arg a "$nick_a" --arg b "$nick_b" '.rooms[$r] | map(select(. != $a and . != $b))[0]')
standin_wait 10 "case 3: the bridge to hear carol" "any(.sessions[]; .endpoint == \"$nick_c2\" and .firstAudio != null)"
# "You have been admitted", heard over the conference's 440 Hz once carol is bridged: in what she
# received since the admission (her recording may end in the lobby prompt until then)
heard_since() { node "$E2E_DIR/lib/speech.js" check "$1" --from-ms "$2" --notch 440; }
wait_until 4 "case 3: carol to hear the 'admitted' prompt" heard_since "$rec_carol" "$carol_admitted_ms"
note "case 3: carol heard the 'admitted' prompt (admitted at $carol_admitted_ms ms of her recording)"
jigasi_log_has 'INFO \{"i":[0-9]+,"t":6\} sent' || fail "case 3: no SIP INFO t=6 (admitted)"
jigasi_log_has 'INFO \{"i":[0-9]+,"t":5\} sent' || fail "case 3: no SIP INFO t=5 (left the lobby)"
note "case 3: carol admitted from the lobby, in room1 as $nick_c2"

# --- 4: dave knocks and is turned away ---
dial dave "sip:1000@$J"
baresip_dtmf dave "$id1#"
# Henry may have timed out by now (ivr.lobby_wait_s runs from his knock): look for dave's own.
wait_until 10 "case 4: dave to knock" has_new_knocker
nick_dv=$(new_knocker)
standin POST /lobby/deny "{\"room\":\"$R\",\"nick\":\"$nick_dv\",\"reason\":\"not today\"}" > /dev/null
wait_until 10 "case 4: dave to be hung up" closed_at_least dave 1
[ "$(closed_param dave)" = "Connection reset by peer" ] || fail "case 4: dave's call closed with '$(closed_param dave)', not by a BYE"
heard_speech "case 4: dave before the BYE (the rejected prompt)" dave 1500
rec=$(record_of dave)
jq -e '.reason == "lobby_rejected"' <<< "$rec" > /dev/null || fail "case 4: dave's record does not say lobby_rejected: $rec"
jigasi_log_has 'INFO \{"i":[0-9]+,"t":7\} sent' || fail "case 4: no SIP INFO t=7 (rejected)"
[ "$(room_size room1)" = 3 ] || fail "case 4: room1 does not hold alice, bob and carol only"
note "case 4: dave turned away: $(jq -c '{result, reason}' <<< "$rec")"

# --- 4b: henry was never answered ---
left=$(( 22 - ($(elapsed_ms) - t_henry) / 1000 ))
wait_until $(( left > 1 ? left : 1 )) "case 4b: henry to be hung up after ivr.lobby_wait_s" closed_at_least henry 1
[ "$(closed_param henry)" = "Connection reset by peer" ] || fail "case 4b: henry's call closed with '$(closed_param henry)', not a BYE"
heard_speech "case 4b: henry before the BYE (the error prompt)" henry 1500
rec=$(record_of henry)
jq -e '.reason == "lobby_timeout"' <<< "$rec" > /dev/null || fail "case 4b: henry's record does not say lobby_timeout: $rec"
waited=$(( $(elapsed_ms) - t_henry ))
[ "$waited" -ge 11000 ] || fail "case 4b: henry was let go after $waited ms in the lobby, before ivr.lobby_wait_s (12 s)"
# t=5 (left the lobby) twice: carol's admission and henry's time-out (dave's refusal is t=7)
[ "$(grep -c 'INFO {"i":[0-9]*,"t":5} sent' "$E2E_OUT/jigasi.log")" = 2 ] || fail "case 4b: want SIP INFO t=5 for carol and henry: $(grep 'INFO {' "$E2E_OUT/jigasi.log")"
knockers_are 0 || fail "case 4b: someone is still knocking in room1's lobby: $(state | jq -c --arg r "$R" '.lobby[$r]')"
note "case 4b: henry let go after $waited ms unanswered: $(jq -c '{reason}' <<< "$rec")"

# --- 4c: an IVR in front (SIPp) gives the locked room's password in the lobby (INFO t=4) ---
standin POST /lock "{\"room\":\"$R\",\"password\":\"1357\"}" > "$E2E_OUT/lock1.json"
jq -e '.locked == true' "$E2E_OUT/lock1.json" > /dev/null || fail "the stand-in could not lock room1: $(cat "$E2E_OUT/lock1.json")"
sipp_spawn ivr uac_lobby_pwd.xml 15180 --tone 1000 -s room1 $J -key pwd 1357 -m 1 -l 1 -d 4000
standin_wait 10 "case 4c: the SIPp IVR's caller in room1 with the password" "(.rooms[\"$R\"] // []) | length == 4"
jigasi_log_has 'a password from the phone side \(INFO t=4\): joining again with it' || fail "case 4c: no rejoin on INFO t=4 logged"
sipp_wait ivr 20
note "case 4c: INFO t=3 answered, t=4 with the password: in room1"

# --- 5: the meeting ends for all ---
sleep 1
standin POST /destroy "{\"room\":\"$R\",\"reason\":\"the host ended the meeting\"}" > /dev/null
for p in alice bob carol; do
    wait_until 10 "case 5: $p to be hung up" closed_at_least $p 1
    [ "$(closed_param "$p")" = "Connection reset by peer" ] || fail "case 5: $p's call closed with '$(closed_param "$p")', not a BYE"
    heard_speech "case 5: $p before the BYE (the conference has ended)" "$p" 1500
    rec=$(record_of "$p")
    jq -e --arg r "$R" '.room == $r and .reason == "destroyed"' <<< "$rec" > /dev/null \
        || fail "case 5: $p's record does not say room1 destroyed: $rec"
done
note "case 5: alice, bob and carol heard the end of the conference, then BYE"

# --- 6: erin, alone the whole time ---
left=$(( 20 - ($(elapsed_ms) - t_erin) / 1000 ))
wait_until $(( left > 1 ? left : 1 )) "case 6: erin to be hung up after ivr.start_wait_s" closed_at_least erin 1
rec=$(record_of erin)
jq -e '.reason == "invite_timeout"' <<< "$rec" > /dev/null || fail "case 6: erin's record does not say invite_timeout: $rec"
rec_e=$(baresip_recording erin dec)
# The prompt started about 2 s after the join (her answer); again ivr.wait_prompt_s (4 s) later.
node "$E2E_DIR/lib/speech.js" check "$rec_e" --from-ms 4300 --to-ms 5800 > "$E2E_OUT/erin-second-prompt.json" 2> "$E2E_OUT/erin-second-prompt.err" \
    || fail "case 6: erin did not hear the waiting prompt again after 4 s: $(cat "$E2E_OUT/erin-second-prompt.err")"
note "case 6: erin heard the waiting prompt again and was hung up: $(jq -c '{reason, duration_s: .duration_s}' <<< "$rec")"

# --- 7: a routed call to a locked room, without the password header ---
standin POST /lock "{\"room\":\"room4@$MUC\",\"password\":\"2468\"}" > "$E2E_OUT/lock.json"
jq -e '.locked == true' "$E2E_OUT/lock.json" > /dev/null || fail "the stand-in could not lock room4: $(cat "$E2E_OUT/lock.json")"
baresip_cmd gina dial "sip:room4@$J" > /dev/null || fail "gina: dial refused"
baresip_wait_event gina CALL_ESTABLISHED 10
wait_until 5 "case 7: the PIN to be asked" jigasi_log_has 'IVR: the room is locked; asking for its PIN'
wait_speech 8 "case 7: gina to hear the PIN prompt" gina
baresip_dtmf gina "2468#"
standin_wait 10 "case 7: gina in room4 with the PIN" "(.rooms[\"room4@$MUC\"] // []) | length == 1"
note "case 7: routed to a locked room: answered, PIN asked, in"

# --- 8: the external mapper ---
dial frank "sip:1000@$J"
baresip_dtmf frank "999999#"
wait_until 8 "case 8: 999999 to be unknown to both mappers" jigasi_log_has 'IVR: meeting ID 999999 is unknown'
sleep 1.5
heard_speech "case 8: frank after 999999# (the 'not found' prompt)" frank 1200
baresip_dtmf frank "424242#"
standin_wait 10 "case 8: frank in room5 by the external mapper" "(.rooms[\"room5@$MUC\"] // []) | length == 1"
jq -s -e '[.[] | select(.path == "/conferenceMapper")] | map(.id) == ["999999", "424242"]' "$E2E_OUT/mapper.log" > /dev/null \
    || fail "case 8: the external mapper was not asked for 999999 then 424242: $(cat "$E2E_OUT/mapper.log")"
note "case 8: the external mapper was asked $(jq -s -c 'map({id, status})' "$E2E_OUT/mapper.log"); room5 (lower-cased) joined"
for p in gina frank; do
    baresip_cmd "$p" hangup > /dev/null
    baresip_wait_event "$p" CALL_CLOSED 5
done

wait_until 5 "9 call records" sh -c "[ \"\$(jq -s length '$RECORDS')\" = 9 ]"
wait_until 5 "/stats to count no active call" sh -c "curl -sf http://127.0.0.1:$JIGASI_HTTP/stats | jq -e '.activeCalls == 0'"
