#!/usr/bin/env python3
"""Per-call media timing of dial-in calls through jigasi-ng, from three records of one run:

  - jigasi.log written with "log": {"timestamps": true}: each call's INVITE, phone RTP port,
    occupant nick, bridge port, "media up both ways" and "answered 200" times;
  - rtpgaps.json (lib/rtpgaps.py capture over jigasi-ng's media ports): when every RTP packet to
    and from jigasi-ng really went out (kernel time stamps);
  - optionally the stand-in's verdict.json: when the bridge first heard each call, and the silent
    stretches in what it recorded.

    calls_media.py JIGASI_LOG RTPGAPS_JSON [--verdict VERDICT] [--from UNIX_MS] [--to UNIX_MS]
                   [--skip-ms 1000] [--max-gap-ms 100] [--bridge-gap-ms 60] [--json OUT] [--check]

Streams per call: to-phone (jigasi-ng -> phone), from-phone, to-bridge (jigasi-ng -> bridge),
from-bridge (one per web participant's SSRC). A gap is a pause between two packets of a stream
longer than --max-gap-ms, counted only inside the window [--from, --to] (default: the whole
capture) and not in a stream's first --skip-ms. A stream also fails when it runs thin: fewer than
--min-rate-percent of --pps packets in some second (a sender that skips every other 20 ms frame
never pauses 100 ms, but the phone or bridge behind it starves all the same). The bridge's gaps (verdict) are silent stretches
of its recording longer than --bridge-gap-ms, placed in wall-clock time through the occupant join
times the stand-in and jigasi-ng both recorded (+- a few ms).

With --dumps, the silent stretches of each phone's recording count as "phone-heard" gaps: baresip
writes what it decodes, packet after packet, so such a stretch is silence jigasi-ng sent (a missing
or late packet shortens the file instead); it is placed in time through the k-th packet sent.

Every gap is attributed:
  - upstream: a pause in what jigasi-ng sent while the stream it forwards paused at least half as
    long around it, or a thin second while that stream was thin too (from-bridge for to-phone,
    from-phone for to-bridge): it cannot send what it did not get;
  - stand-in: a gap the bridge recorded while jigasi-ng's packets to it neither paused half as long,
    ran thin nor carried silence (--sizes: Opus frames of --silent-bytes or less): the stand-in's own
    playout stalled, its process starved of CPU;
  - cpu: otherwise jigasi-ng's, but rtpgaps watched it (--watch) and one of its threads spent at
    least half of the pause runnable, waiting for a CPU (schedstat run delay), and longer than it ran:
    the machine was overloaded, jigasi-ng did not stall by itself (a stall of its own shows as CPU
    time, or as neither CPU nor waiting when it is blocked);
  - gateway: the rest, jigasi-ng's own pauses.
Only "gateway" gaps are problems. The others are counted; when they cover more than
--max-peer-stall-percent of the calls' time the bench was overloaded and the run says little about
jigasi-ng's audio: a problem too, or with --overload note a NOTE line.

Prints one line per call and one per problem; --check exits 1 when there is a problem (the last
line is the first problem); --json writes everything (times in Unix ms).
"""
import argparse
import datetime
import json
import math
import re
import statistics
import sys

from gap_causes import evidence, isolated_stall, judge

LINE = re.compile(r"^<\d>(\S+Z) call \[call (\S+) side=(sip|jitsi)\]: (.*)$")


def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def parse_log(path):
    calls = {}
    for line in open(path, errors="replace"):
        m = LINE.match(line.rstrip("\n"))
        if not m:
            continue
        t, cid, side, msg = ts(m.group(1)), m.group(2), m.group(3), m.group(4)
        c = calls.setdefault(cid, {"id": cid})
        if (x := re.match(r"INVITE from \S+:(\d+) \((.*)\) for room (\S+)", msg)):
            c.update(invite=t, sip_port=int(x.group(1)), phone=x.group(2), room=x.group(3))
        elif (x := re.match(r"offer answered: (\S+) pt \d+, phone RTP [\d.]+:(\d+)", msg)):
            c.update(codec=x.group(1), phone_rtp=int(x.group(2)))
        elif (x := re.match(r"joined (\S+) as (\S+) \(", msg)):
            c.update(joined=t, nick=x.group(2))
        elif (x := re.match(r"bridge leg: port (\d+)", msg)):
            c.update(bridge_port=int(x.group(1)), bridge_leg=t)
        elif (x := re.match(r"media secured \(.*\) with [\d.]+:(\d+) after", msg)):
            c.update(secured=t, bridge_remote=int(x.group(1)))
        elif msg.startswith("media up both ways"):
            c.setdefault("media_up", t)
        elif msg == "answered 200":
            c.setdefault("answered", t)
        elif (x := re.search(r"^bridge media: .*\((\d+) failed\); \d+ ticks, (\d+) late", msg)):
            # jigasi-ng's own account at the leg's end: sends that failed, ticks its clock was late for
            c.update(send_failed=c.get("send_failed", 0) + int(x.group(1)), late_ticks=c.get("late_ticks", 0) + int(x.group(2)))
        elif msg.startswith("call over:"):
            c.update(over=t, over_reason=msg[len("call over: "):])
    return [c for c in calls.values() if "invite" in c]


