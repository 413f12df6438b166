#!/usr/bin/env python3
"""SIP readiness probe: send one OPTIONS, exit 0 as soon as any SIP response arrives.
usage: sip_options.py HOST PORT [timeout_s] [--tls CERT]   (prints the status line, or "timeout")
--tls: over TLS (RFC 3261 26.2, RFC 5630), requiring the server's certificate to be exactly CERT
(the self-signed one the scenario generated) and printing its subject CN after the status line.
Used instead of sipsak, which truncates the port on this Debian (see test-peers.md section 1)."""
import socket, ssl, sys, uuid
args = [a for a in sys.argv[1:]]
cert = None
if "--tls" in args:
    i = args.index("--tls")
    cert = args[i + 1]
    del args[i:i + 2]
host, port = args[0], int(args[1])
tmo = float(args[2]) if len(args) > 2 else 1.0
cid = uuid.uuid4().hex


def options(transport, lp):
    return (f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} 127.0.0.1:{lp};branch=z9hG4bK{cid[:10]};rport\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag={cid[:8]}\r\nTo: <sip:{host}:{port}>\r\n"
            f"Call-ID: {cid}\r\nCSeq: 1 OPTIONS\r\nContact: <sip:probe@127.0.0.1:{lp}>\r\nContent-Length: 0\r\n\r\n").encode()


try:
    if cert:
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False  # the certificate is pinned by cafile; its name is checked below
        raw = socket.create_connection((host, port), timeout=tmo)
        s = ctx.wrap_socket(raw)
        s.sendall(options("TLS", s.getsockname()[1]))
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(65535)
            if not chunk:
                break
            reply += chunk
        cn = dict(x[0] for x in s.getpeercert()["subject"]).get("commonName")
        print(reply.decode(errors="replace").split("\r\n")[0])
        print(f"certificate CN={cn} {s.version()}")
        sys.exit(0 if reply else 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(tmo)
    s.sendto(options("UDP", s.getsockname()[1]), (host, port))
    print(s.recv(65535).decode(errors="replace").split("\r\n")[0])
    sys.exit(0)
except (socket.timeout, ConnectionRefusedError):  # refused = ICMP port unreachable: nothing listens yet
    print("timeout")
    sys.exit(1)
except ssl.SSLError as e:
    print(f"TLS failed: {e}")
    sys.exit(1)
