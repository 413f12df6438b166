#!/usr/bin/env python3
"""SIP readiness probe: send one OPTIONS over UDP, exit 0 as soon as any SIP response arrives.
usage: sip_options.py HOST PORT [timeout_s]   (prints the status line, or "timeout")
Used instead of sipsak, which truncates the port on this Debian (see test-peers.md section 1)."""
import socket, sys, uuid
host, port = sys.argv[1], int(sys.argv[2])
tmo = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(tmo)
lp, cid = s.getsockname()[1], uuid.uuid4().hex
msg = (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
       f"Via: SIP/2.0/UDP 127.0.0.1:{lp};branch=z9hG4bK{cid[:10]};rport\r\n"
       f"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag={cid[:8]}\r\nTo: <sip:{host}:{port}>\r\n"
       f"Call-ID: {cid}\r\nCSeq: 1 OPTIONS\r\nContact: <sip:probe@127.0.0.1:{lp}>\r\nContent-Length: 0\r\n\r\n")
try:
    s.sendto(msg.encode(), (host, port))
    print(s.recv(65535).decode(errors="replace").split("\r\n")[0])
    sys.exit(0)
except (socket.timeout, ConnectionRefusedError):  # refused = ICMP port unreachable: nothing listens yet
    print("timeout")
    sys.exit(1)
