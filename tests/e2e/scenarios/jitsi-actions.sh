# The stand-in's actions against a participant that has a control connection in the brewery and
# a callcontrol.meet.test component: Rayo dial via the brewery (the dial starts the call; the
# answer must carry the occupant JID), source-add of a third web participant (880 Hz, heard
# afterwards on its own SSRC), source-remove, the moderator mute IQ, a bridge migration
# (transport-replace -> transport-accept, audio again on the new bridge), an AV moderation message,
# the room made members-only and back (the lobby stand-in), Rayo dial + hangup via the component,
# and session-terminate, which must end the participant's call.
source "$E2E_DIR/jitsi/bench.sh"
ROOM=actions@conference.meet.test
start_prosody
start_standin
spawn participant node "$JITSI_DIR/participant.js" --control --component --expect 440,660,880 --timeout 40 \
    --report "$E2E_OUT/participant-report.json"
wait_until 10 "the participant's control connection to join the brewery (participant.log)" grep -q READY "$E2E_OUT/participant.log"
standin_wait 5 "the stand-in to see a SIP-capable Jigasi in the brewery" '[.brewery[] | select(.supports_sip == "true")] | length == 1'

note "Rayo dial via the brewery"
standin POST /dial "{\"room\":\"$ROOM\",\"target\":\"brewery\",\"to\":\"+15550001\"}" > "$E2E_OUT/dial-brewery.json"
jq -e --arg r "xmpp:$ROOM/" '.result == "result" and (.ref | startswith($r))' "$E2E_OUT/dial-brewery.json" > /dev/null \
    || fail "Rayo dial via the brewery: no result with the occupant JID as ref: $(cat "$E2E_OUT/dial-brewery.json")"
standin_wait 10 "audio from the dialled participant at the bridge" '.sessions[0].firstAudio != null'
sleep 1.5

note "source-add 880 Hz, then source-remove 660 Hz"
standin POST /source-add '{"freq":880}' > /dev/null
sleep 2.5
standin POST /source-remove '{"freq":660}' > /dev/null

note "mute IQ"
standin POST /mute '{}' > "$E2E_OUT/mute.json"
jq -e '.result == "result"' "$E2E_OUT/mute.json" > /dev/null || fail "mute IQ was not answered with result: $(cat "$E2E_OUT/mute.json")"

note "AV moderation message and lobby (members-only) on/off"
standin POST /av-moderation '{"payload":{"enabled":true}}' > /dev/null
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":true}" > "$E2E_OUT/lobby-on.json"
standin POST /lobby "{\"room\":\"$ROOM\",\"enabled\":false}" > /dev/null
jq -e '.result == "result"' "$E2E_OUT/lobby-on.json" > /dev/null || fail "Prosody refused the members-only room config: $(cat "$E2E_OUT/lobby-on.json")"

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
check_verdict "$E2E_OUT/participant-report.json"

r="$E2E_OUT/participant-report.json"
jq -e '[.call.jingle[] | select(.dir == "in") | .action] | (index("source-add") != null) and (index("source-remove") != null) and (index("transport-replace") != null)' "$r" > /dev/null \
    || fail "participant did not receive source-add, source-remove and transport-replace (see participant-report.json .call.jingle)"
jq -e '.call.jingle[] | select(.action == "session-terminate" and .dir == "in" and .reason == "expired")' "$r" > /dev/null \
    || fail "participant did not receive session-terminate with reason expired"
jq -e '.call.jingle[] | select(.action == "json-message") | .body | fromjson | .type == "av_moderation" and .enabled' "$r" > /dev/null \
    || fail "participant did not receive the AV moderation json-message"
jq -e --arg a "$ROOM/" '.call.mutes[0] | .value == "true" and (.actor | startswith($a)) and (.from | endswith("/focus"))' "$r" > /dev/null \
    || fail "participant did not record the mute IQ from room/focus with an actor"
jq -e '[.control.dials[] | .via] | (index("brewery") != null) and (index("component") != null)' "$r" > /dev/null \
    || fail "participant's control side did not see both Rayo dials"
jq -e '.control.dials[] | select(.via == "brewery") | .sender == "jigasibrewery@internal.auth.meet.test/focus" and .headers.JvbRoomName == "'"$ROOM"'"' "$r" > /dev/null \
    || fail "brewery dial did not come from the brewery as focus with the JvbRoomName header"
jq -e '.control.dials[] | select(.via == "component" and .to) | .sender == "focus@auth.meet.test/focus"' "$r" > /dev/null \
    || fail "component dial did not come from the focus' own JID"
