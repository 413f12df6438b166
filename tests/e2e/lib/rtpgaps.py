#!/usr/bin/env python3
"""Packet timing on the loopback: when each RTP stream to or from a port range really went out.

    rtpgaps.py capture OUT.json LO-HI [--gap-ms 40] [--watch PID] [--sizes]
        Until SIGTERM, records every UDP packet on `lo` whose source or destination port is in LO-HI
        (e.g. jigasi-ng's media ports), once (as sent: PACKET_OUTGOING), with the kernel's receive
        time stamp. A kernel BPF filter drops everything else, so the cost is the matching packets
        only (a few thousand per second for 20 calls). On SIGTERM writes OUT.json: per stream
        (source port, destination port, SSRC) the packets, the first and last time (Unix ms), the
        sequence numbers missing, every pause between two packets longer than --gap-ms
        (`gaps`: [[unix_ms_at_start, ms], ...]) and the packets per 100 ms (`bins`: {"t0": unix_ms of
        the first bin, "counts": [...]}, for streams that run thin without pausing); RTCP, STUN and
        DTLS are counted per 5-tuple only.
        --watch PID: every 10 ms also the CPU time and the run-queue wait (time runnable but not
        running: waiting for a CPU) of each thread of PID, from /proc/PID/task/*/schedstat, as
        `sched`: {"tids": [...], "samples": [[unix_ms, [exec_ms, ...], [wait_ms, ...], "SR..",
        [majflt, ...]], ...]}, so a pause in what PID sent can be told apart from PID waiting for a
        CPU; the state letters (/proc/PID/task/*/stat: R running, S sleeping, D blocked in the
        kernel) and major page faults tell a thread blocked on I/O from one with nothing to do, and
        the samples' own spacing shows when this sampler was held up too; each sample also has
        PID's write-family system calls so far (/proc/PID/io syscw), and `sched.blocked` lists the
        kernel stacks (/proc/PID/task/TID/stack) of the threads sampled in state D, with counts. And one probe process per
        CPU, pinned to it at nice -10, sleeps 5 ms over and over: a sleep that overran by 25 ms or
        more is a stretch in which that CPU ran nothing at all (the VM's host held it), kept as
        `host_stalls`: [[cpu, unix_ms, ms], ...], and `host_stall_probes_niced` (false: a probe
        could not renice, so its overruns may be mere contention).
        --sizes: also every packet's time and RTP payload size (`sizes`: [[unix_ms, bytes], ...]) for
        the streams sent from LO-HI, e.g. to see silence (tiny Opus frames) sent on time.
    rtpgaps.py summary OUT.json
        One line per stream.

Needs CAP_NET_RAW (root, or the scenario's namespace). Scenarios run it inside their own network
namespace, so it sees only that scenario's traffic. Payloads are not read (SRTP stays opaque): only
the first 12 bytes of RTP are kept, for SSRC and sequence number.
"""
import ctypes
import json
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SO_ATTACH_FILTER = 26
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4
SKF_AD_PKTTYPE = 0xFFFFF000 + 4


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(SockFilter))]


def bpf(lo, hi, snap=64):
    """Classic BPF on lo's Ethernet framing: outgoing, IPv4, UDP, not a fragment, source or
    destination port in [lo, hi]. Jumps are written as labels and resolved below."""
    LD_W_ABS, LD_H_ABS, LD_B_ABS, LDX_B_MSH, LD_H_IND = 0x20, 0x28, 0x30, 0xB1, 0x48
    JEQ, JGE, JGT, JSET, RET = 0x15, 0x35, 0x25, 0x45, 0x06
    prog = [
        ("", LD_W_ABS, None, None, SKF_AD_PKTTYPE),
        ("", JEQ, None, "drop", PACKET_OUTGOING),
        ("", LD_H_ABS, None, None, 12),             # ethertype
        ("", JEQ, None, "drop", 0x0800),
        ("", LD_B_ABS, None, None, 23),             # IP protocol
        ("", JEQ, None, "drop", 17),
        ("", LD_H_ABS, None, None, 20),             # flags + fragment offset
        ("", JSET, "drop", None, 0x1FFF),
        ("", LDX_B_MSH, None, None, 14),            # x = IP header length
        ("", LD_H_IND, None, None, 14),             # source port
        ("", JGE, None, "dst", lo),
        ("", JGT, "dst", "accept", hi),
        ("dst", LD_H_IND, None, None, 16),          # destination port
        ("", JGE, None, "drop", lo),
        ("", JGT, "drop", "accept", hi),
        ("accept", RET, None, None, snap),
        ("drop", RET, None, None, 0),
    ]
    labels = {name: i for i, (name, *_rest) in enumerate(prog) if name}
    ins = []
    for i, (_, code, jt, jf, k) in enumerate(prog):
        rel = lambda target: 0 if target is None else labels[target] - i - 1
        ins.append(SockFilter(code, rel(jt), rel(jf), k))
    arr = (SockFilter * len(ins))(*ins)
    return SockFprog(len(ins), arr), arr


