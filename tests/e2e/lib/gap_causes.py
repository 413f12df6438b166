"""Why jigasi-ng's media paused, from what rtpgaps.py recorded beside the packets (its --watch
samples of jigasi-ng's threads, and its per-CPU stall probes); used by calls_media.py.

A gap first blamed on jigasi-ng ("gateway") is re-blamed when the evidence says otherwise:
  cpu       its busiest thread waited for a CPU for at least half the gap, and more than it ran
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
    d = {"cpu": 0.0, "wait": 0.0, "states": {}, "majflt": 0, "sampler_pause": 0.0}
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
