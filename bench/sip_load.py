#!/usr/bin/env python3
"""SIP signalling throughput against the echo extension, and memory per registrar binding.

usage: bench/sip_load.py BINARY [--rates 100,200,...] [--step-s 10] [--hold-ms 0] [--bindings 1000]
                                [--log-level info] [--no-netns]

1. Call rate ramp: for each rate, SIPp (tests/e2e/sip/sipp/uac_load.xml) places rate x step-s calls
   to sip:echo@127.0.0.1 (INVITE with SDP, 200, ACK, hold-ms of RTP, BYE, 200). A step passes when
   SIPp reports no failed call and reaches >= 95 % of the asked rate; the ramp stops at the first
   step that fails. Printed per step: achieved calls/s, failed calls, retransmissions, INVITE->200
   response time (median, p95, p99, max from SIPp's -trace_rtt, whole milliseconds), peak concurrent calls, and the CPU
   time jigasi-ng used per call (all threads; the signalling strand is one of them).
2. Bindings: jigasi-ng with N registrar users (user0000.. with passwords) is sampled (VmRSS) after
   start, then every user REGISTERs once over UDP with MD5 digest (401, then 200), and VmRSS is
   sampled again once idle; (after - before) / N = memory per idle binding.

As root (and without --no-netns) the benchmark re-executes itself in a private network namespace
(unshare --net, loopback only), so port 5060 is free and nothing leaves the machine. Figures, not
a test: it never fails on a slow machine; exit code 1 only if the set-up itself breaks.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SIPP_XML = os.path.join(HERE, '..', 'tests', 'e2e', 'sip', 'sipp', 'uac_load.xml')


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


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Jigasi:
    def __init__(self, binary, workdir, sip_port, log_level, users=()):
        self.http = free_port()
        self.sip_port = sip_port
        cfg = {'http': {'port': self.http}, 'xmpp': {'servers': []},
               'log': {'level': log_level},
               'sip': {'listen': [{'transport': 'udp', 'address': '127.0.0.1', 'port': sip_port}],
                       'registrar': {'realm': 'jigasi-ng', 'users': [{'user': u, 'password': p} for u, p in users]}},
               'media': {'min_port': 40000, 'max_port': 49999}}
        self.cfg = os.path.join(workdir, f'jigasi-{sip_port}-{len(users)}.json')
        with open(self.cfg, 'w') as f:
            json.dump(cfg, f)
        self.log = open(os.path.join(workdir, f'jigasi-{sip_port}-{len(users)}.log'), 'w')
        self.p = subprocess.Popen([binary, '--config', self.cfg], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(f'http://127.0.0.1:{self.http}/about/version', timeout=1).read()
                break
            except OSError:
                if self.p.poll() is not None:
                    sys.exit(f'jigasi-ng exited at start (see {self.log.name})')
                time.sleep(0.05)
        else:
            sys.exit('jigasi-ng HTTP API did not come up')

    def stats(self):
        return json.loads(urllib.request.urlopen(f'http://127.0.0.1:{self.http}/stats', timeout=2).read())

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()


def percentile(sorted_values, q):
    if not sorted_values:
        return float('nan')
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def sipp_step(workdir, sip_port, rate, calls, hold_ms, step_no):
    d = os.path.join(workdir, f'step{step_no}-{rate}')
    os.makedirs(d, exist_ok=True)
    tone = os.path.join(d, 'tone.ul')
    with open(tone, 'wb') as f:  # 20 s of u-law silence-ish tone is enough: content does not matter here
        f.write(bytes([0xFF, 0x7F] * 80000))
    mp = 20000
    cmd = ['sipp', '-sf', SIPP_XML, '-s', 'echo', f'127.0.0.1:{sip_port}', '-i', '127.0.0.1', '-mi', '127.0.0.1',
           '-p', str(free_port(socket.SOCK_DGRAM)), '-mp', str(mp), '-nostdin', '-r', str(rate), '-m', str(calls),
           '-l', str(max(200, rate * 5)), '-d', str(hold_ms), '-recv_timeout', '10000', '-max_socket', '5000',
           '-trace_stat', '-stf', os.path.join(d, 'stats.csv'), '-fd', '1',
           '-trace_rtt', '-rtt_freq', '1', '-trace_err', '-error_file', os.path.join(d, 'errors.log')]
    t0 = time.time()
    out = subprocess.run(cmd, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=calls / rate + 120)
    wall = time.time() - t0
    with open(os.path.join(d, 'sipp.log'), 'w') as f:
        f.write(out.stdout)
    m_ok = re.findall(r'Successful call\s*\|\s*\d+\s*\|\s*(\d+)', out.stdout)
    m_fail = re.findall(r'Failed call\s*\|\s*\d+\s*\|\s*(\d+)', out.stdout)
    m_peak = re.findall(r'Peak was (\d+) calls', out.stdout)
    m_rate = re.findall(r'Call Rate\s*\|\s*[\d.]+ cps\s*\|\s*([\d.]+) cps', out.stdout)
    retrans = 0
    for line in out.stdout.splitlines():
        m = re.match(r'\s*(INVITE|ACK|BYE) -+>\s+(?:E-RTD1\s+)?(\d+)\s+(\d+)', line)
        if m:
            retrans += int(m.group(3))
    rtts = []
    for f in glob.glob(os.path.join(d, '*_rtt.csv')):
        with open(f) as fh:
            for line in fh:
                parts = line.strip().split(';')  # Date_ms;response_time_ms;rtd_no (whole ms in SIPp 3.6)
                if len(parts) >= 2 and parts[1].replace('.', '', 1).isdigit():
                    rtts.append(float(parts[1]))
    rtts.sort()
    ok = int(m_ok[-1]) if m_ok else 0
    return {
        'rate': rate, 'calls': calls, 'ok': ok, 'failed': int(m_fail[-1]) if m_fail else calls - ok,
        'exit': out.returncode, 'wall_s': wall, 'achieved_cps': float(m_rate[-1]) if m_rate else ok / wall,
        'peak': int(m_peak[-1]) if m_peak else None, 'retrans': retrans,
        'rtt_ms': {'median': percentile(rtts, 0.5), 'p95': percentile(rtts, 0.95), 'p99': percentile(rtts, 0.99),
                   'max': rtts[-1] if rtts else float('nan'), 'n': len(rtts)},
    }


def ramp(args, workdir):
    sip_port = 5060 if args.in_netns else free_port(socket.SOCK_DGRAM)
    j = Jigasi(args.binary, workdir, sip_port, args.log_level)
    print(f'# call rate ramp: uac_load.xml -> sip:echo, {args.step_s} s per step, RTP hold {args.hold_ms} ms, '
          f'jigasi-ng log level {args.log_level}')
    print(f'{"rate":>6} {"achieved":>9} {"ok":>6} {"failed":>6} {"retr":>5} {"peak":>5} '
          f'{"rt med":>7} {"rt p95":>7} {"rt p99":>7} {"rt max":>7} {"cpu/call":>9}  verdict')
    best = None
    results = []
    try:
        for i, rate in enumerate(args.rates):
            calls = rate * args.step_s
            cpu0 = cpu_seconds(j.p.pid)
            r = sipp_step(workdir, sip_port, rate, calls, args.hold_ms, i)
            # let the last BYEs and media shut-downs land before reading CPU
            time.sleep(1.0)
            cpu = cpu_seconds(j.p.pid) - cpu0
            r['cpu_ms_per_call'] = 1000 * cpu / max(1, r['ok'])
            passed = r['exit'] == 0 and r['failed'] == 0 and r['achieved_cps'] >= 0.95 * rate
            r['passed'] = passed
            results.append(r)
            rt = r['rtt_ms']
            print(f'{rate:>6} {r["achieved_cps"]:>9.1f} {r["ok"]:>6} {r["failed"]:>6} {r["retrans"]:>5} '
                  f'{r["peak"] or 0:>5} {rt["median"]:>7.2f} {rt["p95"]:>7.2f} {rt["p99"]:>7.2f} {rt["max"]:>7.1f} '
                  f'{r["cpu_ms_per_call"]:>7.3f}ms  {"ok" if passed else "FAIL (exit %d)" % r["exit"]}', flush=True)
            if j.p.poll() is not None:
                print(f'jigasi-ng exited during the step (status {j.p.returncode})')
                break
            if not passed:
                break
            best = r
    finally:
        rss = proc_field(j.p.pid, 'VmRSS') if j.p.poll() is None else 0
        threads = proc_field(j.p.pid, 'Threads') if j.p.poll() is None else 0
        j.stop()
    if best:
        print(f'max rate with 0 failed calls: {best["rate"]} calls/s (achieved {best["achieved_cps"]:.1f}), '
              f'INVITE->200 median {best["rtt_ms"]["median"]:.2f} ms, p99 {best["rtt_ms"]["p99"]:.2f} ms')
    else:
        print('no step passed')
    print(f'jigasi-ng after the ramp: VmRSS {rss / 1024:.1f} MiB, {threads} threads')
    return results


class Registrar:
    """Minimal UDP REGISTER client with MD5 digest (qop=auth when offered)."""

    def __init__(self, port):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(('127.0.0.1', 0))
        self.lp = self.s.getsockname()[1]
        self.port = port

    def send_recv(self, msg, cseq):
        for _ in range(8):
            self.s.sendto(msg.encode(), ('127.0.0.1', self.port))
            end = time.time() + 0.5
            while time.time() < end:
                if select.select([self.s], [], [], 0.05)[0]:
                    m = self.s.recv(65535).decode(errors='replace')
                    if f'CSeq: {cseq} REGISTER' in m:
                        return m
        raise RuntimeError('no answer to REGISTER')

    def register(self, user, password, contact_port):
        cid, tag = uuid.uuid4().hex, uuid.uuid4().hex[:8]
        uri = f'sip:127.0.0.1:{self.port}'

        def msg(cseq, auth=''):
            return (f'REGISTER {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{self.lp};branch=z9hG4bK{uuid.uuid4().hex[:12]};rport\r\n'
                    f'Max-Forwards: 70\r\nFrom: <sip:{user}@127.0.0.1>;tag={tag}\r\nTo: <sip:{user}@127.0.0.1>\r\n'
                    f'Call-ID: {cid}\r\nCSeq: {cseq} REGISTER\r\nContact: <sip:{user}@127.0.0.1:{contact_port}>\r\n'
                    f'Expires: 3600\r\n{auth}Content-Length: 0\r\n\r\n')
        r = self.send_recv(msg(1), 1)
        if not r.startswith('SIP/2.0 401'):
            raise RuntimeError('expected 401, got ' + r.split('\r\n')[0])
        chal = next(v for v in re.findall(r'(?im)^WWW-Authenticate:\s*Digest (.*)$', r)
                    if 'algorithm=SHA-256' not in v.replace('"', ''))
        p = dict((k.lower(), v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', chal))
        ha1 = hashlib.md5(f'{user}:{p["realm"]}:{password}'.encode()).hexdigest()
        ha2 = hashlib.md5(f'REGISTER:{uri}'.encode()).hexdigest()
        extra = ''
        if 'auth' in p.get('qop', '').split(','):
            cnonce, nc = uuid.uuid4().hex[:16], '00000001'
            resp = hashlib.md5(f'{ha1}:{p["nonce"]}:{nc}:{cnonce}:auth:{ha2}'.encode()).hexdigest()
            extra = f', qop=auth, nc={nc}, cnonce="{cnonce}"'
        else:
            resp = hashlib.md5(f'{ha1}:{p["nonce"]}:{ha2}'.encode()).hexdigest()
        opaque = f', opaque="{p["opaque"]}"' if 'opaque' in p else ''
        auth = (f'Authorization: Digest username="{user}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
                f'response="{resp}", algorithm=MD5{extra}{opaque}\r\n')
        r = self.send_recv(msg(2, auth), 2)
        if not r.startswith('SIP/2.0 200'):
            raise RuntimeError(f'{user}: expected 200, got ' + r.split('\r\n')[0])


def bindings(args, workdir):
    n = args.bindings
    users = [(f'user{i:05d}', f'pw{i:05d}') for i in range(n)]
    sip_port = 5062 if args.in_netns else free_port(socket.SOCK_DGRAM)
    j = Jigasi(args.binary, workdir, sip_port, 'notice', users)
    try:
        time.sleep(2)
        before = proc_field(j.p.pid, 'VmRSS')
        reg = Registrar(sip_port)
        t0 = time.time()
        for i, (u, p) in enumerate(users):
            reg.register(u, p, 30000 + i % 30000)
        took = time.time() - t0
        time.sleep(2)
        after = proc_field(j.p.pid, 'VmRSS')
        count = j.stats().get('registrations')
    finally:
        j.stop()
    print(f'# registrar bindings: {n} users, one UDP binding each, MD5 digest')
    print(f'VmRSS before {before} KiB, after {after} KiB, /stats registrations {count}; '
          f'{(after - before) * 1024 / n:.0f} bytes per idle binding; {n} REGISTER pairs (401+200) in {took:.2f} s '
          f'({n / took:.0f}/s, one at a time)')
    return {'n': n, 'rss_before_kib': before, 'rss_after_kib': after, 'registrations': count,
            'bytes_per_binding': (after - before) * 1024 / n, 'register_s': took}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('binary')
    ap.add_argument('--rates', default='50,100,200,300,400,600,800,1000,1500,2000')
    ap.add_argument('--step-s', type=int, default=10)
    ap.add_argument('--hold-ms', type=int, default=0, help='RTP per call (uac_load -d); 0 = signalling only')
    ap.add_argument('--bindings', type=int, default=1000)
    ap.add_argument('--log-level', default='info')
    ap.add_argument('--no-netns', action='store_true')
    ap.add_argument('--in-netns', action='store_true', help=argparse.SUPPRESS)
    ap.add_argument('--skip-ramp', action='store_true')
    ap.add_argument('--skip-bindings', action='store_true')
    args = ap.parse_args()
    args.rates = [int(x) for x in args.rates.split(',')]
    args.binary = os.path.abspath(args.binary)
    if not shutil.which('sipp') and not args.skip_ramp:
        sys.exit('sipp not found (apt install sip-tester)')
    if os.geteuid() == 0 and not args.no_netns and not args.in_netns and shutil.which('unshare'):
        argv = [sys.executable, os.path.abspath(__file__), '--in-netns'] + sys.argv[1:]
        os.execvp('unshare', ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'] + argv)
    workdir = tempfile.mkdtemp(prefix='sip_load.')
    print(f'# jigasi-ng {args.binary}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; '
          f'{"private network namespace" if args.in_netns else "host network"}; artifacts in {workdir}')
    if not args.skip_ramp:
        ramp(args, workdir)
    if not args.skip_bindings:
        bindings(args, workdir)


if __name__ == '__main__':
    main()
