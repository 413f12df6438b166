# The stand-in's actions against a participant that has a control connection in the brewery and
# a callcontrol.meet.test component: Rayo dial via the brewery (the dial starts the call; the
# answer must carry the occupant JID), source-add of a third web participant (880 Hz, heard
# afterwards on its own SSRC), source-remove, the moderator mute IQ, a bridge migration
# (transport-replace -> transport-accept, audio again on the new bridge), an AV moderation message,
# the lobby on and off (members-only; Prosody's mod_bench_lobby opens the lobby room, which the focus
# joins, and the participant inside stays as a member), Rayo dial + hangup via the component,
# and session-terminate, which must end the participant's call. Room administration and
# participant disco: the focus' disco#info of the participant (caps node echoed, jigasi feature,
# caps hash verified) and its presence as /state shows it; then the room locked with a password:
# a second participant without it is refused (not-authorized), a third with it joins, has audio
# and is kicked, which ends its call; the room unlocked and destroyed.
source "$E2E_DIR/jitsi/bench.sh"
ROOM=actions@conference.meet.test
start_prosody
start_standin "$@"   # e.g. --bridge werift
spawn participant node "$JITSI_DIR/participant.js" --control --component --expect 440,660,880 --timeout 40 \
    --report "$E2E_OUT/participant-report.json"
wait_until 10 "the participant's control connection to join the brewery (participant.log)" grep -q READY "$E2E_OUT/participant.log"
standin_wait 5 "the stand-in to see a SIP-capable Jigasi in the brewery" '[.brewery[] | select(.supports_sip == "true")] | length == 1'

note "Rayo dial via the brewery"
standin POST /dial "{\"room\":\"$ROOM\",\"target\":\"brewery\",\"to\":\"+15550001\"}" > "$E2E_OUT/dial-brewery.json"
jq -e --arg r "xmpp:$ROOM/" '.result == "result" and (.ref | startswith($r))' "$E2E_OUT/dial-brewery.json" > /dev/null \
    || fail "Rayo dial via the brewery: no result with the occupant JID as ref: $(cat "$E2E_OUT/dial-brewery.json")"
standin_wait 10 "audio from the dialled participant at the bridge" '.sessions[0].firstAudio != null'
nick=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -r '.sessions[0].endpoint')
occ() { curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq --arg r "$ROOM" --arg n "$1" '.occupants[$r][$n]'; }
occ "$nick" > "$E2E_OUT/occupant.json"
jq -e '.disco | .error == null and .capsVerified and (.features | index("http://jitsi.org/protocol/jigasi") != null)
       and .node == .requestedNode and (.node | startswith("https://github.com/jigasi-ng/e2e-participant#"))
       and any(.identities[]; .category == "client")' "$E2E_OUT/occupant.json" > /dev/null \
    || fail "the focus' disco#info of the participant did not return the jigasi feature, the caps node and a matching caps hash: $(jq -c .disco "$E2E_OUT/occupant.json")"
jq -e '.nick == "+15550001" and .audiomuted == false and (.features | index("http://jitsi.org/protocol/jigasi") != null)
       and (.features | index("urn:xmpp:jingle:dtmf:0") != null) and .caps.hash == "sha-1" and .role == "participant"
       and (.realJid | test("@meet\\.test/")) and .left == null' "$E2E_OUT/occupant.json" > /dev/null \
    || fail "/state does not show the participant's presence (nick, features, audiomuted, caps, role, real JID): $(jq -c 'del(.disco)' "$E2E_OUT/occupant.json")"
note "participant disco#info: $(jq -c '.disco | {ms, node, capsVerified, features: (.features | length)}' "$E2E_OUT/occupant.json")"
sleep 1.5

note "source-add 880 Hz, then source-remove 660 Hz"
standin POST /source-add '{"freq":880}' > /dev/null
sleep 2.5
standin POST /source-remove '{"freq":660}' > /dev/null

note "mute IQ"
standin POST /mute '{}' > "$E2E_OUT/mute.json"
jq -e '.result == "result"' "$E2E_OUT/mute.json" > /dev/null || fail "mute IQ was not answered with result: $(cat "$E2E_OUT/mute.json")"

