# Keypad controls (issue 8 item 4): the caller's keys act on the conference directly, since
# jigasi-ng is the participant. baresip sends RFC 4733 keys.
#   - *6 mutes (the stand-in sees audiomuted true), *6 again unmutes
#   - *9 raises the hand (jitsi_participant_raisedHand in presence), *9 again lowers it
#   - each of these is confirmed by a spoken prompt the phone hears over the conference's 440 Hz
#     tone (lib/speech.js --notch 440), and nothing speech-like is heard before the first key
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
{ $(meet_and_sip_json),
  "media": { "min_port": 36000, "max_port": 36999 },
  "log": { "subsystems": { "call": "debug" } },
  "calls": { "records_file": "$RECORDS", "info_json": true } }
JSON
sip_probe 5060 5
R=room1@$MUC
# 1000 Hz for the whole call (the prompts' checks make it outlast the bench's 20 s tone files)
start_baresip phone phone 15062 --registrar none --wav "$(long_tone 1000 60)" --codecs pcmu --answermode manual
baresip_cmd phone dial "sip:room1@127.0.0.1:5060" > /dev/null || fail "phone: dial refused"
baresip_wait_event phone CALL_ESTABLISHED 15
nick=$(curl -sf "http://127.0.0.1:$STANDIN_PORT/state" | jq -r --arg r "$R" '.rooms[$r][0] // empty')
[ -n "$nick" ] || fail "the call is up but the stand-in has no occupant in room1"
occ() { echo ".occupants[\"$R\"][\"$nick\"]"; }
standin_wait 10 "the bridge to hear the phone" "any(.sessions[]; .endpoint == \"$nick\" and .firstAudio != null)"

# The confirmations: what the phone received from a key on, the conference's tone taken out, is
# speech. Each key waits for a pause after the previous prompt, so that nothing of that one counts.
rec=$(baresip_recording phone dec)
heard() { node "$E2E_DIR/lib/speech.js" check "$rec" "$@" --notch 440; }
quiet() { local rc=0; heard --last-ms 700 > /dev/null 2>&1 || rc=$?; [ "$rc" = 1 ]; }  # 2: speech.js failed
KEY_MARK=0
key() {
    wait_until 5 "a pause before the key $1" quiet
    sleep 0.5  # the end of a prompt's last word
    KEY_MARK=$(recorded_ms "$rec")
    baresip_dtmf phone "$1"
}
confirmed() {
    wait_until 4 "the phone to hear the prompt confirming $1" heard --from-ms "$KEY_MARK"
    note "$1: confirmed by a prompt"
}
sleep 1
node "$E2E_DIR/lib/speech.js" check "$rec" --last-ms 1000 > "$E2E_OUT/before-keys-raw.json" 2> /dev/null || true  # a tone: not speech
jq -e '.dominantHz == 440 and .toneShare > 0.9' "$E2E_OUT/before-keys-raw.json" > /dev/null \
    || fail "the phone does not hear the conference's 440 Hz tone before the keys: $(cat "$E2E_OUT/before-keys-raw.json")"
heard --last-ms 1000 > "$E2E_OUT/before-keys.json" 2>&1 \
    && fail "speech heard before any key (so the checks below would prove nothing): $(cat "$E2E_OUT/before-keys.json")"

key "*6"
standin_wait 5 "*6: our presence audiomuted" "$(occ).audiomuted == true"
confirmed "mute"
key "*6"
standin_wait 5 "*6 again: unmuted" "$(occ).audiomuted == false"
confirmed "unmute"
key "*9"
standin_wait 5 "*9: the hand raised" "($(occ).raisedHand // \"\") != \"\""
confirmed "the raised hand"
key "*9"
standin_wait 5 "*9 again: the hand lowered" "($(occ).raisedHand // \"\") == \"\""
confirmed "the lowered hand"
note "*6 and *9 toggled mute and the raised hand"
baresip_dtmf phone "12"
sleep 1

standin POST /av-moderation "{\"endpoint\": \"$nick\", \"payload\": {\"enabled\": true}}" > /dev/null
wait_until 5 "jigasi-ng to take AV moderation on" jigasi_log_has 'AV moderation of audio: on'
key "*6"
standin_wait 5 "*6 under AV moderation: muted" "$(occ).audiomuted == true"
confirmed "mute under AV moderation"
key "*6"
standin_wait 5 "*6 to unmute without approval: the hand goes up instead" "($(occ).raisedHand // \"\") != \"\""
confirmed "the refusal to unmute"
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