def in_range(port, rng):
    return rng[0] <= port <= rng[1]


def window_gaps(stream, lo, hi, skip_ms, limit):
    """Gaps over `limit` ms that start inside [lo, hi] and after the stream's first skip_ms."""
    if not stream:
        return []
    start = max(lo, stream["first"] + skip_ms)
    return [g for g in stream["gaps"] if start <= g[0] < hi and g[1] > limit]


def max_gap_near(streams, t, d, before=300):
    """Longest pause of any of `streams` that overlaps [t - before, t + d]."""
    best = 0.0
    for s in streams:
        for g0, gd in s["gaps"] if s else []:
            if g0 < t + d and g0 + gd > t - before:
                best = max(best, gd)
    return best


def count_in(stream, t0, t1):
    """Packets of a stream in [t0, t1), from its 100 ms bins (t0, t1 on 100 ms boundaries)."""
    b = stream.get("bins")
    if not b:
        return 0
    i0, i1 = int((t0 - b["t0"]) // 100), int((t1 - b["t0"]) // 100)
    return sum(b["counts"][max(0, i0):max(0, i1)])


def thin_stretches(stream, lo, hi, skip_ms, floor):
    """Stretches where a stream carried fewer than `floor` packets in a second (windows of 1 s
    sliding by 100 ms, inside [lo, hi] and after its first skip_ms): [[start, end, fewest], ...]."""
    start = math.ceil(max(lo, stream["first"] + skip_ms) / 100) * 100
    end = min(hi, stream["last"])
    out = []
    t = start
    while t + 1000 <= end:
        n = count_in(stream, t, t + 1000)
        if n < floor:
            if out and t <= out[-1][1]:
                out[-1][1] = t + 1000
                if n < out[-1][2]:
                    out[-1][2], out[-1][3] = n, t
            else:
                out.append([t, t + 1000, n, t])
        t += 100
    return out


def packet_time(stream, k):
    """Unix ms (to 100 ms) of the k-th packet of a stream, from its bins."""
    b = stream.get("bins")
    if not b:
        return None
    n = 0
    for i, cnt in enumerate(b["counts"]):
        if n + cnt > k:
            return b["t0"] + i * 100 + 100 * (k - n) / cnt
        n += cnt
    return None


def dump_gaps(folder, skip_ms, limit):
    """Silent stretches (lib/audio.js) over `limit` ms in the newest *-dec.wav of a phone's folder."""
    import glob
    import os
    import subprocess
    wavs = sorted(glob.glob(os.path.join(folder, "*-dec.wav")), key=os.path.getmtime)
    if not wavs:
        return []
    audio = os.path.join(os.path.dirname(os.path.abspath(__file__)), "audio.js")
    r = subprocess.run(["node", audio, "check", wavs[-1], "--skip-ms", str(int(skip_ms))], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    try:
        return [g for g in json.loads(r.stdout)["gaps"] if g["ms"] > limit]
    except (ValueError, KeyError):
        return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("rtpgaps")
    ap.add_argument("--verdict")
    ap.add_argument("--from", dest="t_from", type=float, default=0)
    ap.add_argument("--to", dest="t_to", type=float, default=float("inf"))
    ap.add_argument("--skip-ms", type=float, default=1000)
    ap.add_argument("--max-gap-ms", type=float, default=100)
    ap.add_argument("--bridge-gap-ms", type=float, default=60)
    ap.add_argument("--max-peer-stall-percent", type=float, default=5)
    ap.add_argument("--overload", choices=("fail", "note"), default="fail",
                    help="note: an overloaded bench is reported, not a problem")
    ap.add_argument("--min-rate-percent", type=float, default=80)
    ap.add_argument("--pps", type=float, default=50, help="packets per second every stream carries (20 ms)")
    ap.add_argument("--dumps", help="the phones' recordings: a folder pattern with {phone}, e.g. OUT/{phone}/rec "
                    "(the newest *-dec.wav in it); their silent stretches are placed on the wire and attributed")
    ap.add_argument("--dump-gap-ms", type=float, default=100)
    ap.add_argument("--silent-bytes", type=int, default=12, help="an Opus payload this small is silence")
    ap.add_argument("--isolated-ms", type=float, default=0,
                    help="a single stall of one call up to this long, alone in the run, is noted, not a problem")
    ap.add_argument("--json")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    calls = parse_log(a.log)
    cap = json.load(open(a.rtpgaps))
    rng = cap["ports"]
    streams = cap["streams"]
    if cap["gap_ms"] > a.max_gap_ms:
        sys.exit(f"rtpgaps.json was captured with --gap-ms {cap['gap_ms']}, above --max-gap-ms {a.max_gap_ms}")

    verdict = json.load(open(a.verdict)) if a.verdict else None
    sessions = {s["endpoint"]: s for s in verdict["sessions"]} if verdict else {}
    # stand-in ms -> Unix ms: both sides record the occupant's join
    offsets = [c["joined"] - sessions[c["nick"]]["timings"]["joined"] for c in calls
               if c.get("nick") in sessions and sessions[c["nick"]]["timings"].get("joined") is not None]
    offset = statistics.median(offsets) if offsets else None

    problems = []
    findings = []  # (call, gap, message) of every gap blamed on jigasi-ng
    for c in calls:
        pr = c.get("phone_rtp")
        bp, br = c.get("bridge_port"), c.get("bridge_remote")
        # ports come back in later calls: only streams that overlap this call count
        t_end = c.get("over", float("inf")) + 1000
        pick = lambda f: [s for s in streams if f(s) and s["last"] >= c["invite"] and s["first"] <= t_end]
        to_phone = pick(lambda s: in_range(s["sport"], rng) and s["dport"] == pr)
        from_phone = pick(lambda s: s["sport"] == pr and in_range(s["dport"], rng))
        to_bridge = pick(lambda s: s["sport"] == bp and s["dport"] == br)
        from_bridge = pick(lambda s: s["sport"] == br and s["dport"] == bp)
        first = lambda ss: min((s["first"] for s in ss), default=None)
        c["streams"] = {k: [{x: s[x] for x in ("sport", "dport", "ssrc", "packets", "first", "last", "lost", "max_gap_ms")} for s in v]
                        for k, v in (("to_phone", to_phone), ("from_phone", from_phone), ("to_bridge", to_bridge), ("from_bridge", from_bridge))}
        c["first_to_phone"] = first(to_phone)
        c["first_to_bridge"] = first(to_bridge)
        who = f"{c.get('phone', '?')} ({c['id']}, {c.get('room', '?').split('@')[0]})"
        if "answered" not in c:
            problems.append(f"{who}: jigasi-ng never answered 200 (see jigasi.log)")
        if not to_phone:
            problems.append(f"{who}: jigasi-ng sent no RTP to the phone (port {pr})")
        if not to_bridge:
            problems.append(f"{who}: jigasi-ng sent no RTP to the bridge (port {bp} -> {br})")
        c["gaps"] = []
        for name, ss, up, other in (("to-phone", to_phone, from_bridge, to_bridge), ("to-bridge", to_bridge, from_phone, to_phone)):
            for s in ss:
                for g0, gd in window_gaps(s, a.t_from, a.t_to, a.skip_ms, a.max_gap_ms):
                    upstream = max_gap_near(up, g0, gd)
                    blame = "upstream" if upstream >= 0.5 * gd else "gateway"
                    # both directions come from the call's one 20 ms tick: the other one pausing
                    # too says the tick did not run, not that one path dropped its packets
                    c["gaps"].append({"stream": name, "at": g0, "ms": gd, "upstream_ms": upstream, "blame": blame,
                                      "other_direction_ms": max_gap_near(other, g0, gd, before=0)})
        floor = a.pps * a.min_rate_percent / 100
        for name, ss, up in (("to-phone", to_phone, from_bridge), ("to-bridge", to_bridge, from_phone)):
            for s in ss:
                for t0, t1, fewest, worst in thin_stretches(s, a.t_from, a.t_to, a.skip_ms, floor):
                    upstream = max((count_in(u, worst, worst + 1000) for u in up), default=0)
                    c["gaps"].append({"stream": name, "kind": "thin", "at": t0, "ms": t1 - t0, "worst_at": worst,
                                      "packets": fewest, "upstream_packets": upstream,
                                      "blame": "upstream" if upstream < floor else "gateway"})
        if a.dumps and c.get("phone") and to_phone:
            for g in dump_gaps(a.dumps.replace("{phone}", c["phone"]), a.skip_ms, a.dump_gap_ms):
                # the recording holds what the phone decoded, packet after packet: its k-th 20 ms
                # frame came with the k-th packet jigasi-ng sent it
                t = packet_time(to_phone[0], int(g["atMs"] // 20))
                if t is None or not (a.t_from <= t < a.t_to):
                    continue
                up_pause = max_gap_near(from_bridge, t, g["ms"], before=500)
                w0, w1 = math.floor((t - 500) / 100) * 100, math.ceil((t + g["ms"]) / 100) * 100
                up_n = max((count_in(u, w0, w1) for u in from_bridge), default=0)
                upstream = up_pause >= 0.5 * g["ms"] or up_n < a.pps * (w1 - w0) / 1000 * a.min_rate_percent / 100
                c["gaps"].append({"stream": "phone-heard", "at": t, "ms": g["ms"], "upstream_ms": up_pause,
                                  "blame": "upstream" if upstream else "gateway"})
        s = sessions.get(c.get("nick"))
        if s and offset is not None:
            heard = [x for x in s["audio"] if x.get("seconds", 0) > 0]
            fa = min((x["firstAudioMs"] for x in heard if x.get("firstAudioMs") is not None), default=None)
            c["bridge_first_audio"] = fa + offset if fa is not None else None
            c["bridge_max_gap_ms"] = max((x["maxGapMs"] for x in heard), default=None)
            for x in heard:
                # the stand-in's own rule: every silent stretch after its first second (skipMs)
                for g in x["gaps"]:
                    g0 = x["firstFrameMs"] + g["atMs"] + offset
                    if g["ms"] > a.bridge_gap_ms and a.t_from <= g0 < a.t_to:
                        # wide margin: the recording's position drifts from wall time by earlier stalls
                        sent = max_gap_near(to_bridge, g0 - 200, g["ms"] + 400, before=300)
                        # ...or sent too few: a stream at half rate has no long pause but starves the bridge
                        w0, w1 = math.floor((g0 - 300) / 100) * 100, math.ceil((g0 + g["ms"]) / 100) * 100
                        n = sum(count_in(x, w0, w1) for x in to_bridge)
                        thin = n < a.pps * (w1 - w0) / 1000 * a.min_rate_percent / 100
                        # ...or sent silence: Opus frames of a few bytes (rtpgaps --sizes)
                        small = [x for st in to_bridge for x in st.get("sizes", []) if g0 <= x[0] < g0 + g["ms"]]
                        silent = bool(small) and sum(1 for x in small if x[1] <= a.silent_bytes) >= 0.5 * len(small)
                        c["gaps"].append({"stream": "bridge-heard", "at": g0, "ms": g["ms"], "sent_gap_ms": sent,
                                          "sent_packets": n, "expected_packets": round(a.pps * (w1 - w0) / 1000),
                                          "sent_silence": silent,
                                          "blame": "gateway" if sent >= 0.5 * g["ms"] or thin or silent else "stand-in"})
        elif verdict:
            problems.append(f"{who}: the stand-in has no session for occupant {c.get('nick')}")
        for g in c["gaps"]:
            if g.get("kind") == "thin":
                t0, t1 = g["worst_at"], g["worst_at"] + 1000
            elif g["stream"] == "bridge-heard":  # our sending is judged from 300 ms before the recorded gap
                t0, t1 = g["at"] - 300, g["at"] + g["ms"]
            else:
                t0, t1 = g["at"], g["at"] + g["ms"]
            judge(g, cap, t0, t1)
        for g in c["gaps"]:
            if g["blame"] != "gateway":
                continue
            if g["stream"] == "bridge-heard":
                what = f"bridge-heard gap of {g['ms']:.0f} ms at {iso(g['at'])}"
                why = (f"jigasi-ng's packets to the bridge paused {g['sent_gap_ms']:.0f} ms and it sent {g['sent_packets']} "
                       f"of {g['expected_packets']} packets around it{', most of them silence' if g['sent_silence'] else ''}")
            elif g["stream"] == "phone-heard":
                what = f"phone-heard silence of {g['ms']:.0f} ms at {iso(g['at'])} (in its recording)"
                why = f"jigasi-ng sent it silence while the bridge's audio kept coming (longest pause {g['upstream_ms']:.0f} ms)"
            elif g.get("kind") == "thin":
                what = f"{g['stream']} ran thin: {g['packets']} packets in the second from {iso(g['worst_at'])} (of {a.pps:.0f})"
                why = f"its input kept flowing ({g['upstream_packets']} packets in that second)"
            else:
                what = f"{g['stream']} gap of {g['ms']:.0f} ms at {iso(g['at'])}"
                why = (f"its input kept flowing (longest pause {g['upstream_ms']:.0f} ms), the other direction paused "
                       f"{g['other_direction_ms']:.0f} ms")
            why += evidence(g, c)
            findings.append((c, g, f"{who}: {what}, caused by jigasi-ng: {why}"))

    isolated = isolated_stall(findings, a.isolated_ms)
    if not isolated:
        problems.extend(m for _, _, m in findings)

    # Pauses jigasi-ng did not cause (the peers', or its waiting for a CPU), against the calls' time.
    # an isolated stall is jigasi-ng's, only not failed: it is not counted as the peers'
    excused = [g for c in calls for g in c["gaps"] if g["blame"] not in ("gateway", "isolated")]
    span = sum(max(0.0, min(a.t_to, c.get("over", a.t_to)) - max(a.t_from, (c.get("first_to_phone") or c["invite"]) + a.skip_ms))
               for c in calls if a.t_to != float("inf") or "over" in c)
    stall = 0.0  # per call, the union of the excused stretches (streams overlap)
    for c in calls:
        iv = sorted((g["at"], g["at"] + g["ms"]) for g in c["gaps"] if g["blame"] not in ("gateway", "isolated"))
        end = -1.0
        for x0, x1 in iv:
            stall += max(0.0, x1 - max(x0, end))
            end = max(end, x1)
    peer_pct = 100.0 * stall / span if span > 0 else 0.0
    by = {}
    for g in excused:
        by.setdefault(f"{g['stream']}{' thin' if g.get('kind') == 'thin' else ''} ({g['blame']})", []).append(g["ms"])
    summary = ", ".join(f"{k}: {len(v)}, longest {max(v):.0f} ms" for k, v in sorted(by.items())) or "none"
    overloaded = None
    if peer_pct > a.max_peer_stall_percent:
        overloaded = (f"the bench was overloaded: gaps jigasi-ng did not cause cover {peer_pct:.1f} % of the calls' time "
                      f"(limit {a.max_peer_stall_percent:.0f} %; {summary}), so this run says little about jigasi-ng")
        if a.overload == "fail":
            problems.append(overloaded)

    def ms(x, base):
        return f"{x - base:6.0f}" if x is not None and base is not None else "     -"
    print(f"{'call':8} {'phone':10} {'room':6} {'answer':>6} {'→phone':>6} {'bridge':>6}  max gap ms: to-phone to-bridge bridge-heard | from-phone from-bridge  (ms after the INVITE)")
    for c in calls:
        mg = lambda k: max((s["max_gap_ms"] for s in c["streams"][k]), default=0)
        print(f"{c['id']:8} {c.get('phone', '?')[:10]:10} {c.get('room', '?').split('@')[0][:6]:6} {ms(c.get('answered'), c['invite'])} "
              f"{ms(c.get('first_to_phone'), c['invite'])} {ms(c.get('bridge_first_audio'), c['invite'])}  "
              f"{mg('to_phone'):8.0f} {mg('to_bridge'):9.0f} {c.get('bridge_max_gap_ms') or 0:12.0f} | {mg('from_phone'):10.0f} {mg('from_bridge'):11.0f}")
    print("(max gaps over the whole streams; the checks skip each stream's first "
          f"{a.skip_ms:.0f} ms and stop at the hang-ups)")
    print(f"gaps jigasi-ng did not cause (not problems): {summary}; {peer_pct:.2f} % of the calls' time")
    if "host_stalls" in cap:
        hs = cap["host_stalls"]
        print(f"host stalls (a CPU ran nothing for 25 ms or more): {len(hs)}"
              + (f", longest {max(x[2] for x in hs):.0f} ms" if hs else ""))
    if overloaded and a.overload == "note":
        print("NOTE " + overloaded)
    if isolated:
        print("NOTE " + isolated)
    for p in problems:
        print("PROBLEM " + p)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"offset_standin_ms": offset, "window": [a.t_from, a.t_to if a.t_to != float("inf") else None],
                       "peer_stall_percent": peer_pct, "overloaded": overloaded, "calls": calls, "problems": problems}, f, indent=1)
    if a.check and problems:
        # CI shows this line only: say how far the trouble went
        more = len(problems) - 1
        hit = len({c["id"] for c, _, _ in findings}) if not isolated else 0
        scope = f"; gaps caused by jigasi-ng in {hit} calls" if hit > 1 else ""
        print(problems[0] + (f" (and {more} more problem{'s' * (more > 1)}{scope})" if more else ""))
        return 1
    return 0


def iso(t):
    return datetime.datetime.fromtimestamp(t / 1000, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


if __name__ == "__main__":
    sys.exit(main())