def schedstat(pid):
    """{tid: (exec_ms, wait_ms, state, majflt)} of every thread of pid (/proc/<pid>/task/<tid>/
    schedstat: ns; stat: the state letter and the major page faults)."""
    import os
    res = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return res
    for t in tids:
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                ex, wait, _ = f.read().split()
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()  # after "(comm)": state is field 3
            res[int(t)] = (int(ex) / 1e6, int(wait) / 1e6, rest[0], int(rest[9]))
        except (OSError, ValueError, IndexError):
            pass
    return res


def write_calls(pid):
    """The process's write-family system calls so far (/proc/PID/io syscw; None if unreadable):
    a thread blocked in the kernel while this count stood still was not in a write() of its own."""
    try:
        with open(f"/proc/{pid}/io") as f:
            for line in f:
                if line.startswith("syscw:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def kernel_stack(pid, tid, frames=6):
    """The first frames of a thread's kernel stack ("fn < fn < ..."), else its wchan, else "?"."""
    try:
        with open(f"/proc/{pid}/task/{tid}/stack") as f:
            fns = [l.split()[1].split("+")[0] for l in f if len(l.split()) > 1]
        if fns:
            return " < ".join(fns[:frames])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/task/{tid}/wchan") as f:
            return f.read().strip() or "?"
    except OSError:
        return "?"


def stall_probe(cpu, path, stall_ms=25):
    """In a child process pinned to `cpu`: sleep 5 ms over and over and append "unix_ms ms" to
    `path` for every sleep that overran by stall_ms. At nice -10 a waking sleeper gets its CPU at
    once, so an overrun means the CPU itself ran nothing: the machine (the VM's host) held it."""
    import os
    pid = os.fork()
    if pid:
        return pid
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: ends with its parent
        os.sched_setaffinity(0, {cpu})
        with open(path, "w", buffering=1) as f:
            # Without CAP_SYS_NICE (an unprivileged user namespace) it stays at nice 0, and an
            # overrun may be mere contention: say so, and calls_media.py will not trust it.
            try:
                os.nice(-10)
                f.write("# nice -10\n")
            except OSError as e:
                f.write("# nice 0: %s\n" % e.strerror)
            while True:
                t0 = time.monotonic()
                w = time.time()
                time.sleep(0.005)
                over = (time.monotonic() - t0) * 1000 - 5
                if over > stall_ms:
                    f.write("%.1f %.1f\n" % (w * 1000, over + 5))
    finally:
        os._exit(0)


def read_stalls(paths):
    """([[cpu, unix_ms, ms], ...], every probe ran at nice -10) from the stall probes' files."""
    res, niced = [], bool(paths)
    for cpu, path in paths.items():
        try:
            lines = open(path).read().splitlines()
        except OSError:
            niced = False
            continue
        niced = niced and bool(lines) and lines[0] == "# nice -10"
        for line in lines:
            try:
                t, ms = line.split()
                res.append([cpu, float(t), float(ms)])
            except ValueError:
                pass
    return sorted(res, key=lambda x: x[1]), niced


def capture(out, lo, hi, gap_ms, watch=None, sizes=False):
    import os
    probes, stall_files = [], {}
    if watch:
        for cpu in sorted(os.sched_getaffinity(0)):
            stall_files[cpu] = f"{out}.stalls.cpu{cpu}"
            probes.append(stall_probe(cpu, stall_files[cpu]))
    try:
        res = record(lo, hi, gap_ms, watch, sizes)
    finally:
        for pid in probes:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
    if watch:
        res["host_stalls"], res["host_stall_probes_niced"] = read_stalls(stall_files)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


def record(lo, hi, gap_ms, watch, sizes):
    """capture()'s recording, until SIGTERM or SIGINT: the result without the probes' part."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    prog, keep = bpf(lo, hi)
    s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, bytes(ctypes.string_at(ctypes.addressof(prog), ctypes.sizeof(prog))))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("lo", 0))
    streams = {}
    other = {}
    done = []

    in_recv = [False]

    def stop(*_):
        done.append(1)
        if in_recv[0]:  # out of the blocking recvmsg (PEP 475 would retry it); elsewhere the loop ends
            raise InterruptedError

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if watch:
        s.settimeout(0.01)
    tids, samples, next_sample, blocked = [], [], 0.0, {}
    print("capturing udp ports %d-%d on lo" % (lo, hi), flush=True)
    while not done:
        if watch and time.time() >= next_sample:
            now = time.time()
            next_sample = now + 0.01
            st = schedstat(watch)
            for t in st:
                if t not in tids:
                    tids.append(t)
            samples.append([round(now * 1000, 1), [round(st[t][0], 2) if t in st else None for t in tids],
                            [round(st[t][1], 2) if t in st else None for t in tids],
                            "".join(st[t][2] if t in st else "-" for t in tids),
                            [st[t][3] if t in st else None for t in tids], write_calls(watch)])
            for t in st:
                if st[t][2] == "D":  # where in the kernel it is blocked: the first frames of its stack
                    k = kernel_stack(watch, t)
                    b = blocked.setdefault(k, {"stack": k, "first": round(now * 1000, 1), "samples": 0})
                    b["samples"] += 1
                    b["last"] = round(now * 1000, 1)
        try:
            in_recv[0] = True
            data, anc, _, addr = s.recvmsg(128, 64)
        except (InterruptedError, socket.timeout):
            continue
        finally:
            in_recv[0] = False
        t = None
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", val[:16])
                t = sec * 1000.0 + nsec / 1e6
        if t is None:
            t = time.time() * 1000.0
        ihl = (data[14] & 0x0F) * 4
        u = 14 + ihl
        sport, dport = struct.unpack("!HH", data[u:u + 4])
        ulen = struct.unpack("!H", data[u + 4:u + 6])[0] - 8
        p = data[u + 8:]
        key5 = (sport, dport)
        if len(p) >= 12 and (p[0] >> 6) == 2 and not (192 <= p[1] <= 223):
            seq, ssrc = struct.unpack("!H", p[2:4])[0], struct.unpack("!I", p[8:12])[0]
            k = (sport, dport, ssrc)
            st = streams.get(k)
            if st is None:
                streams[k] = st = {"n": 0, "first": t, "last": t, "seq": seq, "lost": 0, "gaps": [], "max_gap": 0.0, "sizes": [],
                                   "bin0": int(t // 100), "bins": []}
            else:
                d = t - st["last"]
                if d > st["max_gap"]:
                    st["max_gap"] = d
                if d > gap_ms:
                    st["gaps"].append([round(st["last"], 1), round(d, 1)])
                step = (seq - st["seq"]) & 0xFFFF
                if 1 < step < 3000:
                    st["lost"] += step - 1
                if step and step < 3000:
                    st["seq"] = seq
                st["last"] = t
            st["n"] += 1
            b = int(t // 100) - st["bin0"]
            if b >= len(st["bins"]):
                st["bins"].extend([0] * (b + 1 - len(st["bins"])))
            st["bins"][b] += 1
            if sizes and lo <= sport <= hi:
                st["sizes"].append([round(t, 1), ulen - 12 - (p[0] & 0x0F) * 4])
        else:
            other[key5] = other.get(key5, 0) + 1
    res = {"ports": [lo, hi], "gap_ms": gap_ms, "streams": [
        {"sport": k[0], "dport": k[1], "ssrc": k[2], "packets": v["n"], "first": round(v["first"], 1),
         "last": round(v["last"], 1), "lost": v["lost"], "max_gap_ms": round(v["max_gap"], 1), "gaps": v["gaps"],
         "bins": {"t0": v["bin0"] * 100, "counts": v["bins"]},
         **({"sizes": v["sizes"]} if v["sizes"] else {})}
        for k, v in sorted(streams.items(), key=lambda kv: kv[1]["first"])],
        "other": [{"sport": k[0], "dport": k[1], "packets": n} for k, n in sorted(other.items())]}
    if watch:
        res["sched"] = {"pid": watch, "tids": tids, "samples": samples,
                        "blocked": sorted(blocked.values(), key=lambda b: b["first"])}
    return res


def summary(path):
    r = json.load(open(path))
    for st in r["streams"]:
        print("%5d -> %5d ssrc %08x: %6d packets, %4d lost, max gap %6.1f ms, %d gaps > %d ms"
              % (st["sport"], st["dport"], st["ssrc"], st["packets"], st["lost"], st["max_gap_ms"], len(st["gaps"]), r["gap_ms"]))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["capture"] and len(a) >= 3:
        gap = float(a[a.index("--gap-ms") + 1]) if "--gap-ms" in a else 40.0
        watch = int(a[a.index("--watch") + 1]) if "--watch" in a else None
        lo, hi = (int(x) for x in a[2].split("-"))
        capture(a[1], lo, hi, gap, watch, "--sizes" in a)
    elif a[:1] == ["summary"] and len(a) == 2:
        summary(a[1])
    else:
        sys.exit(__doc__)
