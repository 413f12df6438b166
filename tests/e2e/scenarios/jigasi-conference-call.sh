# Conference calls through the dial-in gateway, with the room chosen by header, a room password,
# three web participants, a moderator mute and both ways of hanging up. Real peers: Prosody, the
# Jicofo + JVB stand-in (libwebrtc, web participants at 440, 660 and 880 Hz), SIPp and baresip.
#   - header routing: an INVITE to sip:gateway@ with "Jitsi-Conference-Room: roomh" joins roomh
#     (the stand-in sees our occupant there, and no room "gateway" is ever asked for)
#   - room password: roompw locked by the focus; "Jitsi-Conference-Room-Pass" right -> 200 and our
#     occupant in roompw; wrong -> a final 403 with a Warning header
#   - the SIPp phones hang up (BYE): we leave, no occupant is left in their rooms but the focus
#   - a baresip phone in roomm hears the three web participants at once (440 + 660 + 880 Hz), not
#     its own 1000 Hz, with no gap over 60 ms; the bridge hears its 1000 Hz (the verdict)
#   - moderator mute (the focus' mute IQ to our occupant): our presence says audiomuted, and the
#     bridge stops hearing the phone (--check-mute: the muted part of the bridge's recording must
#     not hold 1000 Hz); unmuted: presence back to false, the tone back with no gap over 60 ms
#   - the focus kicks our occupant: the phone gets a BYE, the room is left to the focus
#   - /about/stats and /stats count no call, conference or participant afterwards
#   - the bridge hears the SIPp phones' 1000 Hz too (the verdict). FAILS for now: jigasi-ng's 200
#     has two Content-Type headers, so SIPp ignores its SDP and sends no RTP (checked by name first)
source "$E2E_DIR/jitsi/bench.sh"
source "$E2E_DIR/sip/sip.sh"
MUC=conference.$PROSODY_DOMAIN
start_prosody
start_standin --tones 440,660,880 --spare "" --expect 1000 --check-mute
start_jigasi <<JSON
{ "log": { "subsystems": { "xmpp": "info" } },
  "xmpp": { "servers": [
      { "id": "meet", "domain": "$PROSODY_DOMAIN", "host": "127.0.0.1", "port": $PROSODY_C2S, "tls": "none",
        "muc_domain": "$MUC" } ] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 32000, "max_port": 32999 } }
JSON
sip_probe 5060 5
state() { curl -sf "http://127.0.0.1:$STANDIN_PORT/state"; }
# no_one_but_focus ROOM WHY: the room has no occupant left but the focus
no_one_but_focus() {
    standin_wait 5 "$1 to be left ($2)" "(.rooms[\"$1@$MUC\"] // [\"never joined\"]) | length == 0"
}

# --- header routing and room password (SIPp: it can add headers) ---
standin POST /lock "{\"room\":\"roompw@$MUC\",\"password\":\"s3cret\"}" > "$E2E_OUT/lock.json"
jq -e '.result == "result" and .locked == true' "$E2E_OUT/lock.json" > /dev/null \
    || fail "the stand-in could not lock roompw: $(cat "$E2E_OUT/lock.json")"
# The wrong password must end in a 403 (after an optional 180), which SIPp ACKs: uac_room.xml up
# to its 200, with one fixed branch (the ACK of a non-2xx belongs to the INVITE's transaction).
local_sipp="$E2E_OUT/local-sipp"
mkdir -p "$local_sipp/sipp"
sed -e 's/name="UAC with Jitsi room headers"/name="UAC with room headers, expects 403"/' \
    -e 's/branch=\[branch\]/branch=z9hG4bK[pid]w[call_number]/' \
    -e '/<recv response="200"/,$d' "$SIP_DIR/sipp/uac_room.xml" > "$local_sipp/sipp/uac_room_403.xml"
cat >> "$local_sipp/sipp/uac_room_403.xml" <<'XML'
  <recv response="403"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]w[call_number]
      From: "SIPp tone" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML
J=127.0.0.1:5060
sipp_spawn hdr uac_room.xml 15070 --tone 1000 -s gateway $J -m 1 -l 1 -d 5000 \
    -key room roomh -key x_room "" -key room_pass "" -key domain_base ""
