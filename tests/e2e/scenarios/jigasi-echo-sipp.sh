# SIPp and a scripted RTP client call jigasi-ng's echo extension:
#   tone-udp / tone-tcp   uac_tone.xml, offer in INVITE, 440 Hz for 3 s, BYE (UDP, then TCP signalling)
#   late                  uac_late_offer.xml: INVITE without SDP, jigasi-ng's offer in the 200, answer in ACK
#   cancel                INVITE + immediate CANCEL to a user that does not exist: must end with 404 or 487
#                         (SIPp exits 0, no hang)
#   room                  the four room headers (uac_room.xml's INVITE) to a non-echo user: 404 for now
#   rtp-offer / rtp-late  a Python UAC (offer in INVITE, then late offer) that streams 3 s of PCMU
#                         from its own RTP socket to the port in jigasi-ng's SDP and requires every
#                         packet back, byte for byte, with jigasi-ng's own SSRC (symmetric latching:
#                         back to the source address, not to the SDP port, which nobody listens on)
# Finally jigasi-ng's log must show every echo call ended and the SIPp calls relayed their RTP.
source "$E2E_DIR/sip/sip.sh"
start_jigasi <<'JSON'
{ "xmpp": { "servers": [] },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5060 },
                       { "transport": "tcp", "address": "127.0.0.1", "port": 5060 } ] },
  "media": { "min_port": 40000, "max_port": 40999 } }
JSON
sip_probe 5060 5

# SIPp scenarios that end on a final error status (generated here; sipp/ has only success paths).
local_sipp="$E2E_OUT/local-sipp"
mkdir -p "$local_sipp/sipp"
# INVITE (+ optional extra headers), expects STATUS (after optional 100/180), ACKs it.
expect_status_xml() { # FILE STATUS EXTRA_HEADER_LINES
    cat > "$local_sipp/sipp/$1" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAC expects $2">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]x[call_number]
      From: "SIPp" <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
$3
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="$2"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]x[call_number]
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
}
expect_status_xml uac_room_404.xml 404 '      Jitsi-Conference-Room: [room]
      X-Room-Name: [x_room]
      Jitsi-Conference-Room-Pass: [room_pass]
      Jitsi-Conference-Domain-Base: [domain_base]'

note "SIPp: tone (udp, tcp), late offer, CANCEL to a missing user, room headers, in parallel"
J=127.0.0.1:5060
sipp_spawn tone-udp uac_tone.xml 15070 -s echo $J -m 1 -l 1 -d 3000
sipp_spawn tone-tcp uac_tone.xml 15072 -t t1 -s echo $J -m 1 -l 1 -d 3000
sipp_spawn late uac_late_offer.xml 15074 -s echo $J -m 1 -l 1 -d 2000
SIP_DIR=$local_sipp sipp_spawn room uac_room_404.xml 15078 -s conference $J -m 1 \
    -key room room1@conference.meet.test -key x_room room1 -key room_pass s3cret -key domain_base meet.test
for n in room tone-udp tone-tcp late; do sipp_wait $n 15; done

# CANCEL to a user that does not exist. SIPp cannot do this race-free: jigasi-ng's 404 arrives while
# SIPp is still at its CANCEL <send> step, and SIPp aborts the call on any message received there
# (even optional="global" recvs are not searched past a send). So a script sends INVITE and CANCEL
# back to back (same branch) and then reads: the INVITE must end with 404 or 487 (ACKed), the CANCEL
# must be answered (200 or 481), all within 2 s.
out=$(python3 - <<'PY' 2>&1
import select, socket, time, uuid
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 15076))
br, cid, tag = "z9hG4bK" + uuid.uuid4().hex[:12], uuid.uuid4().hex, uuid.uuid4().hex[:8]
def msg(method, cseq_method, to_tag="", body=""):
    return (f"{method} sip:nobody@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:15076;branch={br}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:py@127.0.0.1:15076>;tag={tag}\r\n"
            f"To: <sip:nobody@127.0.0.1:5060>{to_tag}\r\nCall-ID: {cid}\r\nCSeq: 1 {cseq_method}\r\n"
            f"Contact: <sip:py@127.0.0.1:15076>\r\n"
            + ("Content-Type: application/sdp\r\n" if body else "") + f"Content-Length: {len(body)}\r\n\r\n{body}").encode()