note "AV moderation message and lobby on/off"
standin POST /av-moderation '{"payload":{"enabled":true}}' > /dev/null
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":true}" > "$E2E_OUT/lobby-on.json"
jq -e '.result == "result" and .lobbyRoom == "actions@lobby.meet.test" and .lobbyJoined' "$E2E_OUT/lobby-on.json" > /dev/null \
    || fail "lobby on: Prosody refused members-only, or no lobby room to join: $(jq -c . "$E2E_OUT/lobby-on.json")"
standin_wait 5 "the participant to stay in the room as a member" ".occupants[\"$ROOM\"][\"$nick\"] | .left == null and .affiliation == \"member\""
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":false}" > "$E2E_OUT/lobby-off.json"
jq -e '.result == "result" and .lobbyRoom == null' "$E2E_OUT/lobby-off.json" > /dev/null \
    || fail "lobby off: refused, or the room still names a lobby: $(jq -c . "$E2E_OUT/lobby-off.json")"
standin_wait 5 "the lobby room destroyed with the room as venue" ".roomInfo[\"$ROOM\"].lobby.destroyed.jid == \"$ROOM\""

note "Rayo dial and hangup via the callcontrol component"
standin POST /dial "{\"room\":\"$ROOM\",\"target\":\"component\",\"to\":\"+15550002\"}" > "$E2E_OUT/dial-component.json"
jq -e '.result == "result" and (.ref | test("^xmpp:[0-9a-f]{8}@callcontrol\\.meet\\.test$"))' "$E2E_OUT/dial-component.json" > /dev/null \
    || fail "Rayo dial via the component: no result with an xmpp:<8hex>@callcontrol.meet.test ref: $(cat "$E2E_OUT/dial-component.json")"
standin POST /hangup "{\"to\":$(jq .ref "$E2E_OUT/dial-component.json")}" > "$E2E_OUT/hangup-component.json"
jq -e '.result == "result"' "$E2E_OUT/hangup-component.json" > /dev/null \
    || fail "Rayo hangup to the component's call resource failed: $(cat "$E2E_OUT/hangup-component.json")"

note "bridge migration (transport-replace)"
standin POST /transport-replace '{}' > /dev/null
standin_wait 10 "transport-accept and audio on the new bridge" '.sessions[0].generation == 1 and .sessions[0].transportAccept != null and .sessions[0].firstAudio != null'
sleep 2.5

note "session-terminate"
standin POST /terminate '{"reason":"expired","text":"Idle session timeout"}' > /dev/null
wait_exit participant 10 || note "participant reported problems (checked below)"
standin_wait 5 "the stand-in to list the participant as gone" ".occupants[\"$ROOM\"][\"$nick\"].left != null"

note "room password: without it refused, with it joined, then kicked"
standin POST /lock "{\"room\":\"$ROOM\",\"password\":\"s3cret\"}" > "$E2E_OUT/lock.json"
jq -e '.result == "result" and .locked == true' "$E2E_OUT/lock.json" > /dev/null || fail "locking the room failed: $(cat "$E2E_OUT/lock.json")"
spawn nopass node "$JITSI_DIR/participant.js" --room "$ROOM" --timeout 10 --report "$E2E_OUT/nopass-report.json"
spawn withpass node "$JITSI_DIR/participant.js" --room "$ROOM" --room-password s3cret --expect 440 --timeout 20 \
    --report "$E2E_OUT/withpass-report.json"
wait_exit nopass 12 && fail "a participant without the password joined the locked room (nopass.log)"
jq -e '.problems[0] | test("joining .* failed: .*not-authorized")' "$E2E_OUT/nopass-report.json" > /dev/null \
    || fail "the participant without the password was not refused with not-authorized: $(jq -c .problems "$E2E_OUT/nopass-report.json")"
