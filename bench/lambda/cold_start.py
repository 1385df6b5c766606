#!/usr/bin/python3
"""Cold start of `pictor lambda` beside a Python 3 boto3 handler, on the same local Runtime API
emulator (tests/peers/lambda_runtime_emulator.py, in this process).

  bench/lambda/cold_start.py BUILD_DIR [--runs N]

Packages BUILD_DIR/pictor with scripts/lambda-package.sh, unpacks the zip, and per run: queues
one API Gateway v2 event (GET /healthz), execs `bootstrap` (or `python3 boto3_handler.py`) and
takes the time from just before exec to the emulator receiving the first response; the
child's peak RSS (VmHWM) is read and it is killed. Runs alternate between the two.
Prints medians on one line:

  lambda: pictor cold start X ms, python Y ms, ratio Z; peak RSS pictor A KiB, python B KiB, ratio C

Z is python time / pictor time (how many times faster pictor starts); C is pictor RSS / python
RSS (the fraction of the memory pictor needs). Targets: Z >= 20, C <= 0.25.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "peers"))
from lambda_runtime_emulator import Emulator  # noqa: E402

EVENT = {
    "version": "2.0", "routeKey": "GET /healthz", "rawPath": "/healthz", "rawQueryString": "",
    "headers": {}, "requestContext": {"stage": "$default", "http": {"method": "GET"}},
    "isBase64Encoded": False,
}


def unpack_package(build, workdir):
    zip_path = os.path.join(workdir, "pictor-lambda.zip")
    subprocess.run([os.path.join(ROOT, "scripts", "lambda-package.sh"),
                    os.path.join(build, "pictor"), zip_path], check=True, stdout=subprocess.DEVNULL)
    task_root = os.path.join(workdir, "task")
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = z.extract(info, task_root)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(path, mode & 0o7777)
    return task_root


def peak_rss_kib(pid):
    # VmHWM of the running image. Not ru_maxrss: for a child forked from this (large) Python
    # process, that starts at the parent's size, carried over the exec.
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM for pid %d" % pid)


def one_run(argv, env, cwd):
    emulator = Emulator().start()
    try:
        emulator.queue_event(EVENT)
        env = dict(env, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % emulator.port)
        started = time.monotonic()
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        deadline = started + 60
        while emulator.first_result_at is None and time.monotonic() < deadline:
            if child.poll() is not None:
                raise RuntimeError("%s exited with %s before answering" % (argv[0], child.returncode))
            time.sleep(0.0005)
        if emulator.first_result_at is None:
            raise RuntimeError("%s did not answer in 60 s" % argv[0])
        elapsed_ms = (emulator.first_result_at - started) * 1000
        peak_kib = peak_rss_kib(child.pid)
        child.send_signal(signal.SIGKILL)
        child.wait()
        return elapsed_ms, peak_kib
    finally:
        emulator.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        task_root = unpack_package(os.path.abspath(args.build), workdir)
        base_env = {"PATH": "/usr/bin:/bin", "LAMBDA_TASK_ROOT": task_root,
                    "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                    "AWS_SESSION_TOKEN": "token", "PICTOR_STORE": "file:" + workdir + "/images",
                    "HOME": workdir}
        pictor = ([os.path.join(task_root, "bootstrap")], base_env, task_root)
        python = (["/usr/bin/python3", os.path.join(HERE, "boto3_handler.py")], base_env, workdir)
        one_run(*pictor)  # warm the page cache for both before measuring
        one_run(*python)
        times = {"pictor": [], "python": []}
        rss = {"pictor": [], "python": []}
        for _ in range(args.runs):
            for name, spec in (("pictor", pictor), ("python", python)):
                ms, kib = one_run(*spec)
                times[name].append(ms)
                rss[name].append(kib)
    t_pictor, t_python = statistics.median(times["pictor"]), statistics.median(times["python"])
    m_pictor, m_python = statistics.median(rss["pictor"]), statistics.median(rss["python"])
    print("lambda: pictor cold start %.1f ms, python %.1f ms, ratio %.1f; "
          "peak RSS pictor %d KiB, python %d KiB, ratio %.2f"
          % (t_pictor, t_python, t_python / t_pictor, m_pictor, m_python, m_pictor / m_python))
    return 0


if __name__ == "__main__":
    sys.exit(main())
