#!/usr/bin/python3
"""Soak: mixed load and faults against a Release `pictor` for SOAK_SECONDS (default 600), then
checks that every promise held. Not part of `make test`; run with `make soak` (docs/PERFORMANCE.md).

Load (all on loopback, in one temporary directory):
  - `pictor serve --workers 0` over file:DIR/images and sqlite:DIR/queue.db, with the fake
    OpenAI-compatible model (tests/peers/fake_model_server.py);
  - HTTP clients: POST /jobs with an Idempotency-Key (each key sent again now and then, as a
    client retrying after a lost answer would) and POST /generate-image;
  - `pictor send` now and then;
  - three `pictor worker` processes: worker 0 is never killed (its memory is measured), workers 1
    and 2 are killed with SIGKILL at random and restarted;
Faults:
  - the store made unwritable for a few seconds at a time (its directory replaced by a regular
    file, which stops root too);
  - the model throttling (its /_control throttle mode) for a number of calls at a time.
Then, after the load stops, every accepted job must reach a final state within SOAK_DRAIN_SECONDS
(default 300) and:
  - every accepted job (202 from POST /jobs, a message id from `pictor send`) succeeded;
  - exactly one PNG exists for each, valid (signature, IHDR, size asked) and no PNG exists for
    anything that was not accepted;
  - every 200 from /generate-image named a valid PNG of the size asked;
  - the RSS of each long-lived process (serve, worker 0) in the last minute is within 10% of the
    first minute (windows shrink to a tenth of the run for short runs).
Prints a summary; exits 1 when a check fails, 2 on a usage error.

Usage: soak.py PICTOR_BINARY   (env SOAK_SECONDS, SOAK_DRAIN_SECONDS, SOAK_SEED, SOAK_KEEP=1)
"""

import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_MODEL = os.path.join(ROOT, "tests", "peers", "fake_model_server.py")
PROMPTS = ["a lighthouse at dusk", "a cat and a dog exploring space", "three red kites",
           "a green field under a blue sky", "a fox in snow", "en katt på månen ✨"]
SIZES = [(64, 64), (128, 96), (256, 256)]


def now():
    return time.monotonic()


class Log:
    lock = threading.Lock()

    @staticmethod
    def say(text):
        with Log.lock:
            print(f"[soak {time.strftime('%H:%M:%S')}] {text}", flush=True)


def http(method, url, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, urllib.error.URLError) as e:  # refused, reset, timed out
        return 0, str(e).encode()


