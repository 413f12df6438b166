#!/usr/bin/env python3
"""Start-up time and idle memory of jigasi-ng.

usage: bench/startup.py BINARY [RUNS] [LANGUAGES]

For each run, starts the binary on a config with no XMPP server to reach (so health can be 200) and
measures, from spawn: the first answer of GET /about/health and the first 200. Then samples the idle
RSS (VmRSS) 2 s after start and the CPU time used while idle for 5 s. Prints the median and worst
figures. Run it on an otherwise idle machine; it binds 127.0.0.1 ports only. LANGUAGES ("de,fr,es")
adds a dial-in number per language, so that those prompt sets are loaded too.
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def health_status(port):
    try:
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=1)
        c.request('GET', '/about/health')
        return c.getresponse().status
    except OSError:
        return None


def proc_field(pid, name):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(name + ':'):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def one_run(binary, languages):
    port = free_port()
    cfg = {'http': {'port': port}, 'xmpp': {'servers': []}, 'sip': {'listen': []},
           'dialin': {'numbers': [{'country_code': 'DE', 'number': f'+49 30 {i}', 'language': lang}
                                  for i, lang in enumerate(languages)]}}
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(cfg, f)
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, '--config', f.name], stderr=subprocess.DEVNULL)
    first = healthy = None
    while healthy is None and time.perf_counter() - t0 < 10:
        status = health_status(port)
        now = time.perf_counter() - t0
        if status is not None and first is None:
            first = now
        if status == 200:
            healthy = now
        else:
            time.sleep(0.002)
    time.sleep(max(0.0, 2 - (time.perf_counter() - t0)))
    rss_kib = proc_field(p.pid, 'VmRSS')
    threads = proc_field(p.pid, 'Threads')
    cpu0 = cpu_seconds(p.pid)
    time.sleep(5)
    idle_cpu = cpu_seconds(p.pid) - cpu0
    p.terminate()
    code = p.wait(10)
    os.unlink(f.name)
    return first, healthy, rss_kib, threads, idle_cpu, code


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    languages = [l for l in sys.argv[3].split(',') if l] if len(sys.argv) > 3 else []
    results = [one_run(binary, languages) for _ in range(runs)]
    firsts = [r[0] * 1000 for r in results]
    healthy = [r[1] * 1000 for r in results]
    rss = [r[2] / 1024 for r in results]
    print(f'languages: {["ivr.language"] + languages}')
    print(f'runs: {runs}, threads: {results[0][3]}, exit codes on SIGTERM: {sorted({r[5] for r in results})}')
    print(f'spawn -> first /about/health answer: median {statistics.median(firsts):.1f} ms, max {max(firsts):.1f} ms')
    print(f'spawn -> /about/health 200:          median {statistics.median(healthy):.1f} ms, max {max(healthy):.1f} ms')
    print(f'idle RSS 2 s after start:            median {statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB')
    print(f'idle CPU over 5 s:                   max {max(r[4] for r in results) * 1000:.0f} ms')


if __name__ == '__main__':
    main()
