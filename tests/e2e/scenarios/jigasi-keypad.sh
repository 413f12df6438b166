# Keypad controls (issue 8 item 4): the caller's keys act on the conference directly, since
# jigasi-ng is the participant. baresip sends RFC 4733 keys.
#   - *6 mutes (the stand-in sees audiomuted true), *6 again unmutes
#   - *9 raises the hand (jitsi_participant_raisedHand in presence), *9 again lowers it
#   - other keys (1, 2) go to the conference as telephone-events (the call record counts 2 sent)
#   - with AV moderation on and no approval, *6 while muted does not unmute: it raises the hand
#   - calls.info_json: the phone side gets Jigasi's SIP INFO JSON (jitsi-protocol.md §5.7): t=8
#     when AV moderation goes on, a typed muteRequest when the focus mutes the caller; baresip
#     answers them 200
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
MUC=conference.$PROSODY_DOMAIN
RECORDS=$E2E_OUT/calls.jsonl
start_prosody
start_standin --tones 440 --expect 1000
start_jigasi <<JSON
{ "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "$MUC" } ] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 36000, "max_port": 36999 },
  "log": { "subsystems": { "call": "debug" } },
  "calls": { "records_file": "$RECORDS", "info_json": true } }
JSON
sip_probe 5060 5
R=room1@$MUC
start_baresip phone phone 15062 --registrar none --tone 1000 --codecs pcmu --answermode manual
baresip_cmd phone dial "sip:room1@127.0.0.1:5060" > /dev/null || fail "phone: dial refused"
baresip_wait_event phone CALL_ESTABLISHED 15
nick=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -r --arg r "$R" '.rooms[$r][0] // empty')
[ -n "$nick" ] || fail "the call is up but the stand-in has no occupant in room1"
occ() { echo ".occupants[\"$R\"][\"$nick\"]"; }
standin_wait 10 "the bridge to hear the phone" "any(.sessions[]; .endpoint == \"$nick\" and .firstAudio != null)"

baresip_dtmf phone "*6"
standin_wait 5 "*6: our presence audiomuted" "$(occ).audiomuted == true"
baresip_dtmf phone "*6"
standin_wait 5 "*6 again: unmuted" "$(occ).audiomuted == false"
baresip_dtmf phone "*9"
standin_wait 5 "*9: the hand raised" "($(occ).raisedHand // \"\") != \"\""
baresip_dtmf phone "*9"
standin_wait 5 "*9 again: the hand lowered" "($(occ).raisedHand // \"\") == \"\""
note "*6 and *9 toggled mute and the raised hand"
baresip_dtmf phone "12"
sleep 1

standin POST /av-moderation "{\"endpoint\": \"$nick\", \"payload\": {\"enabled\": true}}" > /dev/null
wait_until 5 "jigasi-ng to take AV moderation on" jigasi_log_has 'AV moderation of audio: on'
baresip_dtmf phone "*6"
standin_wait 5 "*6 under AV moderation: muted" "$(occ).audiomuted == true"
baresip_dtmf phone "*6"
standin_wait 5 "*6 to unmute without approval: the hand goes up instead" "($(occ).raisedHand // \"\") != \"\""
sleep 1
standin_wait 2 "still muted" "$(occ).audiomuted == true"
jigasi_log_has 'keypad: unmute refused \(AV moderation\); raising the hand instead' || fail "the refusal was not logged"
note "AV moderation: unmute refused, hand raised"
jigasi_log_has 'INFO \{"i":[0-9]+,"t":8,"d":true\} sent' || fail "no SIP INFO t=8 for AV moderation on (calls.info_json)"
standin POST /mute "{\"endpoint\": \"$nick\", \"muted\": false}" > /dev/null
wait_until 5 "a typed muteRequest INFO to the phone" jigasi_log_has 'INFO \{"type":"muteRequest","id":"[0-9a-f]{32}","data":\{"audio":false\}\} sent'
grep -q 'INFO' "$E2E_OUT/phone.log" || note "(baresip does not log the INFOs it answers)"
note "SIP INFO JSON: t=8 and muteRequest sent"

baresip_cmd phone hangup > /dev/null
baresip_wait_event phone CALL_CLOSED 5
wait_until 5 "the call record" test -s "$RECORDS"
jq -e '.media.bridge.dtmf_sent == 2 and .media.phone.dtmf_received >= 10' "$RECORDS" > /dev/null \
    || fail "the record does not show the two relayed keys (and the phone's ten): $(jq -c '{b: .media.bridge.dtmf_sent, p: .media.phone.dtmf_received}' "$RECORDS")"
note "1 and 2 reached the conference as telephone-events; the codes did not"
