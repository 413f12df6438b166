# Dial-out from a conference (issue 7 item 2a): Jicofo (the stand-in) sends a Rayo dial through the
# brewery; jigasi-ng joins the room, answers the dial with its occupant URI (§2.2), calls the phone
# (baresip, auto-answer, by SIP URI), and bridges it: the phone hears the web tones (440 + 660 Hz),
# the bridge hears the phone's 1000 Hz. The call state shows in presence (§2.5). Kicking the
# phone's participant (how jitsi-meet drops a phone) hangs up the phone (BYE).
# Also (after the verdict, which counts every failed dial): the legacy XEP-0114 component takes a
# Rayo dial too (§1.4), and a Rayo hangup to the returned occupant URI hangs the phone up (§2.3);
# a number nothing can route (no account, not registered) is refused with internal-server-error
# naming why.
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
start_prosody
start_standin --tones 440,660 --spare 880 --expect 1000
start_jigasi <<JSON
{ "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN",
        "control": { "enabled": true, "password": "$JIGASI_PASSWORD", "brewery": "$BREWERY_JID" } } ],
    "component": { "enabled": true, "domain": "$PROSODY_DOMAIN", "subdomain": "callcontrol",
                   "secret": "$CALLCONTROL_SECRET", "host": "127.0.0.1", "port": $PROSODY_COMPONENT } },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 33000, "max_port": 33999 } }
JSON
sip_probe 5060 5
start_baresip phone phone 15064 --registrar none --tone 1000 --codecs pcmu --answermode auto
standin_wait 10 "jigasi-ng in the brewery" '.brewery | to_entries | any(.key | startswith("jigasi-ng-"))'

out=$(standin POST /dial "{\"room\": \"room1@conference.$PROSODY_DOMAIN\", \"to\": \"sip:phone@127.0.0.1:15064\", \"target\": \"brewery\"}")
note "Rayo dial: $(jq -c '{result, ref, ms: (.resultMs - .sentMs)}' <<< "$out")"
jq -e '.result == "result" and (.ref | test("^xmpp:room1@conference.meet.test/[0-9a-f]{8}$"))' <<< "$out" > /dev/null \
    || fail "the Rayo dial was not answered with our occupant URI: $out"
nick=$(jq -r '.ref | sub(".*/"; "")' <<< "$out")
baresip_wait_event phone CALL_ESTABLISHED 10
standin_wait 10 "the phone participant's presence to say Connected" \
    ".occupants[\"room1@conference.meet.test\"][\"$nick\"].status == \"Connected\""
occ=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -c ".occupants[\"room1@conference.meet.test\"][\"$nick\"] | {nick, status, presences: (.presences | length)}")
note "participant: $occ"
# (The stand-in's stanza log is written asynchronously: give it a moment.)
wait_until 3 "an 'Initializing Call' presence status (§2.5) in the stand-in's stanza log" \
    sh -c "grep -F '\"dir\":\"in\"' '$E2E_OUT/standin-stanzas.jsonl' | grep -F 'room1@conference.meet.test/$nick' | grep -Fq 'Initializing Call'"
sleep 4
standin POST /kick "{\"room\": \"room1@conference.meet.test\", \"nick\": \"$nick\", \"reason\": \"bye phone\"}" > /dev/null
baresip_wait_event phone CALL_CLOSED 10
audio_check "phone (heard the conference)" "$(baresip_recording phone dec)" \
    --expect 440,660 --absent 1000 --skip-ms 1000 --max-gap-ms 60 --min-seconds 2
jigasi_log_has 'call \[call out-1 side=jitsi\]: call over: conference: kicked' || fail "the kick did not end the call (see jigasi.log)"

check_verdict

# --- legacy component: Rayo dial to callcontrol.<domain>, then Rayo hangup ---
n_est=$(grep -c CALL_ESTABLISHED "$E2E_OUT/phone/events" || true)
out=$(standin POST /dial "{\"room\": \"room3@conference.$PROSODY_DOMAIN\", \"to\": \"sip:phone@127.0.0.1:15064\", \"target\": \"component\"}")
jq -e '.result == "result" and (.ref | test("^xmpp:room3@conference.meet.test/[0-9a-f]{8}$"))' <<< "$out" > /dev/null \
    || fail "the component's Rayo dial was not answered with our occupant URI: $out"
ref=$(jq -r .ref <<< "$out")
wait_until 10 "the phone to answer the component's call" \
    sh -c "[ \$(grep -c CALL_ESTABLISHED '$E2E_OUT/phone/events') -gt $n_est ]"
out=$(standin POST /hangup "{\"to\": \"$ref\"}")
jq -e '.result == "result"' <<< "$out" > /dev/null || fail "the Rayo hangup was not answered with a result: $out"
wait_until 10 "the phone to be hung up after the Rayo hangup" \
    sh -c "[ \$(grep -c CALL_CLOSED '$E2E_OUT/phone/events') -ge 2 ]"
jigasi_log_has 'Rayo hangup from room3@conference.meet.test/focus' || fail "the Rayo hangup was not logged with its sender"
standin_wait 5 "room3 to be left after the Rayo hangup" \
    '(.rooms["room3@conference.meet.test"] // ["none yet"]) | map(select(. != "focus")) | length == 0'
note "component dial answered with $ref; Rayo hangup ended the call"

out=$(standin POST /dial "{\"room\": \"room2@conference.$PROSODY_DOMAIN\", \"to\": \"+15551234567\", \"target\": \"brewery\"}")
jq -e '.result == "error" and .error == "internal-server-error"' <<< "$out" > /dev/null \
    || fail "an unroutable number was not refused: $out"
jigasi_log_has 'Rayo dial to \+15551234567 refused: cannot route' || fail "the refusal was not logged with its reason"
note "unroutable number refused: $(jq -c '{result, error}' <<< "$out")"
