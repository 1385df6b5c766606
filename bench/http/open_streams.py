#!/usr/bin/env python3
"""GET /healthz and POST /jobs on `pictor serve` with 0 and with N open event streams.

Usage: bench/http/open_streams.py PICTOR [--streams 1000] [--rounds 3] [--duration 5s]

Starts `pictor serve --workers 0` on embedded SQLite in a fresh directory, queues 10 jobs (no
worker takes them, so their streams stay open), and runs `wrk -t2 -c32 --latency` against each
route ROUNDS times with no stream open and ROUNDS times with N streams open (GET
/jobs/{id}/events spread over the 10 jobs, each connection's header read), alternating, so both
see the same machine load. Prints the median requests/s and p50/p99 latency of each, the ratio
with/without, and the server's thread count (/proc/PID/status) without and with the streams.
"""

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("pictor")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", default="5s")
    return parser.parse_args()


def threads_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def wrk(url, duration, lua=None):
    argv = ["wrk", "-t2", "-c32", "-d" + duration, "--latency"]
    if lua:
        argv += ["-s", lua]
    out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency_ms(percent):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % percent, out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, latency_ms(50), latency_ms(99), int(bad.group(1)) if bad else 0


def open_streams(port, jobs, count):
    streams = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(("GET /jobs/%s/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Accept: text/event-stream\r\n\r\n" % jobs[i % len(jobs)]).encode())
        streams.append(sock)
    for sock in streams:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise SystemExit("a stream closed before its header")
            head += chunk
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit("a stream was refused: %r" % head[:80])
    return streams


def main():
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    work = tempfile.mkdtemp(prefix="pictor-bench-streams-")
    server = None
    try:
        port_file = os.path.join(work, "port")
        server = subprocess.Popen(
            [args.pictor, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
             "--workers", "0", "--store", "file:" + os.path.join(work, "images"),
             "--queue", "sqlite:" + os.path.join(work, "queue.db"), "--log-level", "warn",
             "--max-connections-per-address", str(args.streams + 100)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        port = int(open(port_file).read().strip())
        base = "http://127.0.0.1:%d" % port
        jobs = []
        for i in range(10):
            request = urllib.request.Request(
                base + "/jobs", method="POST", headers={"Content-Type": "application/json"},
                data=json.dumps({"prompt": "a stream watched by many %d" % i}).encode())
            with urllib.request.urlopen(request) as response:
                jobs.append(json.load(response)["id"])
        lua = os.path.join(work, "post.lua")
        with open(lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    'wrk.body = \'{"prompt": "A magical salmon going to the moon in a rocket"}\'\n')

        results = {}  # (route, streams) -> [(rps, p50, p99, bad)]
        threads = {}
        for _ in range(args.rounds):
            for count in (0, args.streams):
                streams = open_streams(port, jobs, count) if count else []
                threads[count] = threads_of(server.pid)
                results.setdefault(("GET /healthz", count), []).append(
                    wrk(base + "/healthz", args.duration))
                results.setdefault(("POST /jobs", count), []).append(
                    wrk(base + "/jobs", args.duration, lua))
                for sock in streams:
                    sock.close()
                time.sleep(0.5)  # the server sees the closes before the next round
        for route in ("GET /healthz", "POST /jobs"):
            line = []
            medians = {}
            for count in (0, args.streams):
                runs = results[(route, count)]
                rps = statistics.median(r[0] for r in runs)
                p50 = statistics.median(r[1] for r in runs)
                p99 = statistics.median(r[2] for r in runs)
                bad = sum(r[3] for r in runs)
                medians[count] = rps
                line.append("%d streams %.0f req/s p50 %.2f ms p99 %.2f ms non-2xx %d"
                            % (count, rps, p50, p99, bad))
            print("%s: %s; ratio %.2f" % (route, "; ".join(line),
                                          medians[args.streams] / medians[0]))
        print("server threads: %d with 0 streams, %d with %d streams"
              % (threads[0], threads[args.streams], args.streams))
    finally:
        if server and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(work, True)


if __name__ == "__main__":
    main()
