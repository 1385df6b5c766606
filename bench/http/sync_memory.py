#!/usr/bin/env python3
"""Memory of concurrent synchronous generations: N clients POST /generate-image at once for
SIDExSIDE images against `pictor serve`, each retrying after a 503 as its Retry-After says,
until every image is generated. Prints the server's resident memory before, at its peak
(VmHWM) and a few seconds after the last answer.

Usage: sync_memory.py PICTOR_BINARY [--clients 64] [--side 2048] [-- extra serve flags...]
"""
import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def start_serve(binary, tmp, extra):
    port_file = os.path.join(tmp, "port")
    args = [binary, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
            "--workers", "0", "--store", "file:" + os.path.join(tmp, "images"),
            "--queue", "sqlite:" + os.path.join(tmp, "queue.db"), "--log-level", "warn"] + extra
    proc = subprocess.Popen(args)
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return proc, int(open(port_file).read())
        if proc.poll() is not None:
            sys.exit("pictor serve exited early")
        time.sleep(0.05)
    proc.kill()
    sys.exit("pictor serve did not listen")


def client(port, side, seed, counts, lock):
    body = json.dumps({"prompt": "a lighthouse on a cliff at dusk, waves, gulls",
                       "width": side, "height": side, "seed": seed})
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("POST", "/generate-image", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        retry_after = response.getheader("Retry-After")
        conn.close()
        with lock:
            counts[response.status] = counts.get(response.status, 0) + 1
        if response.status != 503:
            return
        time.sleep(float(retry_after or 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--side", type=int, default=2048)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("extra", nargs="*")
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_serve(a.binary, tmp, a.extra)
        try:
            before = status_kb(proc.pid, "VmRSS")
            counts, lock = {}, threading.Lock()
            threads = [threading.Thread(target=client, args=(port, a.side, i, counts, lock))
                       for i in range(a.clients)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - started
            peak = status_kb(proc.pid, "VmHWM")
            time.sleep(a.settle)
            after = status_kb(proc.pid, "VmRSS")
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    flags = " ".join(a.extra) or "(defaults)"
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    print(f"{a.clients} clients x {a.side}x{a.side} POST /generate-image, serve {flags}")
    print(f"  answers {answers}; all generated in {wall:.1f} s")
    print(f"  RSS before {before / 1024:.0f} MB, peak {peak / 1024:.0f} MB, "
          f"{a.settle:.0f} s after {after / 1024:.0f} MB")


if __name__ == "__main__":
    main()
