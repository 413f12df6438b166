#!/usr/bin/env python3
"""XMPP control connections against a real Prosody: time to join the brewery, recovery after a
Prosody restart, and memory per connection.

usage: bench/xmpp_control.py BINARY [--runs 5] [--connections 1,25] [--no-netns]

Prosody runs with the e2e bench's Jitsi layout (tests/e2e/prosody/prosody.cfg.lua.in, SCRAM
account jigasi@auth.meet.test). Printed:
1. join: spawn of jigasi-ng to /about/health saying "in brewery" for a TCP and a WebSocket
   deployment (TCP connect, SASL SCRAM-SHA-1, bind, MUC join), median and max over --runs starts;
2. recovery: Prosody stopped and started again; from Prosody's port answering to both
   deployments back in the brewery (backoff 1-2 s included, as configured);
3. memory: VmRSS with N control connections (all to the same Prosody) once joined, and the
   difference per extra connection.
As root (and without --no-netns) it re-executes itself in a private network namespace. Figures,
not a test: exit code 1 only if the set-up breaks.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROSODY_TEMPLATE = os.path.join(HERE, '..', 'tests', 'e2e', 'prosody', 'prosody.cfg.lua.in')
C2S, COMPONENT, HTTP = 5222, 5347, 5280
BREWERY = 'jigasibrewery@internal.auth.meet.test'


def wait_port(port, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.01)
    return False


def start_prosody(workdir):
    d = os.path.join(workdir, 'prosody')
    os.makedirs(os.path.join(d, 'data'), exist_ok=True)
    os.makedirs(os.path.join(d, 'certs'), exist_ok=True)
    cfg = open(PROSODY_TEMPLATE).read()
    for k, v in {'@DIR@': d, '@C2S@': str(C2S), '@COMPONENT@': str(COMPONENT), '@HTTP@': str(HTTP),
                 '@FOCUS_SECRET@': 'focussecret', '@CALLCONTROL_SECRET@': 'callcontrolsecret'}.items():
        cfg = cfg.replace(k, v)
    path = os.path.join(d, 'prosody.cfg.lua')
    open(path, 'w').write(cfg)
    subprocess.run(['prosodyctl', '--config', path, 'register', 'jigasi', 'auth.meet.test', 'jigasipass'],
                   check=True, capture_output=True)
    p = subprocess.Popen(['prosody', '--config', path, '-F'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not (wait_port(C2S, 10) and wait_port(HTTP, 10)):
        sys.exit('prosody did not start')
    return p


def stop(p):
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def health(port):
    try:
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/about/health', timeout=1) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)
    except OSError:
        return None


def joined(port, ids):
    h = health(port)
    return h is not None and all(
        h.get('subsystems', {}).get(f'xmpp.{i}', {}).get('detail', '').startswith('in brewery') for i in ids)


def config(workdir, http_port, servers):
    entries = []
    for sid, ws in servers:
        e = {'id': sid, 'domain': 'meet.test', 'host': '127.0.0.1', 'port': C2S, 'tls': 'none',
             'control': {'enabled': True, 'password': 'jigasipass', 'brewery': BREWERY}}
        if ws:
            e['websocket'] = f'ws://127.0.0.1:{HTTP}/xmpp-websocket'
        entries.append(e)
    cfg = {'http': {'port': http_port}, 'log': {'level': 'warning'}, 'sip': {'listen': []},
           'xmpp': {'servers': entries, 'reconnect_min_s': 1, 'reconnect_max_s': 2}}
    path = os.path.join(workdir, f'jigasi-{len(servers)}.json')
    json.dump(cfg, open(path, 'w'))
    return path


def wait_until(pred, secs):
    start = time.monotonic()
    while time.monotonic() - start < secs:
        if pred():
            return time.monotonic() - start
        time.sleep(0.002)
    return None


def rss_kib(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('binary')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--connections', default='1,25')
    ap.add_argument('--no-netns', action='store_true')
    ap.add_argument('--in-netns', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not shutil.which('prosody'):
        sys.exit('prosody not found (apt install prosody)')
    if os.geteuid() == 0 and not args.no_netns and not args.in_netns and shutil.which('unshare'):
        argv = [sys.executable, os.path.abspath(__file__), '--in-netns'] + sys.argv[1:]
        os.execvp('unshare', ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh'] + argv)
    workdir = tempfile.mkdtemp(prefix='xmpp_control.')
    print(f'# jigasi-ng {args.binary}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; artifacts in {workdir}')
    prosody = start_prosody(workdir)
    http_port = 18788
    servers = [('tcp', False), ('ws', True)]
    cfg = config(workdir, http_port, servers)

    # 1. Spawn to "in brewery" (TCP and WebSocket deployments both joined).
    times = []
    for _ in range(args.runs):
        j = subprocess.Popen([args.binary, '--config', cfg], stderr=open(os.path.join(workdir, 'jigasi.log'), 'a'))
        t = wait_until(lambda: joined(http_port, ['tcp', 'ws']), 15)
        stop(j)
        if t is None:
            sys.exit('jigasi-ng did not join the brewery within 15 s (see jigasi.log)')
        times.append(t * 1000)
    print(f'join: spawn -> both deployments in the brewery: median {statistics.median(times):.0f} ms, '
          f'max {max(times):.0f} ms ({args.runs} starts)')

    # 2. Recovery after a Prosody restart.
    j = subprocess.Popen([args.binary, '--config', cfg], stderr=open(os.path.join(workdir, 'jigasi.log'), 'a'))
    wait_until(lambda: joined(http_port, ['tcp', 'ws']), 15)
    stop(prosody)
    wait_until(lambda: not joined(http_port, ['tcp']), 10)
    prosody = start_prosody(workdir)
    t = wait_until(lambda: joined(http_port, ['tcp', 'ws']), 20)
    stop(j)
    print(f'recovery: Prosody listening again -> both back in the brewery: '
          f'{t * 1000:.0f} ms (reconnect backoff 1-2 s)' if t is not None else 'recovery: not back within 20 s')

    # 3. Memory per control connection.
    rss = {}
    for n in [int(x) for x in args.connections.split(',')]:
        ids = [f'c{i}' for i in range(n)]
        path = config(workdir, http_port, [(i, False) for i in ids])
        j = subprocess.Popen([args.binary, '--config', path], stderr=open(os.path.join(workdir, 'jigasi.log'), 'a'))
        if wait_until(lambda: joined(http_port, ids), 30) is None:
            stop(j)
            sys.exit(f'{n} connections did not all join within 30 s')
        time.sleep(1)
        rss[n] = rss_kib(j.pid)
        stop(j)
        print(f'memory: {n} control connection(s) joined: VmRSS {rss[n] / 1024:.1f} MiB')
    ns = sorted(rss)
    if len(ns) >= 2:
        per = (rss[ns[-1]] - rss[ns[0]]) / (ns[-1] - ns[0])
        print(f'memory: {per:.0f} KiB per extra connection (stream, parser, TLS-less socket, MUC state)')
    stop(prosody)


if __name__ == '__main__':
    main()