sdp = "v=0\r\no=py 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41998 RTP/AVP 0\r\n"
s.sendto(msg("INVITE", "INVITE", body=sdp), ("127.0.0.1", 5060))
s.sendto(msg("CANCEL", "CANCEL"), ("127.0.0.1", 5060))
final = cancel = None; end = time.time() + 2
while time.time() < end and not (final and cancel):
    if not select.select([s], [], [], 0.05)[0]: continue
    m = s.recv(65535).decode(errors="replace"); code = int(m[8:11])
    cseq = next(l for l in m.split("\r\n") if l.lower().startswith("cseq:")).split()[-1]
    if cseq == "CANCEL": cancel = code
    elif code >= 200 and final is None:
        final = code
        to = next(l for l in m.split("\r\n") if l.lower().startswith("to:"))
        s.sendto(msg("ACK", "ACK", to_tag=to[to.index(">") + 1:]), ("127.0.0.1", 5060))
print(f"INVITE final {final}, CANCEL answered {cancel}")
raise SystemExit(0 if final in (404, 487) and cancel in (200, 481) else 1)
PY
) || fail "cancel to a missing user: $out"
note "cancel to a missing user: $out"
grep -q '^SIP/2.0 404' "$E2E_OUT/room/messages.log" || fail "room: no 404 for the room-header INVITE"
grep -q '^m=audio' <(sed -n '/^SIP\/2.0 200/,/^$/p;/^m=audio/p' "$E2E_OUT/late/messages.log") \
    || fail "late: jigasi-ng's 200 to the SDP-less INVITE carried no offer"

note "RTP round trip: scripted UAC, offer in INVITE and late offer"
cat > "$E2E_OUT/rtp_echo_client.py" <<'PY'
"""Calls sip:echo@127.0.0.1:5060 over UDP (offer in INVITE, or late offer with the answer in the ACK),
streams N PCMU packets (440 Hz) from its RTP socket to the port in jigasi-ng's SDP, and requires each
one back (same sequence number, timestamp and payload, SSRC rewritten to one value of jigasi-ng's).
Exits 1 with a one-line reason otherwise.
usage: rtp_echo_client.py offer|late SIPPORT PACKETS [JIGASI_PORT PUBLIC_ADDRESS]
With PUBLIC_ADDRESS, jigasi-ng's Contact and SDP must state it (sip.public_address, 1:1 NAT) and
the RTP goes there (any 127/8 address is this host)."""
import math, random, re, select, socket, struct, sys, time, uuid
mode, sport, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
J = ("127.0.0.1", int(sys.argv[4]) if len(sys.argv) > 4 else 5060)
public = sys.argv[5] if len(sys.argv) > 5 else None
sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sip.bind(("127.0.0.1", sport))
rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtp.bind(("127.0.0.1", 0))
rport = rtp.getsockname()[1]
cid, tag = uuid.uuid4().hex, uuid.uuid4().hex[:8]
def die(msg): print(f"{mode}: {msg}"); sys.exit(1)
def sdp(port): return (f"v=0\r\no=py 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n")
def request(method, uri, cseq, to_tag="", body="", branch=None):
    h = [f"{method} {uri} SIP/2.0", f"Via: SIP/2.0/UDP 127.0.0.1:{sport};branch={branch or 'z9hG4bK' + uuid.uuid4().hex[:12]};rport",
         "Max-Forwards: 70", f"From: <sip:pyrtp@127.0.0.1:{sport}>;tag={tag}",
         f"To: <sip:echo@127.0.0.1:{J[1]}>{';tag=' + to_tag if to_tag else ''}", f"Call-ID: {cid}",
         f"CSeq: {cseq} {method}", f"Contact: <sip:pyrtp@127.0.0.1:{sport}>"]
    if body: h.append("Content-Type: application/sdp")
    h.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(h) + "\r\n\r\n" + body).encode()
