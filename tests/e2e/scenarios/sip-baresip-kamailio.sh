# Two baresip phones register with digest auth at kamailio (INVITEs challenged too); alice calls bob through kamailio (bob
# auto-answers), 440 Hz one way, 1000 Hz the other, both recordings checked; alice sends RFC 4733
# digits, bob must log them; a SIPp UAC sends SIP INFO DTMF to bob through kamailio (baresip 1.0 cannot
# send INFO DTMF itself), kamailio and bob must see it; hang-ups must close the calls on both sides.
source "$E2E_DIR/sip/sip.sh"
start_kamailio --auth-invite
start_baresip alice alice 15062 --tone 440 --answermode manual
start_baresip bob bob 15064 --tone 1000 --answermode auto
baresip_wait_registered alice 5
baresip_wait_registered bob 5
grep -q "REQ REGISTER .* from sip:alice@" "$E2E_OUT/kamailio.log" || fail "kamailio: no REGISTER from alice logged"

note "alice dials bob via kamailio"
baresip_cmd alice dial "sip:bob@127.0.0.1:$KAMAILIO_PORT" > /dev/null || fail "alice: dial command refused"
baresip_wait_event alice CALL_ESTABLISHED 5
baresip_wait_event bob CALL_ESTABLISHED 5
grep -q "REQ INVITE sip:bob@[^ ]* from sip:alice@" "$E2E_OUT/kamailio.log" \
    || fail "kamailio: alice's INVITE did not go through kamailio"
grep -q "CHALLENGE 407 INVITE from sip:alice@" "$E2E_OUT/kamailio.log" || fail "kamailio: alice's INVITE was not challenged (--auth-invite)"
sleep 2.5
note "alice sends RFC 4733 DTMF 12#"
baresip_dtmf alice '12#'
sleep 0.5
baresip_cmd alice hangup > /dev/null || fail "alice: hangup command refused"
baresip_wait_event alice CALL_CLOSED 5
baresip_wait_event bob CALL_CLOSED 5
digits=$(baresip_digits_received bob)
[ "$digits" = '12#' ] || fail "bob: received RFC 4733 digits '$digits', want '12#' (see bob.log)"
note "bob received RFC 4733 digits $digits"
audio_check "bob (heard alice)" "$(baresip_recording bob dec)" --expect 440 --absent 1000 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1
audio_check "alice (heard bob)" "$(baresip_recording alice dec)" --expect 1000 --absent 440 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1

note "SIPp calls bob via kamailio and sends INFO DTMF (dtmf-relay 4, dtmf 7)"

sipp_run info uac_info_dtmf.xml 15070 -s bob "127.0.0.1:$KAMAILIO_PORT" -m 1 -l 1
grep -q 'INFO body: Signal=4' "$E2E_OUT/kamailio.log" || fail "kamailio: did not relay the INFO application/dtmf-relay"
grep -q "received DTMF: '4'" "$E2E_OUT/bob.log" || fail "bob: did not log the INFO application/dtmf-relay digit 4"
if grep -q "received DTMF: '7'" "$E2E_OUT/bob.log"; then note "bob got INFO DTMF 4 and 7"; else note "bob got INFO DTMF 4 (baresip 1.0 ignores application/dtmf: 7 not logged)"; fi
baresip_wait_event bob CALL_CLOSED 5
[ "$(grep -c '"type": "CALL_CLOSED"' "$E2E_OUT/bob/events")" -ge 2 ] || fail "bob: the INFO call did not close"
