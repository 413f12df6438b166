"""Why jigasi-ng's media paused, from what rtpgaps.py recorded beside the packets (its --watch
samples of jigasi-ng's threads, and its per-CPU stall probes); used by calls_media.py.

A gap first blamed on jigasi-ng ("gateway") is re-blamed when the evidence says otherwise:
  cpu       its busiest thread waited for a CPU for at least half the gap, and more than it ran
  kernel    every working thread of jigasi-ng sat blocked in the kernel (state D) for at least half
            the gap's samples, ran for under a quarter of it, read no page from disk, made no
            write() call and no sampled kernel stack shows a read, write or sync in progress: it
            was not waiting on its own I/O; the kernel stacks are reported
  host      a CPU ran nothing at all for at least half the gap (a probe pinned to it, at nice
            -10, overslept), while jigasi-ng's busiest thread ran for under half of it; only
            when every probe could renice (else an overrun may be mere contention)
  isolated  (isolated_stall) the run's only stall, of one call, short: noted, not failed
"""


def sched_delta(sched, t0, t1):
    """What the watched process's threads did between t0 and t1 (None without samples around
    the interval): the largest CPU time and run-queue wait of any one thread (ms), the threads'
    states as sampled (R running, S sleeping, D blocked in the kernel, T stopped: "S 40, R 2"), the
    major page faults, and the longest spacing of the samples themselves (the sampler held up)."""
    if not sched or not sched["samples"]:
        return None
    smp = sched["samples"]
    before = [i for i, x in enumerate(smp) if x[0] <= t0]
    after = [i for i, x in enumerate(smp) if x[0] >= t1]
    if not before or not after:
        return None
    i0, i1 = before[-1], after[0]
    b, e = smp[i0], smp[i1]
    d = {"cpu": 0.0, "wait": 0.0, "states": {}, "majflt": 0, "sampler_pause": 0.0, "writes": None, "frozen": 0.0}
    if len(b) > 5 and b[5] is not None and e[5] is not None:
        d["writes"] = e[5] - b[5]
    # the working threads (over a second of CPU in the whole capture): the share of the samples
    # inside [t0, t1] that found every one of them blocked in the kernel (D)
    first = {}
    for x in smp:
        for i, v in enumerate(x[1]):
            if v is not None:
                first.setdefault(i, v)
    work = [i for i, v in enumerate(smp[-1][1]) if v is not None and i in first and v - first[i] > 1000]
    inside = [x for x in smp[i0 + 1:i1] if len(x) > 3]
    if work and inside:
        d["frozen"] = sum(1 for x in inside if all(i < len(x[3]) and x[3][i] == "D" for i in work)) / len(inside)
    for i in range(min(len(b[1]), len(e[1]))):
        if b[1][i] is not None and e[1][i] is not None:
            d["cpu"] = max(d["cpu"], e[1][i] - b[1][i])
            d["wait"] = max(d["wait"], e[2][i] - b[2][i])
        if len(b) > 4 and i < len(b[4]) and b[4][i] is not None and e[4][i] is not None:
            d["majflt"] += e[4][i] - b[4][i]
    for j in range(i0, i1 + 1):
        for st in smp[j][3] if len(smp[j]) > 3 else "":
            d["states"][st] = d["states"].get(st, 0) + 1
        if j > i0:
            d["sampler_pause"] = max(d["sampler_pause"], smp[j][0] - smp[j - 1][0])
    return d


def host_stall_over(stalls, t0, t1):
    """The longest stretch of [t0, t1] in which one CPU ran nothing (rtpgaps' host_stalls)."""
    best = 0.0
    for _, s0, ms in stalls or []:
        best = max(best, min(t1, s0 + ms) - max(t0, s0))
    return round(best, 1)


