# jigasi-ng's built-in registrar with digest auth, and calls from registered phones:
#   - users alice (plain password) and bob (ha1_md5 = md5("bob:jigasi-ng:bobpass"), computed here),
#     sip.inbound "authenticated", sip.unknown "challenge"
#   - baresip alice and bob REGISTER to jigasi-ng (401, then 200); mallory (alice with a wrong
#     password) gets 403; /stats shows registrations == 2
#   - alice calls sip:echo@127.0.0.1:5060: the INVITE is challenged (401), baresip answers with
#     credentials, the call is echoed (alice hears her 440 Hz tone)
#   - an INVITE from SIPp without credentials gets 401 with a WWW-Authenticate challenge
#   - bob stops (baresip un-REGISTERs on SIGTERM): registrations == 1 within 2 s
source "$E2E_DIR/sip/sip.sh"
bob_ha1=$(python3 -c 'import hashlib; print(hashlib.md5(b"bob:jigasi-ng:bobpass").hexdigest())')
start_jigasi <<JSON
{ "xmpp": { "servers": [] }, "log": { "subsystems": { "sip": "debug" } },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 },
                       { "transport": "tcp", "address": "127.0.0.1", "port": 5060 } ],
           "registrar": { "realm": "jigasi-ng",
                          "users": [ { "user": "alice", "password": "alicepass" },
                                     { "user": "bob", "ha1_md5": "$bob_ha1" } ] },
           "inbound": "authenticated", "unknown": "challenge" },
  "media": { "min_port": 40000, "max_port": 40999 } }
JSON
sip_probe 5060 5
J=127.0.0.1:5060
registrations() { jigasi_get /stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["registrations"])'; }

note "alice (password) and bob (HA1) register"
start_baresip alice alice 15062 --registrar $J --password alicepass --tone 440 --answermode manual
start_baresip bob bob 15064 --registrar $J --password bobpass
for who in alice bob; do
    # baresip's own error (e.g. "Register: Function not implemented": libre 1.1 gives up on a challenge
    # with an algorithm it does not know, such as SHA-256) comes without a status line: name it
    wait_until 5 "$who's REGISTER outcome (see $who.log)" grep -qE '\} [0-9]{3} |reg: ' "$E2E_OUT/$who.log"
    if line=$(grep -m1 -E 'reg: .*Register: ' "$E2E_OUT/$who.log"); then
        fail "$who could not register: $(sed 's/\x1b\[[0-9;]*m//g; s/^reg: //' <<< "$line") (baresip 1.0 / libre 1.1 answers only MD5 challenges and gives up on any other algorithm in the 401)"
    fi
    baresip_wait_registered $who 5
done

note "mallory: alice's name, wrong password"
start_baresip mallory alice 15066 --registrar $J --password wrongpass
wait_until 5 "mallory's REGISTER to be refused (see mallory.log)" \
    grep -qE '^[^ ]+@[^ ]+: \{[^}]*\} [3456][0-9][0-9] |reg: .*[3456][0-9][0-9] ' "$E2E_OUT/mallory.log"
line=$(grep -m1 -E '^[^ ]+@[^ ]+: \{[^}]*\} [3456][0-9][0-9] |reg: .*[3456][0-9][0-9] ' "$E2E_OUT/mallory.log" | sed 's/\x1b\[[0-9;]*m//g')
[[ "$line" == *" 403 "* ]] || fail "mallory (wrong password): expected 403, baresip logged: $line"
note "mallory refused: $line"
stop mallory-ctl
stop mallory
grep -qE '\} 200 OK' "$E2E_OUT/mallory.log" && fail "mallory: a REGISTER with a wrong password got 200"

n=$(registrations) || fail "jigasi-ng: GET /stats failed"
[ "$n" = 2 ] || fail "jigasi-ng /stats: registrations = $n after alice and bob registered (expected 2)"
note "/stats registrations = 2"

note "alice calls the echo extension (INVITE challenged, answered with digest)"
baresip_cmd alice dial "sip:echo@$J" > /dev/null || fail "alice: dial refused"
baresip_wait_event alice CALL_ESTABLISHED 5
sleep 3
baresip_cmd alice hangup > /dev/null
baresip_wait_event alice CALL_CLOSED 5
audio_check "alice (heard the echo)" "$(baresip_recording alice dec)" --expect 440 --skip-ms 1000 --max-gap-ms 60 --min-seconds 1
jigasi_log_has 'side=sip\]: INVITE from udp:127.0.0.1:15062' || fail "jigasi-ng: no echo call from alice in its log"
jigasi_log_has 'INVITE from udp:127.0.0.1:15062 without usable credentials' \
    || fail "jigasi-ng: alice's first INVITE was not challenged (sip.inbound authenticated)"

note "SIPp without credentials: 401"
local_sipp="$E2E_OUT/local-sipp"
mkdir -p "$local_sipp/sipp"
cat > "$local_sipp/sipp/uac_expect_401.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAC without credentials expects 401">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]a[call_number]
      From: "SIPp" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="401">
    <action>
      <ereg regexp="Digest .*realm=\"jigasi-ng\"" search_in="hdr" header="WWW-Authenticate:" check_it="true" assign_to="chal"/>
      <log message="challenge: [$chal]"/>
    </action>
  </recv>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]a[call_number]
      From: "SIPp" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
</scenario>
XML
SIP_DIR=$local_sipp sipp_run noauth uac_expect_401.xml 15070 -s echo $J -m 1
started=$(grep -c 'side=sip\]: INVITE from' "$E2E_OUT/jigasi.log" || true)
[ "$started" = 1 ] || fail "jigasi-ng started $started echo calls; only alice's (authenticated) should have started"

note "bob stops (un-REGISTER)"
t0=$(elapsed_ms)
stop bob-ctl
stop bob
wait_until 2 "registrations to drop to 1 after bob's un-REGISTER (now $(registrations))" \
    test "$(registrations)" = 1
note "registrations = 1 after $(($(elapsed_ms) - t0)) ms"
alive jigasi || fail "jigasi-ng exited during the scenario"