def hdr(msg, *names):
    for line in msg.split("\r\n"):
        k, _, v = line.partition(":")
        if k.strip().lower() in names: return v.strip()
    return ""
def transact(data, want_cseq, secs=4.0):
    """send (retransmit every 500 ms), return the first final response with CSeq want_cseq"""
    end, nxt = time.time() + secs, 0
    while time.time() < end:
        if time.time() >= nxt: sip.sendto(data, J); nxt = time.time() + 0.5
        if select.select([sip], [], [], 0.05)[0]:
            m = sip.recv(65535).decode(errors="replace")
            if m.startswith("SIP/2.0 ") and hdr(m, "cseq") == want_cseq and int(m[8:11]) >= 200: return m
    die(f"no final answer to {want_cseq} within {secs} s")
inv_branch = "z9hG4bK" + uuid.uuid4().hex[:12]
ok = transact(request("INVITE", f"sip:echo@127.0.0.1:{J[1]}", 1, body=sdp(rport) if mode == "offer" else "",
                      branch=inv_branch), "1 INVITE")
if not ok.startswith("SIP/2.0 200"): die("INVITE answered " + ok.split("\r\n")[0])
to_tag = re.search(r";tag=([^;>\s]+)", hdr(ok, "to", "t")).group(1)
contact = re.search(r"<([^>]+)>", hdr(ok, "contact", "m")).group(1)
body = ok.split("\r\n\r\n", 1)[1]
m_port = re.search(r"^m=audio (\d+) RTP/AVP ([0-9 ]+)", body, re.M)
c_addr = re.search(r"^c=IN IP4 (\S+)", body, re.M)
if not m_port or not c_addr: die("no usable SDP in the 200: " + body.replace("\r\n", " | "))
if mode == "late" and "0" not in m_port.group(2).split(): die("jigasi-ng's late offer lacks PCMU: " + m_port.group(0))
dest = (c_addr.group(1), int(m_port.group(1)))
if public:
    if contact != f"sip:echo@{public}:{J[1]}": die(f"Contact <{contact}> does not state the public address {public}:{J[1]}")
    if dest[0] != public: die(f"SDP c= {dest[0]} is not the public address {public}")
    if not re.search(rf"^o=\S+ \S+ \S+ IN IP4 {re.escape(public)}", body, re.M): die("SDP o= does not state the public address")
sip.sendto(request("ACK", contact, 1, to_tag, body=sdp(rport) if mode == "late" else ""), J)
# PCMU 440 Hz, 160 samples per packet
def ulaw(s):
    b = 0x84; sign = 0x80 if s < 0 else 0; s = min(abs(s), 32635) + b; e = 7
    for e in range(7, -1, -1):
        if s & (0x4000 >> (7 - e)) or e == 0: break
    return ~(sign | (e << 4) | ((s >> (e + 3)) & 0x0F)) & 0xFF
my_ssrc = random.getrandbits(32) | 1
sent, got, their_ssrc, gaps, last = {}, {}, set(), [], None
seq0, ts0, t0 = random.getrandbits(16), random.getrandbits(32), time.time()
for i in range(count):
    pay = bytes(ulaw(int(16000 * math.sin(2 * math.pi * 440 * (i * 160 + k) / 8000))) for k in range(160))
    seq, ts = (seq0 + i) & 0xFFFF, (ts0 + 160 * i) & 0xFFFFFFFF
    pkt = struct.pack("!BBHII", 0x80, 0 | (0x80 if i == 0 else 0), seq, ts, my_ssrc) + pay
    sent[seq] = pkt
    rtp.sendto(pkt, dest)
    deadline = t0 + (i + 1) * 0.02
    while True:
        r = select.select([rtp], [], [], max(0, deadline - time.time()))[0]
        if not r: break
        data, src = rtp.recvfrom(2048)
        now = time.time()
        if last is not None: gaps.append(now - last)
        last = now
        # (behind 1:1 NAT the source is the private address: only the port is ours to check)
        if src != dest and not (public and src[1] == dest[1]): die(f"RTP came back from {src}, not from the SDP address {dest}")
        s = struct.unpack("!H", data[2:4])[0]
        their_ssrc.add(struct.unpack("!I", data[8:12])[0])
        got[s] = data
