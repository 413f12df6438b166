# Dialled numbers: a call to one of dialin.numbers (what Jitsi Meet's dial-in panel shows) reaches
# the IVR, although calls.routing has "uri", which would otherwise name a room after the number; a
# number in calls.numbers joins its own room with no IVR; any other number still goes by the
# request-URI user. baresip phones; the Jicofo + JVB stand-in is the conference.
#   1. sip:+15550100 (dialin.numbers "+1 555-0100"): answered at once, the meeting-ID prompt is
#      heard, room1's ID and # take the call into room1
#   2. sip:0049300100 (dialin.numbers "+49 30 0100", language "de", dialled with the international
#      prefix 00): the IVR in German, whose meeting-ID prompt the user's folder replaces with a
#      2750 Hz tone (ivr.prompts_folder/de/enter_meeting_id.wav): the phone hears that tone
#   2b. SIPp on +15550100 with "Accept-Language: fr;q=0.9, de-CH;q=0.8, en;q=0.5": fr is not
#      loaded, de is (de-CH -> de), so German: the 2750 Hz meeting-ID prompt is recorded (rtprec);
#      "Accept-Language: tlh" names nothing loaded: the number's English, logged as such
#   2c. INVITE tel:+49-30-0100 (SIPp): the IVR, in German; INVITE sip:127.0.0.1:5060 with To
#      tel:+1-555-0100 (a trunk delivering to our address): the IVR; sip:0300100 with calls.country_code "49":
#      the national form of +49 30 0100, the IVR in German
#   3. sip:15550199 (calls.numbers "+1 (555) 0199" -> Standup, language "de"): in room standup, by
#      "number", its prompts in German
#   4. sip:5550123: in room 5550123, by "uri", as before
#   5. reloaded (SIGHUP) with calls.numbers empty: sip:15550199 goes by "uri" to room 15550199
#   6. no room was asked for that is named after the dial-in number
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
MUC=conference.$PROSODY_DOMAIN
start_prosody
start_standin --tones 440 --expect 1000
mkdir -p "$E2E_OUT/prompts/de"
sox -n -r 16000 -c 1 -b 16 "$E2E_OUT/prompts/de/enter_meeting_id.wav" synth 3 sine 2750 vol 0.5
start_jigasi <<JSON
{ $(meet_and_sip_json),
  "media": { "min_port": 38000, "max_port": 38999 },
  "calls": { "numbers": [ { "number": "+1 (555) 0199", "room": "Standup", "language": "de" } ], "country_code": "49" },
  "ivr": { "prompts_folder": "$E2E_OUT/prompts" },
  "dialin": { "id_digits": 6, "numbers": [ { "country_code": "US", "number": "+1 555-0100", "default": true },
                                          { "country_code": "DE", "number": "+49 30 0100", "language": "de" } ] } }
JSON
sip_probe 5060 5
J=127.0.0.1:5060
source "$E2E_DIR/lib/ivr.sh"
jigasi_get /phoneNumberList | jq -e 'length == 2 and .[0] == {countryCode: "US", tollFree: false, formattedNumber: "+1 555-0100", default: true} and .[1].countryCode == "DE"' > /dev/null \
    || fail "/phoneNumberList does not show the dial-in number: $(jigasi_get /phoneNumberList)"
id1=$(meeting_id room1)
for p in alice:15062 bob:15064 carol:15066 dave:15068 erin:15070; do
    start_baresip "${p%%:*}" "${p%%:*}" "${p#*:}" --registrar none --tone 1000 --codecs pcmu --answermode manual
done
in_room() { standin_wait 10 "$1" "(.rooms[\"$2@$MUC\"] // []) | length == 1"; }
german_by_number() { grep -c "side=sip\\]: prompts in de (the number's)\$" "$E2E_OUT/jigasi.log"; }
routed_by() { jigasi_log_has "for room $1@$MUC \\(by $2\\)" || fail "jigasi-ng did not log the call for $1 as routed by $2"; }

# --- 1: the dial-in number reaches the IVR ---
dial alice "sip:+15550100@$J"
jigasi_log_has 'for the IVR \(dialled \+15550100\)' || fail "case 1: the call to the dial-in number was not taken to the IVR"
sleep 1.6
heard_speech "case 1: alice on the dial-in number (the meeting ID prompt)" alice 1200
baresip_dtmf alice "$id1#"
in_room "case 1: alice in room1 after typing its ID" room1
note "case 1: +1 555-0100 -> the IVR -> room1"

# --- 2: the German dial-in number, dialled as 0049 ---
jigasi_log_has 'IVR prompts: de, e\.g\. .*/prompts/de/enter_meeting_id\.wav' \
    || fail "case 2: the German prompts (a dial-in number's language) were not loaded with the user's file"
dial erin "sip:0049300100@$J"
jigasi_log_has 'for the IVR \(dialled 0049300100\)' || fail "case 2: 0049300100 was not taken to the IVR as +49 30 0100"
jigasi_log_has "side=sip\\]: prompts in de \\(the number's\\)\$" || fail "case 2: the call to the German number is not in German"
sleep 1.6
audio_check "case 2: erin on the German number (the user's German meeting-ID prompt)" \
    "$(baresip_recording erin dec)" --expect 2750 --skip-ms 0
baresip_cmd erin hangup > /dev/null
baresip_wait_event erin CALL_CLOSED 5
note "case 2: 0049 30 0100 -> the IVR in German"