sipp_spawn rightpw uac_room.xml 15072 --tone 1000 -s gateway $J -m 1 -l 1 -d 5000 \
    -key room roompw -key x_room "" -key room_pass s3cret -key domain_base ""
SIP_DIR=$local_sipp sipp_spawn wrongpw uac_room_403.xml 15074 --tone 1000 -s gateway $J -m 1 -l 1 \
    -key room roompw -key x_room "" -key room_pass wrong -key domain_base ""
standin_wait 15 "our occupant in roomh (INVITE to sip:gateway@ with Jitsi-Conference-Room: roomh)" \
    "(.rooms[\"roomh@$MUC\"] // []) | length == 1"
standin_wait 15 "our occupant in the locked roompw (right Jitsi-Conference-Room-Pass)" \
    "(.rooms[\"roompw@$MUC\"] // []) | length == 1"
sipp_wait wrongpw 15
msg403=$(tr -d '\r' < "$E2E_OUT/wrongpw/messages.log" | awk '/^SIP\/2.0 403/ {p = 1} p && /^$/ {exit} p')
grep -q '^Warning: 399 jigasi-ng ".*"' <<< "$msg403" \
    || fail "wrongpw: the 403 for the wrong room password has no 'Warning: 399 jigasi-ng' header: $(tr '\n' '|' <<< "$msg403")"
note "wrong password: $(head -n 1 <<< "$msg403"), $(grep '^Warning:' <<< "$msg403")"
sipp_wait hdr 20
sipp_wait rightpw 20
grep -q '^SIP/2.0 200' "$E2E_OUT/rightpw/messages.log" || fail "rightpw: no 200 for the right room password"
no_one_but_focus roomh "the header phone hung up"
no_one_but_focus roompw "the password phone hung up"
state > "$E2E_OUT/state-sipp.json"
jq -e --arg g "gateway@$MUC" '.rooms | has($g) | not' "$E2E_OUT/state-sipp.json" > /dev/null \
    || fail "the INVITE to sip:gateway@ went to room gateway despite its Jitsi-Conference-Room header"
jq -e --arg r "roompw@$MUC" '[.occupants[$r][]] | length == 1' "$E2E_OUT/state-sipp.json" > /dev/null \
    || fail "roompw saw $(jq --arg r "roompw@$MUC" '.occupants[$r] | length' "$E2E_OUT/state-sipp.json") occupants; only the right password should get in"
note "header routing and room password: ok; the SIPp phones' BYE left the rooms"

# --- three web participants, mute, kick (baresip) ---
R=roomm@$MUC
start_baresip phone phone 15062 --registrar none --tone 1000 --codecs pcmu --answermode manual
baresip_cmd phone dial "sip:roomm@$J" > /dev/null || fail "phone: dial refused"
baresip_wait_event phone CALL_ESTABLISHED 15
nick=$(state | jq -r --arg r "$R" '.rooms[$r][0] // empty')
[ -n "$nick" ] || fail "the phone's call is up but the stand-in has no occupant in roomm"
standin_wait 10 "the bridge to hear the phone" "any(.sessions[]; .endpoint == \"$nick\" and .firstAudio != null)"
presence_muted() {  # presence_muted true|false: our occupant's presence in the stand-in's /state
    standin_wait 5 "our presence in roomm to say audiomuted $1" ".occupants[\"$R\"][\"$nick\"].audiomuted == $1"
}
presence_muted false
sleep 3  # the bridge's recording before the mute: a skipped second + 2 s of tone
standin POST /mute "{\"endpoint\":\"$nick\",\"muted\":true}" > "$E2E_OUT/mute.json"
jq -e '.result == "result"' "$E2E_OUT/mute.json" > /dev/null || fail "the mute IQ was not answered with result: $(cat "$E2E_OUT/mute.json")"
presence_muted true
note "muted: the IQ answered in $(jq '.resultMs - .sentMs' "$E2E_OUT/mute.json") ms, the presence says audiomuted"
sleep 3
standin POST /mute "{\"endpoint\":\"$nick\",\"muted\":false}" > "$E2E_OUT/unmute.json"
jq -e '.result == "result"' "$E2E_OUT/unmute.json" > /dev/null || fail "the unmute IQ was not answered with result: $(cat "$E2E_OUT/unmute.json")"
presence_muted false
sleep 3
standin POST /kick "{\"room\":\"$R\",\"nick\":\"$nick\",\"reason\":\"kicked by the test\"}" > "$E2E_OUT/kick.json"
jq -e '.result == "result"' "$E2E_OUT/kick.json" > /dev/null || fail "the stand-in could not kick $nick: $(cat "$E2E_OUT/kick.json")"
baresip_wait_event phone CALL_CLOSED 10
closed=$(grep '"type": "CALL_CLOSED"' "$E2E_OUT/phone/events" | jq -r .param)
[ "$closed" = "Connection reset by peer" ] || fail "phone: the call closed with '$closed', not by a BYE from jigasi-ng"
no_one_but_focus roomm "our occupant was kicked"
note "kicked: the phone got a BYE ($closed)"
audio_check "phone (heard the conference)" "$(baresip_recording phone dec)" \
    --expect 440,660,880 --absent 1000 --skip-ms 1000 --max-gap-ms 60 --min-seconds 6
