#!/usr/bin/env python3
"""Figures of a bench/e2e run, from the artifacts its namespaced steps left (see bench/e2e/run).

    report.py setup DIR          setup latency of the sequential calls in DIR (setup.sh)
    report.py load DIR [DIR...]  one line per concurrency step (load.sh), then the summary

Everything is read back from files: jigasi.log (time-stamped), rtpgaps.json (wire timing and
jigasi-ng's schedstat), verdict.json (the stand-in), the phones' recordings, window/cpu*/stat*.
The per-call timing and the attribution of audio gaps are tests/e2e/lib/calls_media.py's.
"""
import glob
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "..", "tests", "e2e")
CALLS_MEDIA = os.path.join(E2E, "lib", "calls_media.py")
AUDIO = os.path.join(E2E, "lib", "audio.js")
HZ = os.sysconf("SC_CLK_TCK")


def pct(values, q):
    """Nearest-rank percentile (q in 0..100) of a list; None when empty."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return v[max(0, min(len(v) - 1, math.ceil(q / 100 * len(v)) - 1))]


def fmt(x, unit=" ms"):
    return "-" if x is None else f"{x:.0f}{unit}"


def calls_media(d, extra):
    out = os.path.join(d, "calls_media.json")
    args = [sys.executable, CALLS_MEDIA, os.path.join(d, "jigasi.log"), os.path.join(d, "rtpgaps.json"),
            "--verdict", os.path.join(d, "verdict.json"), "--json", out] + extra
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(d, "calls_media.txt"), "w") as f:
        f.write(r.stdout)
    return json.load(open(out))


def first_sound_ms(wav):
    r = subprocess.run(["node", AUDIO, "check", wav, "--skip-ms", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        return json.loads(r.stdout).get("firstSoundMs")
    except ValueError:
        return None


def setup(d):
    cm = calls_media(d, ["--max-gap-ms", "100"])
    calls = sorted(cm["calls"], key=lambda c: c["invite"])
    dumps = sorted(glob.glob(os.path.join(d, "phone", "rec", "*-dec.wav")))
    heard = [None] * len(calls)
    if len(dumps) == len(calls):
        # the dump starts with the first packet the phone decoded: first sound = that packet + offset
        for i, (c, w) in enumerate(zip(calls, dumps)):
            fs = first_sound_ms(w)
            if fs is not None and c.get("first_to_phone"):
                heard[i] = c["first_to_phone"] + fs - c["invite"]
    seen, group = set(), []
    for c in calls:  # the first call into a room finds no conference: the focus creates it first
        group.append("new" if c.get("room") not in seen else "running")
        seen.add(c.get("room"))
    measures = [
        ("INVITE -> 200 OK (jigasi-ng sends it)", lambda i, c: c.get("answered") and c["answered"] - c["invite"]),
        ("INVITE -> first RTP to the phone (wire)", lambda i, c: c.get("first_to_phone") and c["first_to_phone"] - c["invite"]),
        ("INVITE -> the phone hears the conference", lambda i, c: heard[i]),
        ("INVITE -> the bridge hears the phone", lambda i, c: c.get("bridge_first_audio") and c["bridge_first_audio"] - c["invite"]),
    ]
    result = {}
    print(f"# setup latency: sequential dial-in calls (one baresip phone, PCMU), ms after jigasi-ng received the INVITE")
    for g, title in (("running", "into a running conference (the focus is in the room)"),
                     ("new", "into a new room (the focus creates the conference first)")):
        idx = [i for i, x in enumerate(group) if x == g]
        if not idx:
            continue
        print(f"{len(idx)} calls {title}:")
        print(f"  {'':42} {'p50':>6} {'p95':>6} {'min':>6} {'max':>6}   n")
        for name, f in measures:
            v = [f(i, calls[i]) for i in idx]
            n = len([x for x in v if x is not None])
            print(f"  {name:42} {fmt(pct(v, 50), ''):>6} {fmt(pct(v, 95), ''):>6} {fmt(pct(v, 0), ''):>6} {fmt(pct(v, 100), ''):>6}  {n}")
            result[f"{g}: {name}"] = {"p50": pct(v, 50), "p95": pct(v, 95), "min": pct(v, 0), "max": pct(v, 100), "n": n}
    # where the time goes (medians over all calls): jigasi-ng's log marks each step
    steps = [("INVITE -> joined the room (XMPP login, conference IQ, MUC join)", "invite", "joined"),
             ("joined -> offer taken (the focus' disco#info and session-initiate)", "joined", "bridge_leg"),
             ("offer taken -> media secured (ICE, DTLS-SRTP)", "bridge_leg", "secured"),
             ("media secured -> 200 OK", "secured", "answered")]
    print("where the time goes, median over all calls (jigasi.log marks):")
    for name, a, b in steps:
        v = [c[b] - c[a] for c in calls if c.get(a) is not None and c.get(b) is not None]
        print(f"  {name:66} {fmt(pct(v, 50))}")
        result[f"step: {name}"] = pct(v, 50)
    if len(dumps) != len(calls):
        print(f"(the phone left {len(dumps)} recordings for {len(calls)} calls: 'hears' not computed)")
    return result


def ticks(path):
    out = {}
    for line in open(path):
        name, t = line.split()
        out[name] = int(t)
    return out


def cpu_busy(stat0, stat1):
    """{cpuN: busy %} over the window from two /proc/stat snapshots (the whole machine's view)."""
    def parse(p):
        r = {}
        for line in open(p):
            f = line.split()
            v = [int(x) for x in f[1:]]
            r[f[0]] = (sum(v) - v[3] - v[4], sum(v))  # busy = all but idle and iowait
        return r
    a, b = parse(stat0), parse(stat1)
    return {k: 100.0 * (b[k][0] - a[k][0]) / max(1, b[k][1] - a[k][1]) for k in a if k in b}


def load_step(d):
    t_dial, t_up, t_down, unanswered = (float(x) for x in open(os.path.join(d, "window")).read().split())
    win_s = (t_down - t_up) / 1000
    c0, c1 = ticks(os.path.join(d, "cpu0")), ticks(os.path.join(d, "cpu1"))
    use = {k: 100.0 * (c1[k] - c0[k]) / HZ / win_s for k in c0 if k in c1}
    jig = use.pop("jigasi", None)
    cap = json.load(open(os.path.join(d, "rtpgaps.json")))
    smp = [x for x in cap.get("sched", {}).get("samples", []) if t_up <= x[0] <= t_down]
    wait_pct = None
    if len(smp) >= 2:
        w0, w1 = smp[0][2], smp[-1][2]
        wait_pct = 100.0 * sum((w1[i] or 0) - (w0[i] or 0) for i in range(min(len(w0), len(w1)))) / (smp[-1][0] - smp[0][0])
    busy = cpu_busy(os.path.join(d, "stat0"), os.path.join(d, "stat1"))
    cm = calls_media(d, ["--from", str(t_up), "--to", str(t_down), "--max-gap-ms", "100", "--bridge-gap-ms", "60",
                         "--max-peer-stall-percent", "100"])
    calls = cm["calls"]
    gaps = [g for c in calls for g in c["gaps"] if t_up <= g["at"] < t_down]
    by = {}
    for g in gaps:
        by.setdefault(g["blame"], []).append(g)
    # per call, the longest pause in what jigasi-ng sent to the phone inside the window
    # per call, the longest pause in what jigasi-ng sent to the phone inside the window (rtpgaps keeps
    # every pause over 40 ms, so 40 stands for "40 or less")
    raw = {(s["sport"], s["dport"], s["ssrc"]): s for s in cap["streams"]}
    to_phone = []
    for c in calls:
        worst = 40.0
        for st in c["streams"]["to_phone"]:
            full = raw.get((st["sport"], st["dport"], st["ssrc"]))
            for g0, gd in (full["gaps"] if full else []):
                if max(t_up, full["first"] + 1000) <= g0 < t_down:
                    worst = max(worst, gd)
        to_phone.append(worst)
    bridge = [max([g["ms"] for g in c["gaps"] if g["stream"] == "bridge-heard" and t_up <= g["at"] < t_down] or [0.0]) for c in calls]
    span = sum(win_s * 1000 for _ in calls) or 1
    peer_stall = 100.0 * sum(g["ms"] for g in gaps if g["blame"] in ("upstream", "stand-in")) / span
    return {"dir": d, "calls": len(calls), "unanswered": int(unanswered), "window_s": win_s, "jigasi_cpu": jig,
            "jigasi_wait": wait_pct, "peers_cpu": sum(use.values()), "standin_cpu": use.get("standin"),
            "baresip_cpu": sum(v for k, v in use.items() if k.startswith("phone") and not k.endswith("-ctl")),
            "busy": busy, "gaps": {k: len(v) for k, v in by.items()},
            "to_phone_max": max(to_phone) if to_phone else None, "to_phone_p95": pct(to_phone, 95),
            "bridge_max": max(bridge) if bridge else None, "peer_stall_pct": peer_stall,
            "offset": cm["offset_standin_ms"]}


def load(dirs, jigasi_cpu, peers_cpu):
    steps = [load_step(d) for d in dirs]
    jc, pc = f"cpu{jigasi_cpu}", f"cpu{peers_cpu}"
    print(f"# concurrent calls: jigasi-ng pinned to CPU {jigasi_cpu} (server.threads 1), every peer to CPU {peers_cpu};"
          " CPU in % of one core over the measured window")
    print("# pauses: what jigasi-ng sent (to the phone / to the bridge) or the bridge recorded, over 100 ms"
          " (bridge: 60 ms), by cause: gateway = jigasi-ng's own, cpu = jigasi-ng runnable but waiting for its CPU,"
          " upstream/stand-in = the peers'")
    print(f"{'calls':>5} {'ans':>4} {'jigasi':>6} {'wait':>5} {'/call':>6} {'CPU'+str(jigasi_cpu):>5} {'peers':>6} {'stand-in':>8} {'CPU'+str(peers_cpu):>5} "
          f"{'to-phone max/p95':>17} {'bridge max':>10}  pauses by cause                       verdict")
    for s in steps:
        per_call = s["jigasi_cpu"] / s["calls"] if s["jigasi_cpu"] is not None and s["calls"] else None
        s["cpu_per_call"] = per_call
        g = s["gaps"]
        causes = ", ".join(f"{k} {v}" for k, v in sorted(g.items())) or "none"
        peers_limited = s["peers_cpu"] >= 85 or s["peer_stall_pct"] > 1
        if s["unanswered"]:
            verdict = f"{s['unanswered']} unanswered" + (" (peers overloaded)" if peers_limited else "")
        elif g.get("gateway"):
            verdict = "GAPS by jigasi-ng"
        elif s["jigasi_cpu"] is not None and s["jigasi_cpu"] >= 90:
            verdict = "jigasi-ng at its CPU limit"
        elif peers_limited:
            verdict = "peer-limited" if (g.get("upstream") or g.get("stand-in")) else "ok (peers near their limit)"
        elif g.get("cpu"):
            verdict = f"jigasi-ng waited for CPU {jigasi_cpu}"
        else:
            verdict = "ok"
        s["verdict"] = verdict
        print(f"{s['calls']:>5} {s['calls'] - s['unanswered']:>4} {fmt(s['jigasi_cpu'], '%'):>6} {fmt(s['jigasi_wait'], '%'):>5} "
              f"{('-' if per_call is None else f'{per_call:.2f}%'):>6} {fmt(s['busy'].get(jc), '%'):>5} {fmt(s['peers_cpu'], '%'):>6} "
              f"{fmt(s['standin_cpu'], '%'):>8} {fmt(s['busy'].get(pc), '%'):>5} "
              f"{fmt(s['to_phone_max'], ''):>8}/{fmt(s['to_phone_p95'], ''):<8} {fmt(s['bridge_max'], ''):>10}  {causes:37} {verdict}")
    clean = [s for s in steps if s["verdict"].startswith("ok")]
    if clean:
        best = max(clean, key=lambda s: s["calls"])
        print(f"most concurrent calls measured without audio gaps: {best['calls']} (jigasi-ng {best['jigasi_cpu']:.0f} % of CPU "
              f"{jigasi_cpu}, {best['cpu_per_call']:.2f} % per call on average)")
    # CPU per added call, from the steps where the peers kept up (clean, their CPU under 85 % and
    # theirs not full with other processes): above that they deliver fewer packets and jigasi-ng's
    # share per call falls with them
    fit = [s for s in steps if s["verdict"] == "ok" and s["peers_cpu"] < 85 and s["busy"].get(pc, 0) < 95
           and s["jigasi_cpu"] is not None]
    if len(fit) >= 2:
        n = len(fit)
        mx = sum(s["calls"] for s in fit) / n
        my = sum(s["jigasi_cpu"] for s in fit) / n
        sxx = sum((s["calls"] - mx) ** 2 for s in fit)
        slope = sum((s["calls"] - mx) * (s["jigasi_cpu"] - my) for s in fit) / sxx if sxx else 0
        base = my - slope * mx
        if slope > 0:
            print(f"jigasi-ng's CPU over the {n} steps where the peers kept up ({', '.join(str(s['calls']) for s in fit)} calls): "
                  f"{base:.1f} % + {slope:.2f} % per call -> one core at about {(100 - base) / slope:.0f} calls "
                  "(an extrapolation: the peers cannot carry that many here)")
    limited = [s for s in steps if s["verdict"] == "peer-limited" or "peers near" in s["verdict"]]
    if limited:
        s = min(limited, key=lambda s: s["calls"])
        print(f"the peers (stand-in, phones, capture) are the limit from {s['calls']} calls: together {s['peers_cpu']:.0f} % of "
              f"CPU {peers_cpu} (stand-in {s['standin_cpu']:.0f} %), their own pauses {s['peer_stall_pct']:.1f} % of the calls' time; "
              "beyond that the figures describe the bench, not jigasi-ng")
    waited = [s for s in steps if (s["jigasi_wait"] or 0) >= 5]
    if waited:
        shares = ", ".join("%.0f %%" % s["jigasi_wait"] for s in waited)
        which = ", ".join(str(s["calls"]) for s in waited)
        print(f"jigasi-ng waited for CPU {jigasi_cpu} (other processes ran on it) {shares} of the time in the steps of "
              f"{which} calls: a shared machine; pauses it caused then are counted as 'cpu', not as its own")
    return steps


def main():
    a = sys.argv[1:]
    if a[:1] == ["setup"] and len(a) == 2:
        r = setup(a[1])
    elif a[:1] == ["load"] and len(a) >= 2:
        jcpu, pcpu = int(os.environ.get("BENCH_JIGASI_CPU", 0)), int(os.environ.get("BENCH_PEERS_CPU", 1))
        r = load(a[1:], jcpu, pcpu)
    else:
        sys.exit(__doc__)
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as f:
            json.dump(r, f, indent=1, default=str)


if __name__ == "__main__":
    main()