def judge(g, cap, t0, t1):
    """Adds the threads' evidence over [t0, t1] to gap `g` and re-blames it (see above)."""
    d = sched_delta(cap.get("sched"), t0, t1)
    if d:
        g["jigasi_cpu_ms"], g["jigasi_wait_ms"] = round(d["cpu"], 1), round(d["wait"], 1)
        g["jigasi_states"] = ", ".join(f"{k} {n}" for k, n in sorted(d["states"].items(), key=lambda kv: -kv[1]))
        g["jigasi_majflt"] = d["majflt"]
        g["sampler_pause_ms"] = round(d["sampler_pause"], 1)
        # waiting, not working: a stall of its own shows as CPU time (or as neither: blocked)
        if g["blame"] == "gateway" and d["wait"] >= 0.5 * (t1 - t0) and d["wait"] >= d["cpu"]:
            g["blame"] = "cpu"
        g["jigasi_frozen_share"] = round(d["frozen"], 2)
        g["jigasi_writes"] = d["writes"]
        # every working thread blocked in the kernel, not running, no page read from disk, not in a
        # write() of its own (a log line, a file): the kernel held jigasi-ng (stacks in evidence())
        stacks = [b for b in cap.get("sched", {}).get("blocked", []) if b["first"] <= t1 and b.get("last", b["first"]) >= t0]
        if stacks:
            g["kernel_stacks"] = [f"{b['stack']} ({b['samples']} samples)" for b in sorted(stacks, key=lambda b: -b["samples"])[:2]]
        # (syscw counts a write() once it returns: the stacks also must not show one in progress)
        own_io = any(w in b["stack"] for b in stacks for w in ("write", "sync", "read"))
        if (g["blame"] == "gateway" and d["frozen"] >= 0.5 and d["cpu"] < 0.25 * (t1 - t0) and d["majflt"] == 0
                and d["writes"] == 0 and stacks and not own_io):
            g["blame"] = "kernel"
    held = host_stall_over(cap.get("host_stalls"), g["at"], g["at"] + g["ms"])
    if held:
        g["host_stall_ms"] = held
        idle = d is not None and d["cpu"] < 0.5 * g["ms"]
        if g["blame"] == "gateway" and held >= 0.5 * g["ms"] and idle and cap.get("host_stall_probes_niced"):
            g["blame"] = "host"


def evidence(g, c):
    """The evidence about gap `g` of call `c`, as "; ..." for a failure line."""
    why = ""
    if "jigasi_wait_ms" in g:
        why += (f"; jigasi-ng ran {g['jigasi_cpu_ms']:.0f} ms and waited {g['jigasi_wait_ms']:.0f} ms for a CPU meanwhile "
                f"(busiest thread), its threads' states sampled {g['jigasi_states'] or '-'}, "
                f"{g['jigasi_majflt']} major page faults, the sampler's longest pause {g['sampler_pause_ms']:.0f} ms")
    if g.get("jigasi_frozen_share"):
        why += (f"; every working thread blocked in the kernel in {g['jigasi_frozen_share'] * 100:.0f} % of the samples, "
                f"{g['jigasi_writes']} write calls of its own meanwhile")
    if g.get("kernel_stacks"):
        why += "; blocked in " + "; ".join(g["kernel_stacks"])
    if "late_ticks" in c:
        why += (f"; by its own count the call's 20 ms clock fell over 100 ms behind {c['late_ticks']} times "
                f"and {c['send_failed']} sends to the bridge failed")
    if g.get("host_stall_ms"):
        why += f"; a CPU ran nothing for {g['host_stall_ms']:.0f} ms of it"
    return why


def isolated_stall(findings, limit_ms):
    """One short stall of one call, alone in the whole run, is noted, not failed (limit_ms > 0):
    twice in CI a call's stream paused 129 and 192 ms while jigasi-ng's busiest thread neither ran
    nor waited for most of it, never here; a fault of the gateway's own recurs or hits several
    calls, and two calls, a second stall of the same call a second away, or a longer one still
    fail. `findings`: [(call, gap, message)] blamed on jigasi-ng. Returns the note (and marks the
    gaps "isolated"), or None."""
    if not findings or limit_ms <= 0:
        return None
    ids = {c["id"] for c, _, _ in findings}
    lo = min(g["at"] for _, g, _ in findings)
    hi = max(g["at"] + g["ms"] for _, g, _ in findings)
    longest = max(g["ms"] for _, g, _ in findings)
    if len(ids) != 1 or longest > limit_ms or hi - lo > longest + 1000:
        return None
    for _, g, _ in findings:
        g["blame"] = "isolated"
    more = len(findings) - 1
    return f"one isolated stall, allowed once a run: {findings[0][2]}" + (
        f" (and {more} more finding{'s' * (more > 1)} of the same stall)" if more else "")