stop phone

# --- nothing left running ---
wait_until 5 "/about/stats to count no conference and no participant" \
    sh -c "curl -sf http://127.0.0.1:$JIGASI_HTTP/about/stats | jq -e '.conferences == 0 and .participants == 0'"
wait_until 5 "/stats to count no active call" sh -c "curl -sf http://127.0.0.1:$JIGASI_HTTP/stats | jq -e '.activeCalls == 0'"
note "stats: $(jigasi_get /about/stats | jq -c '{conferences, participants, total_participants, total_conferences_completed}'), $(jigasi_get /stats | jq -c '{activeCalls}')"
standin POST /verdict > /dev/null  # ends the sessions and analyses the bridge's recordings
# The mute seen from the bridge: three parts (before, muted, after), each with at least a second
# analysed, 1000 Hz only while unmuted. (check_verdict below checks the same per part; this makes
# sure the cut happened and says what the parts held.)
jq -e --arg e "$nick" '[.sessions[] | select(.endpoint == $e) | .audio[] | .parts // empty] | length == 1 and
       (.[0] | map(.muted) == [false, true, false] and all(.[]; .seconds >= 1 and .ok) and (.[1].tones["1000"].share < 0.02)
        and .[0].tones["1000"].present and .[2].tones["1000"].present)' "$E2E_OUT/verdict.json" > /dev/null \
    || fail "the bridge's recording of the phone is not unmuted/muted/unmuted with 1000 Hz only while unmuted: $(jq -c --arg e "$nick" '[.sessions[] | select(.endpoint == $e) | .audio[] | .parts // [] | .[] | {muted, fromMs, toMs, seconds, tones, problems}]' "$E2E_OUT/verdict.json")"
note "bridge: the phone's 1000 Hz before the mute, $(jq -r --arg e "$nick" '.sessions[] | select(.endpoint == $e) | .audio[0].parts[1].tones["1000"].share * 100' "$E2E_OUT/verdict.json")% of it while muted, back after the unmute"
# KNOWN jigasi-ng BUG (fails this scenario until fixed): the gateway's 200 to a dial-in INVITE
# carries Content-Type twice (RFC 3261 §7.3.1: not a list header, so one only). SIPp then ignores
# the SDP and its rtp_stream sends nothing, so the bridge hears silence from the SIPp phones and
# the verdict below fails on them.
for p in hdr rightpw; do
    n=$(tr -d '\r' < "$E2E_OUT/$p/messages.log" | awk '/^SIP\/2.0 200/ {p = 1} p && /^$/ {exit} p' | grep -ci '^content-type:' || true)
    [ "$n" = 1 ] || fail "$p: jigasi-ng's 200 to the INVITE has $n Content-Type headers (SIPp then ignores its SDP and sends no RTP; see $p/messages.log)"
done
check_verdict  # the bridge heard 1000 Hz from every phone (SIPp's and baresip's), no gap over 60 ms
