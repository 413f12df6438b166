#!/usr/bin/env python3
"""Minimal RTP sink/recorder, used as the media side of SIPp peers so that a test really fails when
no RTP flows (SIPp itself does not record what it receives).

  rtprec.py record DIR PORT [PORT...] [--event-pt 101]
      Listen on 127.0.0.1:PORT(s) until SIGTERM. Each stream (local port, source addr, SSRC) is written
      to DIR/rtp-<port>-<srcport>-<ssrc>.wav (PCMU/PCMA decoded to 8 kHz S16 mono, placed by RTP
      timestamp so lost packets show as silence gaps). DIR/summary.json (written on SIGTERM) lists per
      stream: packets, payload types, sequence gaps, RFC 4733 digits (end packets, deduplicated).
  rtprec.py check DIR [--port P] [--streams N] [--min-packets P] [--digits D] [--pt PT]
      exit 0 if summary.json has at least N streams (default 1) (received on port P if given), each
      with >= P packets (default 50)
      of payload type PT (default: any), and the digits of all streams (in order of
      their first packet) equal D; else exit 1 with a one-line reason.
"""
import json, os, select, signal, socket, struct, sys, wave


def ulaw(b):
    b = ~b & 0xFF
    t = (((b & 0x0F) << 3) + 0x84) << ((b & 0x70) >> 4)
    return (0x84 - t) if b & 0x80 else (t - 0x84)


def alaw(b):
    b ^= 0x55
    t = (b & 0x0F) << 4
    seg = (b & 0x70) >> 4
    t = t + 8 if seg == 0 else (t + 0x108) << (seg - 1)
    return t if b & 0x80 else -t


ULAW = [struct.pack("<h", ulaw(i)) for i in range(256)]
ALAW = [struct.pack("<h", alaw(i)) for i in range(256)]


def record(d, ports, event_pt):
    os.makedirs(d, exist_ok=True)
    socks = []
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", p))
        socks.append(s)
    streams = {}

    def finish(*_):
        out = []
        for key, st in streams.items():
            name = "rtp-%d-%d-%08x.wav" % (key[0], key[1][1], key[2])
            if st["pcm"]:
                with wave.open(os.path.join(d, name), "wb") as w:
                    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
                    w.writeframes(bytes(st["pcm"]))
            out.append({"local_port": key[0], "source": "%s:%d" % key[1], "ssrc": key[2],
                        "packets": st["packets"], "payload_types": sorted(st["pts"]),
                        "seq_gaps": st["gaps"], "digits": "".join(st["digits"]),
                        "wav": name if st["pcm"] else None, "seconds": len(st["pcm"]) / 16000})
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump({"streams": out}, f, indent=1)
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    print("listening on", ports, flush=True)
    while True:
        r, _, _ = select.select(socks, [], [])
        for s in r:
            data, src = s.recvfrom(4096)
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            pt = data[1] & 0x7F
            seq, ts, ssrc = struct.unpack("!HII", data[2:12])
            cc = data[0] & 0x0F
            off = 12 + 4 * cc
            if data[0] & 0x10 and len(data) >= off + 4:  # header extension
                off += 4 + 4 * struct.unpack("!H", data[off + 2:off + 4])[0]
            payload = data[off:]
            if data[0] & 0x20 and payload:  # padding
                payload = payload[:-payload[-1]]
            key = (s.getsockname()[1], src, ssrc)
            st = streams.get(key)
            if st is None:
                st = streams[key] = {"packets": 0, "pts": set(), "gaps": 0, "digits": [], "last_end": None,
                                     "pcm": bytearray(), "ts0": None, "seq": None}
                print("new stream", key, "pt", pt, flush=True)
            st["packets"] += 1
            st["pts"].add(pt)
            if st["seq"] is not None and seq != (st["seq"] + 1) & 0xFFFF:
                st["gaps"] += 1
            st["seq"] = seq
            if pt == event_pt and len(payload) >= 4:
                if payload[1] & 0x80 and (ts, payload[0]) != st["last_end"]:  # end bit, sent 3x
                    st["last_end"] = (ts, payload[0])
                    st["digits"].append("0123456789*#ABCD"[payload[0]] if payload[0] < 16 else "?")
                continue
            table = ULAW if pt == 0 else ALAW if pt == 8 else None
            if table is None:
                continue
            if st["ts0"] is None:
                st["ts0"] = ts
            pos = 2 * ((ts - st["ts0"]) & 0xFFFFFFFF)
            if pos > 2 * 8000 * 600:  # timestamp jump (new talkspurt base): append instead
                pos = len(st["pcm"])
            pcm = b"".join(table[x] for x in payload)
            if pos > len(st["pcm"]):
                st["pcm"] += bytes(pos - len(st["pcm"]))
            st["pcm"][pos:pos + len(pcm)] = pcm


def check(d, args):
    want = {"--port": None, "--streams": "1", "--min-packets": "50", "--digits": None, "--pt": None}
    while args:
        want[args[0]] = args[1]
        args = args[2:]
    try:
        streams = json.load(open(os.path.join(d, "summary.json")))["streams"]
    except OSError as e:
        sys.exit(f"no RTP summary ({e})")
    where = ""
    if want["--port"] is not None:
        streams = [s for s in streams if s["local_port"] == int(want["--port"])]
        where = " on port " + want["--port"]
    good = [s for s in streams if s["packets"] >= int(want["--min-packets"])
            and (want["--pt"] is None or int(want["--pt"]) in s["payload_types"])]
    if len(good) < int(want["--streams"]):
        sys.exit("only %d RTP stream(s)%s with >= %s packets%s (want %s); got: %s" % (
            len(good), where, want["--min-packets"], "" if want["--pt"] is None else " of PT " + want["--pt"],
            want["--streams"], ", ".join("%s pt%s %d pkts" % (s["source"], s["payload_types"], s["packets"])
                                         for s in streams) or "nothing"))
    if want["--digits"] is not None:
        got = "".join(s["digits"] for s in streams)  # streams are in order of first packet
        if got != want["--digits"]:
            sys.exit(f"RFC 4733 digits received: '{got}', want '{want['--digits']}'")
    print("ok: %d stream(s)%s, packets %s" % (len(good), where, [s["packets"] for s in good]))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["record"]:
        pt, rest = 101, a[2:]
        if "--event-pt" in rest:
            i = rest.index("--event-pt"); pt = int(rest[i + 1]); del rest[i:i + 2]
        record(a[1], [int(p) for p in rest], pt)
    elif a[:1] == ["check"]:
        check(a[1], a[2:])
    else:
        sys.exit(__doc__)
