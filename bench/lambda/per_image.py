#!/usr/bin/python3
"""Per-image cost of `pictor lambda` (the SQS-fed function) beside the long-running
`pictor worker`, and the time from exec to the first stored image of each, in one run.

  bench/lambda/per_image.py BUILD_DIR [--images N] [--rounds R] [--models builtin,titan]

Both paths run the same job step (RunJob, src/core/pipeline.h) on a file store in a temporary
folder, with the same model:
  builtin  Pictor's own renderer, 512x512 (the whole image is made in the process);
  titan    bedrock:amazon.titan-image-generator-v1 against tests/peers/fake_model_server.py,
           answering at once with a 512x512 PNG (the shape of the production path, where the
           process signs a request, waits on Bedrock, decodes its answer and stores the PNG; the
           fake's own time is in the wall figures, not in Pictor's CPU).

  lambda/1   the unpacked zip's bootstrap on tests/peers/lambda_runtime_emulator.py, warmed by
             one invocation, then N invocations of an SQS event of one record each (a mapping
             with batch size 1): wall time per invocation as the caller sees it (the emulator's
             two HTTP exchanges included, as Lambda's own Runtime API is in a billed duration)
             and the runtime's CPU time (utime + stime from /proc) per image.
  lambda/10  the same with events of 10 records (the deployment's batch_size), run concurrently
             by the handler; per image = per invocation / 10.
  worker     `pictor worker --concurrency 1 --jobs none` on a SQLite queue filled beforehand
             with N prompts: wall and CPU from its first stored image to its last, per image.
  first image from exec: exec of bootstrap with one SQS record queued (to the response posted),
             and exec of `pictor worker` with one prompt queued (to its PNG appearing).

Rounds alternate the paths; figures are medians over rounds. Prints lines to parse:

  per-image MODEL: lambda/1 wall A ms cpu B ms; lambda/10 wall C ms cpu D ms;
    worker wall E ms cpu F ms; ratio lambda/1 / worker wall G cpu H   (one line)
  first image: lambda X ms, worker Y ms, ratio Z; peak RSS lambda P KiB, worker Q KiB
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "peers"))
sys.path.insert(0, HERE)
from lambda_runtime_emulator import Emulator  # noqa: E402
from cold_start import unpack_package, peak_rss_kib  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
TITAN = "bedrock:amazon.titan-image-generator-v1"
PROMPT = "A magical salmon going to the moon in a rocket"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICKS


def sqs_event(records):
    out = []
    for _ in range(records):
        mid = str(uuid.uuid4())  # a fresh id: the same id would find its image and skip the model
        out.append({"messageId": mid, "receiptHandle": "handle-" + mid,
                    "body": PROMPT,
                    "attributes": {"ApproximateReceiveCount": "1",
                                   "SentTimestamp": "1700000000000",
                                   "ApproximateFirstReceiveTimestamp": "1700000000100"},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:pictor-prompts",
                    "awsRegion": "us-east-1"})
    return {"Records": out}


def count_pngs(path):
    n = 0
    for _, _, files in os.walk(path):
        n += sum(1 for f in files if f.endswith(".png"))
    return n


def check_answer(result):
    if result is None or result["kind"] != "response":
        raise RuntimeError("lambda answered %r" % (result,))
    failures = json.loads(result["body"]).get("batchItemFailures", [])
    if failures:
        raise RuntimeError("lambda reported failed records: %r" % failures)


class Setup:
    def __init__(self, build, workdir, model_spec, model_env):
        workdir = os.path.join(workdir, model_spec.split(":")[0])
        os.makedirs(workdir)
        self.build, self.workdir = build, workdir
        self.pictor = os.path.join(build, "pictor")
        self.task_root = unpack_package(build, workdir)
        self.env = dict({"PATH": "/usr/bin:/bin", "HOME": workdir, "AWS_REGION": "us-east-1",
                         "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test",
                         "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
                         "PICTOR_MODEL": model_spec, "PICTOR_LOG_LEVEL": "warn",
                         "LAMBDA_TASK_ROOT": self.task_root}, **model_env)
        self.serial = 0

    def fresh_dir(self, name):
        self.serial += 1
        path = os.path.join(self.workdir, "%s-%d" % (name, self.serial))
        os.makedirs(path)
        return path

    def start_lambda(self, emulator, store):
        env = dict(self.env, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % emulator.port,
                   PICTOR_STORE="file:" + store)
        return subprocess.Popen([os.path.join(self.task_root, "bootstrap")], env=env,
                                cwd=self.task_root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def fill_queue(self, queue_db, n):
        for _ in range(n):
            subprocess.run([self.pictor, "send", PROMPT,
                            "--queue", "sqlite:" + queue_db, "--log-level", "warn"],
                           env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start_worker(self, queue_db, store):
        return subprocess.Popen([self.pictor, "worker", "--concurrency", "1", "--jobs", "none",
                                 "--queue", "sqlite:" + queue_db, "--store", "file:" + store],
                                env=self.env, cwd=self.workdir, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)


def stop(child):
    child.send_signal(signal.SIGKILL)
    child.wait()


def lambda_per_image(setup, images, records):
    """Warm runtime; returns (wall ms, cpu ms) per image and the peak RSS in KiB."""
    emulator = Emulator().start()
    store = setup.fresh_dir("lambda-store")
    child = setup.start_lambda(emulator, store)
    try:
        check_answer(emulator.invoke(sqs_event(records), wait_s=60))
        invocations = max(1, images // records)
        cpu0 = cpu_seconds(child.pid)
        t0 = time.monotonic()
        for _ in range(invocations):
            check_answer(emulator.invoke(sqs_event(records), wait_s=60))
        wall = time.monotonic() - t0
        cpu = cpu_seconds(child.pid) - cpu0
        made = invocations * records
        if count_pngs(store) != made + records:
            raise RuntimeError("lambda stored %d images, expected %d" %
                               (count_pngs(store), made + records))
        return wall * 1000 / made, cpu * 1000 / made, peak_rss_kib(child.pid)
    finally:
        stop(child)
        emulator.stop()


def worker_per_image(setup, images):
    queue_dir = setup.fresh_dir("worker")
    queue_db, store = os.path.join(queue_dir, "queue.db"), os.path.join(queue_dir, "images")
    setup.fill_queue(queue_db, images + 1)
    child = setup.start_worker(queue_db, store)
    try:
        deadline = time.monotonic() + 120
        while count_pngs(store) < 1:
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker stored nothing")
            time.sleep(0.001)
        cpu0, t0 = cpu_seconds(child.pid), time.monotonic()
        while count_pngs(store) < images + 1:
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker stored %d of %d" % (count_pngs(store), images + 1))
            time.sleep(0.002)
        wall, cpu = time.monotonic() - t0, cpu_seconds(child.pid) - cpu0
        return wall * 1000 / images, cpu * 1000 / images, peak_rss_kib(child.pid)
    finally:
        stop(child)


def lambda_first_image(setup):
    emulator = Emulator().start()
    store = setup.fresh_dir("lambda-first")
    try:
        request_id, done = emulator.queue_event(sqs_event(1))
        t0 = time.monotonic()
        child = setup.start_lambda(emulator, store)
        try:
            if not done.wait(60):
                raise RuntimeError("lambda did not answer its first event")
            elapsed = emulator.first_result_at - t0
            with emulator.lock:
                check_answer(emulator.results[request_id])
            return elapsed * 1000
        finally:
            stop(child)
    finally:
        emulator.stop()


def worker_first_image(setup):
    queue_dir = setup.fresh_dir("worker-first")
    queue_db, store = os.path.join(queue_dir, "queue.db"), os.path.join(queue_dir, "images")
    setup.fill_queue(queue_db, 1)
    t0 = time.monotonic()
    child = setup.start_worker(queue_db, store)
    try:
        deadline = t0 + 60
        while count_pngs(store) < 1:
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker stored nothing")
            time.sleep(0.0005)
        return (time.monotonic() - t0) * 1000
    finally:
        stop(child)


def start_fake_model():
    peer = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "tests", "peers",
                                                              "fake_model_server.py")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = peer.stdout.readline().strip()
    if not line.startswith("port "):
        peer.kill()
        raise RuntimeError("fake model server did not start: %r" % line)
    return peer, "http://127.0.0.1:%s" % line.split()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", default="builtin,titan")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    peers = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            first = {"lambda": [], "worker": []}
            rss = {"lambda": [], "worker": []}
            for model in args.models.split(","):
                if model == "builtin":
                    setup = Setup(build, workdir, "builtin", {})
                elif model == "titan":
                    peer, url = start_fake_model()
                    peers.append(peer)
                    setup = Setup(build, workdir, TITAN, {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url})
                else:
                    raise SystemExit("unknown model %r (builtin or titan)" % model)
                got = {"lambda/1": [], "lambda/10": [], "worker": []}
                for _ in range(args.rounds):
                    got["lambda/1"].append(lambda_per_image(setup, args.images, 1))
                    got["worker"].append(worker_per_image(setup, args.images))
                    got["lambda/10"].append(lambda_per_image(setup, args.images, 10))
                    if model == "builtin":
                        first["lambda"].append(lambda_first_image(setup))
                        first["worker"].append(worker_first_image(setup))
                med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
                       for k, v in got.items()}
                rss["lambda"] += [r[2] for r in got["lambda/1"]]
                rss["worker"] += [r[2] for r in got["worker"]]
                print("per-image %s: lambda/1 wall %.2f ms cpu %.2f ms; lambda/10 wall %.2f ms "
                      "cpu %.2f ms; worker wall %.2f ms cpu %.2f ms; ratio lambda/1 / worker wall "
                      "%.2f cpu %.2f (%d images x %d rounds)"
                      % (model, *med["lambda/1"], *med["lambda/10"], *med["worker"],
                         med["lambda/1"][0] / med["worker"][0],
                         med["lambda/1"][1] / med["worker"][1], args.images, args.rounds),
                      flush=True)
            if first["lambda"]:
                fl, fw = statistics.median(first["lambda"]), statistics.median(first["worker"])
                print("first image: lambda %.1f ms, worker %.1f ms, ratio %.2f; peak RSS lambda "
                      "%d KiB, worker %d KiB" % (fl, fw, fl / fw, statistics.median(rss["lambda"]),
                                                 statistics.median(rss["worker"])))
    finally:
        for peer in peers:
            peer.kill()
            peer.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
