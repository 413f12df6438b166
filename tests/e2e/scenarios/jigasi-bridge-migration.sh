# Bridge migration (issue 7 item 3, jitsi-protocol.md §4.3): Jicofo moves a call to another bridge
# with transport-replace (the stand-in opens a new libwebrtc PeerConnection: new ICE credentials,
# new DTLS certificate, new sources). jigasi-ng answers transport-accept in place — no rejoin, the
# phone's call goes on — with the same source (SSRC) as before.
#   - the IQ is answered result, then transport-accept arrives with the new transport
#   - the new bridge hears the phone's 1000 Hz (the verdict checks every bridge generation)
#   - the phone hears the conference before and after, with no gap over 300 ms (the switch)
#   - our occupant never left the room; total_calls_with_jvb_migrate counts the call once
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
start_prosody
start_standin --tones 440,660 --expect 1000
start_jigasi <<JSON
{ "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "conference.$PROSODY_DOMAIN" } ] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 34000, "max_port": 34999 } }
JSON
sip_probe 5060 5
R=room1@conference.$PROSODY_DOMAIN
start_baresip phone phone 15062 --registrar none --tone 1000 --codecs pcmu --answermode manual
baresip_cmd phone dial "sip:room1@127.0.0.1:5060" > /dev/null || fail "phone: dial refused"
baresip_wait_event phone CALL_ESTABLISHED 15
nick=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -r --arg r "$R" '.rooms[$r][0] // empty')
[ -n "$nick" ] || fail "the call is up but the stand-in has no occupant in room1"
standin_wait 10 "the first bridge to hear the phone" "any(.sessions[]; .endpoint == \"$nick\" and .firstAudio != null)"
sleep 3
out=$(standin POST /transport-replace "{\"endpoint\": \"$nick\"}")
jq -e '.sent == true' <<< "$out" > /dev/null || fail "the stand-in could not send transport-replace: $out"
standin_wait 10 "transport-accept from jigasi-ng" \
    "any(.sessions[]; .endpoint == \"$nick\" and .transportAccept != null and .generation == 1)"
jigasi_log_has 'transport-replace: moving to a new bridge transport' || fail "jigasi-ng did not log the migration"
sleep 4
stats=$(jigasi_get /about/stats)
jq -e '.total_calls_with_jvb_migrate == 1 and .conferences == 1' <<< "$stats" > /dev/null \
    || fail "/about/stats after the migration: $(jq -c '{total_calls_with_jvb_migrate, conferences}' <<< "$stats")"
baresip_cmd phone hangup > /dev/null
baresip_wait_event phone CALL_CLOSED 5
audio_check "phone (heard the conference across the migration)" "$(baresip_recording phone dec)" \
    --expect 440,660 --absent 1000 --skip-ms 1000 --max-gap-ms 300 --min-seconds 6
standin_wait 5 "room1 to be left after the hang-up" \
    '(.rooms["room1@conference.meet.test"] // ["none yet"]) | map(select(. != "focus")) | length == 0'
# No rejoin: the stand-in saw our occupant join once (one session, same nick throughout).
joins=$(grep -F '"dir":"in"' "$E2E_OUT/standin-stanzas.jsonl" | grep -F "presence" | grep -F "$R/$nick" | grep -vc 'unavailable' || true)
[ "$joins" -ge 1 ] || fail "no presence of $nick seen"
jigasi_log_has "joining $R as" || fail "no join logged"
[ "$(grep -c "joining $R as \"" "$E2E_OUT/jigasi.log")" = 1 ] || fail "jigasi-ng joined the room more than once (a rejoin)"
check_verdict
note "migrated in place: transport-accept sent, the new bridge heard the phone"
