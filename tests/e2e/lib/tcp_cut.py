#!/usr/bin/env python3
"""A TCP relay that can break its connections on demand, to play a network hiccup.

    tcp_cut.py --listen PORT --to HOST:PORT --control PORT

Forwards every connection accepted on 127.0.0.1:PORT to HOST:PORT. HTTP control on
127.0.0.1:CONTROL (JSON answers):

    POST /cut              reset every current connection (RST both ways, nothing flushed)
    POST /blackhole        current connections drop what the client sends (the server's data still
                           flows): what the client writes now is lost, as in a link that just died
    POST /refuse?s=SECS    stop listening for SECS seconds (connects are refused), then listen again
    POST /accept           listen again now
    GET  /state            {"open": n, "accepted": n, "cut": n, "listening": bool}

Each event is printed with the milliseconds since start, for the scenario's log.
"""
import argparse
import asyncio
import json
import socket
import struct
import time

T0 = time.monotonic()


def note(msg):
    print(f"{int((time.monotonic() - T0) * 1000):6d} ms  {msg}", flush=True)


def reset(writer):
    # SO_LINGER {on, 0}: close() sends RST instead of FIN, as when a NAT or a link drops the flow.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class Relay:
    def __init__(self, listen, target):
        self.listen, self.target = listen, target
        self.pairs = set()  # (client writer, upstream writer)
        self.muted = set()  # pairs whose client -> upstream data is dropped
        self.server = None
        self.reopen = None  # the task that listens again after /refuse
        self.accepted = self.cut_count = 0

    async def start(self):
        self.server = await asyncio.start_server(self.on_client, "127.0.0.1", self.listen)

    async def refuse(self, secs):
        if self.reopen:
            self.reopen.cancel()
        if self.server:
            self.server.close()
            self.server = None
        note(f"refusing connections for {secs} s")
        self.reopen = asyncio.get_running_loop().create_task(self.accept(secs))

    async def accept(self, after=0):
        await asyncio.sleep(after)
        if self.server is None:
            await self.start()
            note("listening again")

    async def on_client(self, reader, writer):
        self.accepted += 1
        n = self.accepted
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError as e:
            note(f"connection {n}: upstream {self.target[0]}:{self.target[1]} unreachable: {e}")
            reset(writer)
            return
        pair = (writer, up_writer)
        self.pairs.add(pair)
        note(f"connection {n} open")
        await asyncio.gather(pipe(reader, up_writer, lambda: pair in self.muted), pipe(up_reader, writer))
        if pair in self.pairs:
            self.pairs.discard(pair)
            note(f"connection {n} closed by an end")

    def blackhole(self):
        self.muted = set(self.pairs)
        note(f"dropping what the client sends on {len(self.muted)} connection(s)")
        return len(self.muted)

    def cut(self):
        cut = list(self.pairs)
        self.pairs.clear()
        self.muted.clear()
        for client, upstream in cut:
            reset(client)
            reset(upstream)
        self.cut_count += len(cut)
        note(f"cut {len(cut)} connection(s)")
        return len(cut)


async def pipe(reader, writer, muted=lambda: False):
    try:
        while data := await reader.read(65536):
            if muted():
                continue
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        if not writer.transport.is_closing():
            writer.close()


async def control(relay, reader, writer):
    try:
        request = (await reader.readline()).decode("latin-1").split()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # headers (no body is read)
        method, target = (request + ["", ""])[:2]
        path, _, query = target.partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        status, body = 200, None
        if method == "POST" and path == "/cut":
            body = {"cut": relay.cut()}
        elif method == "POST" and path == "/blackhole":
            body = {"muted": relay.blackhole()}
        elif method == "POST" and path == "/refuse":
            secs = float(params.get("s", "5"))
            await relay.refuse(secs)
            body = {"refusing": secs}
        elif method == "POST" and path == "/accept":
            if relay.reopen:
                relay.reopen.cancel()
            await relay.accept()
            body = {"listening": True}
        elif method == "GET" and path == "/state":
            body = {"open": len(relay.pairs), "accepted": relay.accepted, "cut": relay.cut_count,
                    "listening": relay.server is not None}
        else:
            status, body = 404, {"error": f"no route {method} {path}"}
        data = json.dumps(body).encode()
        writer.write(f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                     "Connection: close\r\n\r\n".encode() + data)
        await writer.drain()
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--to", required=True, help="HOST:PORT")
    ap.add_argument("--control", type=int, required=True)
    a = ap.parse_args()
    host, _, port = a.to.rpartition(":")
    relay = Relay(a.listen, (host, int(port)))
    await relay.start()
    await asyncio.start_server(lambda r, w: control(relay, r, w), "127.0.0.1", a.control)
    note(f"relaying 127.0.0.1:{a.listen} -> {a.to}; control on 127.0.0.1:{a.control}")
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
