# Proves the SIPp scenario files against each other (SIPp UAC <-> SIPp UAS, some via kamailio), with
# every RTP direction landing in an RTP recorder (rtprec.py), so a test fails when no RTP flows:
#   tone     uac_tone (440 Hz) <-> uas_tone (1000 Hz), direct: both directions recorded and checked
#   late     uac_late_offer <-> uas_tone via kamailio: offer in 200, answer in ACK; both directions
#   room     uac_room via kamailio: the UAS must receive the four room headers; RTP recorded
#   pcap     uac_pcap: PCMA speech + RFC 2833 digits 1 2 # replayed from the Debian pcaps
#   info     uac_info_dtmf: two INFOs answered 200 by uas_tone
#   cancel   uac_cancel <-> uas_busy via kamailio: CANCEL while ringing, 487
#   busy     uac_rejected <-> uas_busy: rings 2 s, then 486
#   load     uac_load, 5 concurrent calls: 5 distinct SDP ports ([auto_media_port]), 5 distinct 440 Hz
#            RTP streams (SSRCs) recorded
source "$E2E_DIR/sip/sip.sh"
K=127.0.0.1:15060
start_kamailio
start_rtprec rtp 40000 40002 40004 40006 40008 40010 40012 40020

note "7 call types in parallel"
sipp_spawn tone-uas uas_tone.xml 15072 --tone 1000 -key media_sink 40000 -m 1
sipp_spawn late-uas uas_tone.xml 15074 --tone 1000 -key media_sink 40004 -m 1
sipp_spawn room-uas uas_tone.xml 15076 --tone 1000 -key media_sink 40008 -m 1
sipp_spawn pcap-uas uas_tone.xml 15078 --tone 1000 -key media_sink 40012 -m 1
sipp_spawn info-uas uas_tone.xml 15088 -m 1
sipp_spawn cancel-uas uas_busy.xml 15092 -m 1
sipp_spawn busy-uas uas_busy.xml 15096 -m 1
sipp_spawn tone-uac uac_tone.xml 15080 -s tone 127.0.0.1:15072 -key media_sink 40002 -m 1 -d 2000
sipp_spawn late-uac uac_late_offer.xml 15082 -s late 127.0.0.1:15074 -rsa $K -key media_sink 40006 -m 1 -d 2000
sipp_spawn room-uac uac_room.xml 15084 -s room 127.0.0.1:15076 -rsa $K -key media_sink 40010 -m 1 -d 2000 \
    -key room room1@conference.meet.test -key x_room room1 -key room_pass s3cret -key domain_base meet.test
sipp_spawn pcap-uac uac_pcap.xml 15086 -s pcap 127.0.0.1:15078 -m 1
sipp_spawn info-uac uac_info_dtmf.xml 15090 -s info 127.0.0.1:15088 -m 1
sipp_spawn cancel-uac uac_cancel.xml 15094 -s cancel 127.0.0.1:15092 -rsa $K -m 1
sipp_spawn busy-uac uac_rejected.xml 15098 -s busy 127.0.0.1:15096 -m 1
for n in tone late room pcap info cancel busy; do sipp_wait $n-uac 15; sipp_wait $n-uas 5; done

for h in 'Jitsi-Conference-Room: room1@conference.meet.test' 'X-Room-Name: room1' \
    'Jitsi-Conference-Room-Pass: s3cret' 'Jitsi-Conference-Domain-Base: meet.test'; do
    grep -q "^$h" "$E2E_OUT/room-uas/messages.log" || fail "room-uas: INVITE via kamailio lacks '$h'"
done
[ "$(grep -c '^INFO ' "$E2E_OUT/info-uas/messages.log")" = 2 ] || fail "info-uas: did not receive 2 INFOs"
grep -q 'REQ CANCEL' "$E2E_OUT/kamailio.log" || fail "kamailio: the CANCEL did not pass through it"

note "load: 5 concurrent calls with [auto_media_port]"
sipp_spawn load-uas uas_tone.xml 15072 -key media_sink 40020 -m 5
sipp_spawn load-uac uac_load.xml 15080 -s load 127.0.0.1:15072 -r 20 -l 5 -m 5 -d 2000
sipp_wait load-uac 20
sipp_wait load-uas 5
stop rtp

rtprec_check rtp --port 40000 --pt 0 --min-packets 80
rtprec_check rtp --port 40002 --pt 0 --min-packets 80
rtprec_check rtp --port 40004 --pt 0 --min-packets 80
rtprec_check rtp --port 40006 --pt 0 --min-packets 80
rtprec_check rtp --port 40008 --pt 0 --min-packets 80
rtprec_check rtp --port 40010 --pt 0 --min-packets 80
rtprec_check rtp --port 40012 --pt 8 --min-packets 90 --digits '12#'
rtprec_check rtp --port 40020 --pt 0 --min-packets 80 --streams 5
check_port() { # PORT WHO HZ NOT_HZ
    local f
    for f in $(rtprec_wavs rtp "$1"); do
        audio_check "$2" "$f" --expect "$3" --absent "$4" --skip-ms 500 --max-gap-ms 60 --min-seconds 1
    done
}
check_port 40000 "tone-uas heard" 440 1000
check_port 40002 "tone-uac heard" 1000 440
check_port 40004 "late-uas heard" 440 1000
check_port 40006 "late-uac heard" 1000 440
check_port 40010 "room-uac heard" 1000 440
check_port 40020 "load-uas heard" 440 1000
# SIPp 3.6.1's rtp_stream sends every call's stream from the one -mp socket (distinct SSRCs, checked
# above as 5 streams); [auto_media_port] gives each call its own port in the SDP:
ports=$(grep -o '^m=audio [0-9]*' "$E2E_OUT/load-uac/messages.log" | grep -v ' 40020$' | sort -u | wc -l)
[ "$ports" -ge 5 ] || fail "load-uac: the 5 calls offered $ports distinct SDP ports, want 5 ([auto_media_port])"