# --- 2b: the caller's Accept-Language beats the number's (RFC 3261 §20.3) ---
# SIPp on the English number, its INVITE saying Accept-Language; rtprec records what it hears.
# SIPp sends no RTP here: jigasi-ng would latch onto the port it sends from (symmetric RTP) and
# not send to the SDP's, where rtprec listens.
variant_call() { # NAME PORT SINK SED-ARGS...: uac_tone.xml edited by sed, calling +15550100
    local name=$1 port=$2 sink=$3
    shift 3
    sed "$@" -e '/rtp_stream/d' "$SIP_DIR/sipp/uac_tone.xml" > "$E2E_OUT/uac_$name.xml"
    sipp_spawn "$name" "$E2E_OUT/uac_$name.xml" "$port" -s 15550100 "$J" -key media_sink "$sink" -m 1 -d 3000
}
accept_call() { # NAME PORT SINK ACCEPT-LANGUAGE
    variant_call "$1" "$2" "$3" -e "0,/Max-Forwards: 70/s|^\( *\)Max-Forwards: 70|&\n\1Accept-Language: $4|"
}
start_rtprec heard 40100
accept_call swiss 15080 40100 'fr;q=0.9, de-CH;q=0.8, en;q=0.5'
sipp_wait swiss 15
stop heard
jigasi_log_has 'side=sip\]: prompts in de \(Accept-Language\)$' \
    || fail "case 2b: Accept-Language 'fr;q=0.9, de-CH;q=0.8' did not give German prompts (fr is not loaded, de is)"
audio_check "case 2b: the SIPp caller with Accept-Language de-CH on the English number" \
    "$(rtprec_wavs heard 40100 | head -n 1)" --expect 2750 --skip-ms 0
accept_call klingon 15082 40102 'tlh, *;q=0.1'
sipp_wait klingon 15
jigasi_log_has "side=sip\\]: prompts in en \\(Accept-Language: tlh, \\*;q=0.1: none loaded\\)\$" \
    || fail "case 2b: Accept-Language naming no loaded language did not fall back to the number's (English)"
note "case 2b: Accept-Language de-CH -> German prompts on the English number; tlh -> English"

# --- 2c: tel: URIs (RFC 3966), as trunks send them ---
# The request-URI tel:+49-30-0100: the German number. Then a trunk's INVITE to our address with
# no user, the number in To as tel:+1-555-0100 (the To user counts only for such a request-URI).
variant_call telruri 15084 40104 -e '0,/INVITE sip:/s|INVITE sip:\[service\]@\[remote_ip\]:\[remote_port\]|INVITE tel:+49-30-0100|'
sipp_wait telruri 15
jigasi_log_has 'for the IVR \(dialled \+49-30-0100\)' || fail "case 2c: INVITE tel:+49-30-0100 was not taken to the IVR"
[ "$(german_by_number)" = 2 ] || fail "case 2c: the tel: call is not in German"
variant_call telto 15086 40106 -e '0,/INVITE sip:/s|INVITE sip:\[service\]@|INVITE sip:|' \
    -e '0,/^ *To: /s|To: <sip:\[service\]@\[remote_ip\]:\[remote_port\]>|To: <tel:+1-555-0100>|'
sipp_wait telto 15
jigasi_log_has 'for the IVR \(dialled To \+1-555-0100\)' || fail "case 2c: a call to our address with To tel:+1-555-0100 was not taken to the IVR"
note "case 2c: INVITE tel:+49-30-0100 -> the IVR in German; To tel:+1-555-0100 -> the IVR"
# In national form, with calls.country_code 49: 030 0100 is +49 30 0100.
variant_call national 15088 40108 -e '0,/INVITE sip:/s|INVITE sip:\[service\]@|INVITE sip:0300100@|'
sipp_wait national 15
jigasi_log_has 'for the IVR \(dialled 0300100\)' || fail "case 2c: 0300100 (national form, country code 49) was not taken to the IVR"
[ "$(german_by_number)" = 3 ] || fail "case 2c: the national-form call is not in German"
note "case 2c: 030 0100 with calls.country_code 49 -> the IVR in German"

# --- 3: a number with its own room ---
dial bob "sip:15550199@$J"
in_room "case 3: bob in standup" standup
routed_by standup number
[ "$(german_by_number)" = 4 ] || fail "case 3: bob's call is not in German"
note "case 3: +1 (555) 0199 -> standup, in German"

# --- 4: any other number, by the request-URI user ---
dial carol "sip:5550123@$J"
in_room "case 4: carol in room 5550123" 5550123
routed_by 5550123 uri
note "case 4: 5550123 -> room 5550123 (by uri)"

# --- 5: calls.numbers is live ---
cfg=$E2E_OUT/jigasi.json
jq '.calls.numbers = []' "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
kill -HUP "${E2E_PIDS[jigasi]}"
wait_until 5 "the reload of calls.numbers" jigasi_log_has 'reload: calls.numbers changed'
dial dave "sip:15550199@$J"
in_room "case 5: dave in room 15550199" 15550199
routed_by 15550199 uri
note "case 5: without calls.numbers, 15550199 -> room 15550199 (by uri)"

# --- 6: the end ---
for p in alice bob carol dave; do
    baresip_cmd "$p" hangup > /dev/null
    baresip_wait_event "$p" CALL_CLOSED 5
done
state > "$E2E_OUT/state-end.json"
jq -e '[(.rooms | keys) + (.roomInfo | keys) | unique[] | select(startswith("+") or startswith("15550100") or startswith("0049") or startswith("49300100") or startswith("0300100"))] | length == 0' \
    "$E2E_OUT/state-end.json" > /dev/null \
    || fail "a room named after the dial-in number was asked for: $(jq -c '.roomInfo | keys' "$E2E_OUT/state-end.json")"