standin_wait 10 "audio from the participant with the password" '[.sessions[] | select(.ended | not)] | length == 1 and .[0].firstAudio != null'
nick2=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -r '[.sessions[] | select(.ended | not)][0].endpoint')
sleep 2.5  # the bridge's and the participant's recordings need 1 s of audio after the skipped first second
standin POST /kick "{\"room\":\"$ROOM\",\"nick\":\"$nick2\",\"reason\":\"kicked by the test\"}" > "$E2E_OUT/kick.json"
jq -e '.result == "result"' "$E2E_OUT/kick.json" > /dev/null || fail "the kick was refused: $(cat "$E2E_OUT/kick.json")"
wait_exit withpass 10 || note "the kicked participant reported problems (checked below)"
jq -e '.call.removed.codes | index(307) != null' "$E2E_OUT/withpass-report.json" > /dev/null \
    || fail "the kick did not end the participant's call with status 307: $(jq -c '{removed: .call.removed, endReason: .call.endReason}' "$E2E_OUT/withpass-report.json")"
occ "$nick2" > "$E2E_OUT/occupant-kicked.json"
jq -e '.left != null and (.leftStatus.codes | index(307) != null) and .leftStatus.reason == "kicked by the test"' "$E2E_OUT/occupant-kicked.json" > /dev/null \
    || fail "/state does not show the kicked participant as gone with status 307: $(jq -c '{left, leftStatus}' "$E2E_OUT/occupant-kicked.json")"
standin POST /lock "{\"room\":\"$ROOM\",\"password\":\"\"}" > "$E2E_OUT/unlock.json"
jq -e '.result == "result" and .locked == false' "$E2E_OUT/unlock.json" > /dev/null || fail "unlocking the room failed: $(cat "$E2E_OUT/unlock.json")"

note "destroy the room"
standin POST /destroy "{\"room\":\"$ROOM\",\"reason\":\"test over\"}" > "$E2E_OUT/destroy.json"
jq -e '.result == "result"' "$E2E_OUT/destroy.json" > /dev/null || fail "destroying the room failed: $(cat "$E2E_OUT/destroy.json")"
standin_wait 5 "the focus to be out of the destroyed room" ".roomInfo[\"$ROOM\"] | .focus == \"out\" and .destroyed.reason == \"test over\""
check_verdict "$E2E_OUT/participant-report.json" "$E2E_OUT/withpass-report.json"

r="$E2E_OUT/participant-report.json"
jq -e '[.call.jingle[] | select(.dir == "in") | .action] | (index("source-add") != null) and (index("source-remove") != null) and (index("transport-replace") != null)' "$r" > /dev/null \
    || fail "participant did not receive source-add, source-remove and transport-replace (see participant-report.json .call.jingle)"
jq -e '.call.jingle[] | select(.action == "session-terminate" and .dir == "in" and .reason == "expired")' "$r" > /dev/null \
    || fail "participant did not receive session-terminate with reason expired"
jq -e '[.call.jingle[] | select(.action == "json-message") | .body | fromjson | select(.type == "av_moderation")] | any(.enabled)' "$r" > /dev/null \
    || fail "participant did not receive the AV moderation json-message"
jq -e --arg f "$ROOM/focus" '[.call.jingle[] | select(.action == "json-message" and .from == $f) | .body | fromjson
       | select(.type == "lobby-notify") | [.event, .value]] == [["LOBBY-ENABLED", true], ["LOBBY-ENABLED", false]]' "$r" > /dev/null \
    || fail "participant did not receive lobby-notify LOBBY-ENABLED true, then false, from $ROOM/focus (see participant-report.json .call.jingle)"
jq -e --arg a "$ROOM/" '.call.mutes[0] | .value == "true" and (.actor | startswith($a)) and (.from | endswith("/focus"))' "$r" > /dev/null \
    || fail "participant did not record the mute IQ from room/focus with an actor"
jq -e '[.control.dials[] | .via] | (index("brewery") != null) and (index("component") != null)' "$r" > /dev/null \
    || fail "participant's control side did not see both Rayo dials"
jq -e '.control.dials[] | select(.via == "brewery") | .sender == "jigasibrewery@internal.auth.meet.test/focus" and .headers.JvbRoomName == "'"$ROOM"'"' "$r" > /dev/null \
    || fail "brewery dial did not come from the brewery as focus with the JvbRoomName header"
jq -e '.control.dials[] | select(.via == "component" and .to) | .sender == "focus@auth.meet.test/focus"' "$r" > /dev/null \
    || fail "component dial did not come from the focus' own JID"