def png_size(path):
    """(width, height) of a PNG file with a valid signature and IHDR, else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(33)
            f.seek(-12, os.SEEK_END)
            tail = f.read(12)
    except OSError:
        return None
    if len(head) < 33 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    if tail[4:8] != b"IEND":
        return None
    return struct.unpack(">II", head[16:24])


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Soak:
    def __init__(self, binary, seconds, drain_seconds, seed):
        self.binary = os.path.abspath(binary)
        self.seconds = seconds
        self.drain_seconds = drain_seconds
        self.rng = random.Random(seed)
        self.dir = tempfile.mkdtemp(prefix="pictor-soak-")
        self.images = os.path.join(self.dir, "images")
        os.makedirs(self.images)
        self.queue = "sqlite:" + os.path.join(self.dir, "queue.db")
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.jobs = {}            # job id -> (width, height) asked; accepted jobs only
        self.keys = {}            # Idempotency-Key -> job id
        self.sync_images = []     # (key, width, height) of 200s from /generate-image
        self.counts = {k: 0 for k in ("jobs_202", "jobs_replayed", "jobs_refused", "jobs_error",
                                      "sync_200", "sync_refused", "sync_error", "send_ok",
                                      "send_failed", "kills", "store_outages", "throttles",
                                      "temps_swept")}
        self.statuses = {}        # "POST /jobs 503" -> count
        self.failures = []
        self.rss = {}             # name -> [(t, kib)]
        self.procs = {}
        self.started = None

    # -- processes --
    def spawn(self, name, args, env=None):
        log = open(os.path.join(self.dir, f"{name}.log"), "ab")
        proc = subprocess.Popen(args, stdout=subprocess.PIPE if name == "model" else log,
                                stderr=log, env={**os.environ, **(env or {})}, cwd=self.dir)
        self.procs[name] = proc
        return proc

    def start_model(self):
        proc = self.spawn("model", ["/usr/bin/python3", FAKE_MODEL])
        line = proc.stdout.readline().decode()
        m = re.match(r"port (\d+)", line)
        if not m:
            raise SystemExit(f"the fake model did not start: {line!r}")
        self.model_url = f"http://127.0.0.1:{m.group(1)}"

    def common_args(self):
        return ["--model", f"openai:{self.model_url}/v1", "--store", "file:" + self.images,
                "--queue", self.queue]

    def env(self):
        return {"PICTOR_OPENAI_API_KEY": "test-openai-key", "AWS_EC2_METADATA_DISABLED": "true",
                "PICTOR_LOG_LEVEL": "warn"}

    def start_serve(self):
        port_file = os.path.join(self.dir, "serve.port")
        self.spawn("serve", [self.binary, "serve", "--listen", "127.0.0.1:0", "--port-file",
                             port_file, "--workers", "0", *self.common_args()], self.env())
        deadline = now() + 30
        while now() < deadline:
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.base = f"http://127.0.0.1:{open(port_file).read().strip()}"
                return
            time.sleep(0.05)
        raise SystemExit("pictor serve did not start; see " + os.path.join(self.dir, "serve.log"))

    def start_worker(self, i):
        self.spawn(f"worker{i}", [self.binary, "worker", "--concurrency", "4",
                                  "--visibility-timeout", "10", *self.common_args()], self.env())

    # -- load --
    def job_client(self):
        while not self.stop.is_set():
            w, h = self.rng.choice(SIZES)
            body = {"prompt": self.rng.choice(PROMPTS), "width": w, "height": h}
            with self.lock:
                old = list(self.keys.items())
            if old and self.rng.random() < 0.2:
                key, _ = self.rng.choice(old)  # a client retrying: same key, same body
                body = self.key_bodies[key]
            else:
                key = f"soak-{self.rng.getrandbits(64):016x}"
                self.key_bodies[key] = body
            status, reply = http("POST", self.base + "/jobs", body, {"Idempotency-Key": key})
            self.count_status("POST /jobs", status)
            if status == 202:
                job = json.loads(reply)
                with self.lock:
                    if key in self.keys:
                        self.counts["jobs_replayed"] += 1
                        if self.keys[key] != job["id"]:
                            self.failures.append(f"key {key} answered job {job['id']}, first "
                                                 f"{self.keys[key]}")  # under self.lock
                    else:
                        self.counts["jobs_202"] += 1
                    self.keys[key] = job["id"]
                    self.jobs[job["id"]] = (body["width"], body["height"])
            elif 400 <= status < 500 and status != 429:
                # Every request the soak sends is valid: a 4xx is the server's fault.
                self.counts["jobs_refused"] += 1
                self.fail(f"POST /jobs answered {status}: {reply[:300]!r}")
            else:
                self.counts["jobs_error"] += 1
            time.sleep(self.rng.uniform(0.02, 0.1))

    def sync_client(self):
        while not self.stop.is_set():
            w, h = self.rng.choice(SIZES)
            status, reply = http("POST", self.base + "/generate-image",
                                 {"prompt": self.rng.choice(PROMPTS), "width": w, "height": h})
            self.count_status("POST /generate-image", status)
            if status == 200:
                with self.lock:
                    self.counts["sync_200"] += 1
                    self.sync_images.append((json.loads(reply)["key"], w, h))
            elif 400 <= status < 500 and status != 429:
                self.counts["sync_refused"] += 1
                self.fail(f"POST /generate-image answered {status}: {reply[:300]!r}")
            else:
                self.counts["sync_error"] += 1
            time.sleep(self.rng.uniform(0.2, 0.6))

    def send_client(self):
        while not self.stop.is_set():
            r = subprocess.run([self.binary, "send", self.rng.choice(PROMPTS), "--queue",
                                self.queue], capture_output=True, text=True, timeout=60,
                               cwd=self.dir)
            if r.returncode == 0 and r.stdout.strip():
                with self.lock:
                    self.counts["send_ok"] += 1
                    self.jobs[r.stdout.strip()] = (512, 512)  # the queue's default size
            else:
                with self.lock:
                    self.counts["send_failed"] += 1
            self.stop.wait(self.rng.uniform(0.5, 2.0))

    def fail(self, text):
        with self.lock:
            self.failures.append(text)

    def count_status(self, what, status):
        with self.lock:
            name = f"{what} {status}"
            self.statuses[name] = self.statuses.get(name, 0) + 1

    # -- faults --
    def killer(self):
        while not self.stop.wait(self.rng.uniform(3, 12)):
            i = self.rng.choice([1, 2])
            proc = self.procs[f"worker{i}"]
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            with self.lock:
                self.counts["kills"] += 1
            self.stop.wait(self.rng.uniform(0.2, 2.0))
            self.start_worker(i)

    def store_outages(self):
        away = self.images + ".away"
        while not self.stop.wait(self.rng.uniform(20, 45)):
            os.rename(self.images, away)
            with open(self.images, "w") as f:
                f.write("the store is away\n")
            with self.lock:
                self.counts["store_outages"] += 1
            self.stop.wait(self.rng.uniform(3, 8))
            os.remove(self.images)
            os.rename(away, self.images)

    def throttling(self):
        while not self.stop.wait(self.rng.uniform(10, 25)):
            http("POST", self.model_url + "/_control",
                 {"mode": "throttle", "times": self.rng.randint(5, 40)})
            with self.lock:
                self.counts["throttles"] += 1

    def sampler(self):
        while not self.stop.wait(1.0):
            t = now() - self.started
            for name in ("serve", "worker0"):
                kib = rss_kib(self.procs[name].pid)
                if kib is not None:
                    self.rss.setdefault(name, []).append((t, kib))
            for name in ("serve", "worker0"):
                if self.procs[name].poll() is not None:
                    self.fail(f"{name} exited with {self.procs[name].returncode} during the load")
                    self.stop.set()

    # -- checks --
    def drain(self):
        """Polls every accepted job until it is final; returns {id: job json}."""
        final = {}
        deadline = now() + self.drain_seconds
        pending = set(self.jobs)
        while pending and now() < deadline:
            for job_id in list(pending):
                status, reply = http("GET", f"{self.base}/jobs/{job_id}", timeout=10)
                if status == 200:
                    job = json.loads(reply)
                    if job.get("status") in ("succeeded", "failed"):
                        final[job_id] = job
                        pending.discard(job_id)
            if pending:
                time.sleep(1)
        self.drain_took = self.drain_seconds - max(0.0, deadline - now())
        return final, pending

    def check(self, final, pending):
        for job_id in sorted(pending):
            status, reply = http("GET", f"{self.base}/jobs/{job_id}", timeout=10)
            self.failures.append(f"job {job_id} not final {self.drain_seconds}s after the load: "
                                 f"{status} {reply[:200]!r}")
        from_queue = os.path.join(self.images, "generated_images", "from_queue")
        names = sorted(os.listdir(from_queue)) if os.path.isdir(from_queue) else []
        pngs = [n for n in names if n.endswith(".png")]
        # A temporary file left by a killed worker is swept by the next process that opens the
        # store, once it is an hour old (younger ones may be another process's write in progress):
        # age the leftovers, start one more worker, and nothing but images may remain.
        temps = [n for n in names if n.startswith(".pictor-tmp-")]
        for name in names:
            if not name.endswith(".png") and name not in temps:
                self.failures.append(f"file left in the store: generated_images/from_queue/{name}")
        if temps:
            aged = now() - 2 * 3600
            for name in temps:
                os.utime(os.path.join(from_queue, name), (aged, aged))
            sweeper = self.spawn("sweeper", [self.binary, "worker", *self.common_args()], self.env())
            deadline = now() + 30
            while now() < deadline and any(
                    os.path.exists(os.path.join(from_queue, n)) for n in temps):
                time.sleep(0.2)
            sweeper.send_signal(signal.SIGTERM)
            sweeper.wait(timeout=30)
            for name in temps:
                if os.path.exists(os.path.join(from_queue, name)):
                    self.failures.append("temporary file not swept by a new process: "
                                         f"generated_images/from_queue/{name}")
            self.counts["temps_swept"] = len(temps)
        claimed = set()
        for job_id, job in sorted(final.items()):
            mine = [p for p in pngs if job_id in p]
            claimed.update(mine)
            if job["status"] != "succeeded":
                self.failures.append(f"job {job_id} {job['status']} (with {len(mine)} PNG): "
                                     f"{job.get('error', '')}")
                continue
            if len(mine) != 1:
                self.failures.append(f"job {job_id} has {len(mine)} PNGs: {mine}")
                continue
            size = png_size(os.path.join(self.images, job["key"]))
            if size != self.jobs[job_id]:
                self.failures.append(f"job {job_id}: {job['key']} is {size}, asked "
                                     f"{self.jobs[job_id]}")
        for extra in sorted(set(pngs) - claimed):
            self.failures.append(f"PNG of no accepted job: {extra}")
        for key, w, h in self.sync_images:
            size = png_size(os.path.join(self.images, key))
            if size != (w, h):
                self.failures.append(f"/generate-image answered 200 but {key} is {size}")
        self.rss_report = []
        for name, samples in sorted(self.rss.items()):
            span = samples[-1][0] if samples else 0
            window = min(60.0, max(5.0, span / 10))
            first = [k for t, k in samples if t <= window]
            last = [k for t, k in samples if t >= span - window]
            if not first or not last:
                self.failures.append(f"{name}: too few RSS samples")
                continue
            a, b = sum(first) / len(first), sum(last) / len(last)
            growth = (b - a) / a
            self.rss_report.append(f"{name}: first {window:.0f}s {a / 1024:.1f} MiB, last "
                                   f"{window:.0f}s {b / 1024:.1f} MiB ({growth:+.1%})")
            if growth > 0.10:
                self.failures.append(f"{name} RSS grew {growth:+.1%} (limit +10%)")

    def run(self):
        Log.say(f"directory {self.dir}, {self.seconds}s of load")
        self.key_bodies = {}
        self.start_model()
        self.start_serve()
        for i in range(3):
            self.start_worker(i)
        self.started = now()
        threads = [threading.Thread(target=f, daemon=True) for f in (
            self.job_client, self.job_client, self.job_client, self.sync_client,
            self.sync_client, self.send_client, self.killer, self.store_outages,
            self.throttling, self.sampler)]
        for t in threads:
            t.start()
        while not self.stop.wait(min(30.0, self.seconds)):
            if now() - self.started >= self.seconds:
                break
            with self.lock:
                Log.say(f"{now() - self.started:.0f}s: {len(self.jobs)} jobs accepted, "
                        f"{self.counts['kills']} kills, {self.counts['store_outages']} outages")
        self.stop.set()
        for t in threads:
            t.join(timeout=120)
        if os.path.isfile(self.images):  # an outage cut short: bring the store back
            os.remove(self.images)
            os.rename(self.images + ".away", self.images)
        for i in (1, 2):  # killed ones may be down at the stop
            if self.procs[f"worker{i}"].poll() is not None:
                self.start_worker(i)
        http("POST", self.model_url + "/_control", {"mode": "ok"})
        Log.say(f"load stopped; waiting up to {self.drain_seconds}s for {len(self.jobs)} jobs")
        final, pending = self.drain()
        self.check(final, pending)
        self.summary(final)
        for name, proc in self.procs.items():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.failures or os.environ.get("SOAK_KEEP") == "1":
            Log.say(f"logs and store kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return 1 if self.failures else 0

    def summary(self, final):
        succeeded = sum(1 for j in final.values() if j["status"] == "succeeded")
        print("\n== soak summary ==")
        print(f"load: {self.seconds}s; all final {self.drain_took:.0f}s after the load stopped")
        print(f"accepted jobs: {len(self.jobs)} ({self.counts['jobs_202']} POST /jobs, "
              f"{self.counts['send_ok']} pictor send); succeeded {succeeded}")
        print(f"keyed retries answered by replay: {self.counts['jobs_replayed']}")
        print(f"/generate-image: {self.counts['sync_200']} images")
        print(f"faults: {self.counts['kills']} worker kills, {self.counts['store_outages']} store "
              f"outages, {self.counts['throttles']} throttling bursts; "
              f"{self.counts['send_failed']} pictor send failures")
        print(f"temporary files left by kills, swept by a new process: "
              f"{self.counts['temps_swept']}")
        print("answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())))
        for line in self.rss_report:
            print("RSS " + line)
        if self.failures:
            # Grouped by their text with ids, keys and numbers blanked out, most frequent first.
            groups = {}
            for f in self.failures:
                shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "#", f)
                groups.setdefault(shape, []).append(f)
            print(f"FAILED: {len(self.failures)} problem(s) of {len(groups)} kind(s)")
            for shape, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
                print(f"  {len(items)} x {shape[:300]}")
                print(f"      e.g. {items[0][:300]}")
        else:
            print("PASSED")


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    seconds = int(os.environ.get("SOAK_SECONDS", "600"))
    drain = int(os.environ.get("SOAK_DRAIN_SECONDS", "300"))
    seed = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
    print(f"soak seed {seed} (SOAK_SEED={seed} repeats the random choices)")
    return Soak(sys.argv[1], seconds, drain, seed).run()


if __name__ == "__main__":
    sys.exit(main())
