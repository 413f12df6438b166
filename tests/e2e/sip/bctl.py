#!/usr/bin/env python3
"""Client for baresip's ctrl_tcp (netstring-framed JSON).

baresip 1.0's ctrl_tcp serves ONE connection at a time (a new one replaces the old) and events are
only sent to the connected client, so one long-lived `serve` process per phone owns the connection:
  bctl.py serve PORT EVENTS FIFO   connect (retrying), append every event/response as a JSON line to
                                   EVENTS, forward command lines read from the named pipe FIFO
  bctl.py send FIFO EVENTS [--timeout S] CMD [PARAMS...]
                                   write "TOKEN CMD PARAMS" to FIFO, wait for the response with that
                                   token in EVENTS, print it; exit 0 if ok, 1 if baresip said not ok,
                                   2 on time-out
"""
import json, os, select, socket, sys, time, uuid


def serve(port, events, fifo):
    deadline = time.time() + 10
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            if time.time() > deadline:
                sys.exit(f"bctl: cannot connect to ctrl_tcp 127.0.0.1:{port}")
            time.sleep(0.02)
    out = open(events, "a", buffering=1)
    out.write(json.dumps({"bctl": "connected"}) + "\n")
    fd = os.open(fifo, os.O_RDWR)  # read-write: never sees EOF when a writer goes away
    buf, cbuf = b"", b""
    while True:
        r, _, _ = select.select([s, fd], [], [])
        if s in r:
            d = s.recv(65536)
            if not d:
                out.write(json.dumps({"bctl": "ctrl_tcp closed"}) + "\n")
                return
            buf += d
            while b":" in buf:
                n, _, rest = buf.partition(b":")
                n = int(n)
                if len(rest) < n + 1:
                    break
                msg, buf = rest[:n], rest[n + 1:]
                o = json.loads(msg)
                o["t_ms"] = int(time.time() * 1000)
                out.write(json.dumps(o) + "\n")
        if fd in r:
            cbuf += os.read(fd, 65536)
            while b"\n" in cbuf:
                line, _, cbuf = cbuf.partition(b"\n")
                token, _, rest = line.decode().partition(" ")
                cmd, _, params = rest.partition(" ")
                b = json.dumps({"command": cmd, "params": params, "token": token}).encode()
                s.sendall(str(len(b)).encode() + b":" + b + b",")


def send(fifo, events, args):
    timeout = 5.0
    if args[:1] == ["--timeout"]:
        timeout, args = float(args[1]), args[2:]
    token = uuid.uuid4().hex[:12]
    with open(fifo, "w") as f:
        f.write(f"{token} {' '.join(args)}\n")
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(events) as f:
            for line in f:
                o = json.loads(line)
                if o.get("response") and o.get("token") == token:
                    print(o.get("data", "").rstrip())
                    sys.exit(0 if o.get("ok") else 1)
        time.sleep(0.05)
    print(f"bctl: no response to '{' '.join(args)}' within {timeout} s", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["serve"]:
        serve(int(a[1]), a[2], a[3])
    elif a[:1] == ["send"]:
        send(a[1], a[2], a[3:])
    else:
        sys.exit(__doc__)