# stragglers
end = time.time() + 0.5
while time.time() < end and select.select([rtp], [], [], 0.05)[0]:
    data, _ = rtp.recvfrom(2048); got[struct.unpack("!H", data[2:4])[0]] = data; their_ssrc.add(struct.unpack("!I", data[8:12])[0])
bye = transact(request("BYE", contact, 2, to_tag), "2 BYE")
if not bye.startswith("SIP/2.0 200"): die("BYE answered " + bye.split("\r\n")[0])
if not got: die(f"nothing came back from {dest[0]}:{dest[1]} ({count} packets sent)")
if len(their_ssrc) != 1: die(f"echo used {len(their_ssrc)} SSRCs")
if my_ssrc in their_ssrc: die("echo kept the caller's SSRC")
bad = [s for s, d in got.items() if s not in sent or d[:8] != sent[s][:8] or d[12:] != sent[s][12:]]
if bad: die(f"{len(bad)} echoed packets differ from what was sent (seq {bad[:5]})")
if len(got) < count * 0.98: die(f"only {len(got)} of {count} packets came back")
print(f"{mode}: {len(got)}/{count} packets echoed byte-exact from {dest[0]}:{dest[1]}, SSRC {my_ssrc:#x} -> "
      f"{their_ssrc.pop():#x}, max inter-arrival {max(gaps) * 1000:.0f} ms")
PY
for mode in offer late; do
    out=$(python3 "$E2E_OUT/rtp_echo_client.py" $mode 15090 150 2>&1) || fail "rtp-$mode: $out"
    note "rtp-$mode: $out"
done

note "public address (1:1 NAT): a second instance states 127.0.0.9 in Contact, o= and c="
start_jigasi nat <<'JSON'
{ "xmpp": { "servers": [] }, "http": { "port": 8790 },
  "sip": { "listen": [ { "transport": "udp", "address": "127.0.0.1", "port": 5070 } ], "public_address": "127.0.0.9" },
  "media": { "min_port": 41000, "max_port": 41999 } }
JSON
sip_probe 5070 5
out=$(python3 "$E2E_OUT/rtp_echo_client.py" offer 15092 100 5070 127.0.0.9 2>&1) || fail "public address: $out"
note "public address: $out"

# Every echo call (2 SIPp tone calls, 1 late, 2 Python) ended, and the SIPp calls' RTP reached the relay.
wait_until 3 "jigasi-ng to end every echo call" \
    test "$(grep -c 'side=sip\]: ended:' "$E2E_OUT/jigasi.log")" -eq 5
started=$(grep -c 'side=sip\]: INVITE from' "$E2E_OUT/jigasi.log" || true)
[ "$started" -eq 5 ] || fail "jigasi-ng: $started echo calls started, expected 5"
relayed=$(grep -oE 'echo relay ends after [0-9]+ packets' "$E2E_OUT/jigasi.log" | awk '$5 >= 90' | wc -l)
[ "$relayed" -eq 5 ] || fail "jigasi-ng: $relayed of 5 echo calls relayed >= 90 RTP packets ($(grep -o 'echo relay ends.*' "$E2E_OUT/jigasi.log" | paste -sd';'))"
jigasi_log_has 'late offer answered in ACK: PCMU' || fail "jigasi-ng did not log the late-offer answer"
jigasi_log_has 'INVITE for conference from .*: 404' || fail "jigasi-ng did not log the room INVITE's 404"
alive jigasi || fail "jigasi-ng exited during the scenario"
