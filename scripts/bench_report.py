#!/usr/bin/env python3
"""Turns the benchmark results of one `make bench` run into docs/PERFORMANCE.md.

Usage: bench_report.py RESULTS_DIR OUTPUT_MD
RESULTS_DIR holds image.json and queue.json (Google Benchmark JSON with median aggregates),
http.txt (wrk medians from bench/http/compare_nginx.sh) and machine.txt.
"""
import json
import re
import sys
from pathlib import Path


def medians(path):
    data = json.loads(Path(path).read_text())
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "median":
            out[b["run_name"]] = b
    return out


def ms(b, key):
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
    return b[key] * scale


def verdict(ok):
    return "meets" if ok else "MISSES"


def main():
    results, output = Path(sys.argv[1]), Path(sys.argv[2])
    image = medians(results / "image.json")
    queue = medians(results / "queue.json")
    http = (results / "http.txt").read_text()
    machine = (results / "machine.txt").read_text().strip()
    lines = []
    add = lines.append

    def section(title, command, output):
        """A section's heading, the command that measured it and what that printed."""
        for line in (f"## {title}", "", command, "", "```", output.strip(), "```", ""):
            add(line)
    add("# Performance")
    add("")
    add("Every figure here comes from one run of `make bench` (scripts/bench.sh), which builds")
    add("Release into build/, runs each benchmark beside its reference in the same run and writes")
    add("this file. The machine is shared and noisy: figures are medians of repetitions, and the")
    add("targets are judged on ratios to a peer measured in the same run where there is one.")
    add("")
    add("```")
    add(machine)
    add("```")
    add("")

    add("## Builtin render and PNG encode")
    add("")
    add("Command: `build/bench/image/bench_image --benchmark_repetitions=9 "
        "--benchmark_report_aggregates_only=true`")
    add("")
    add("| benchmark | median wall ms | median CPU ms |")
    add("|---|---|---|")
    for name, b in image.items():
        add(f"| {name} | {ms(b, 'real_time'):.2f} | {ms(b, 'cpu_time'):.2f} |")
    add("")
    libpng = next((b for n, b in image.items() if n.startswith("BM_EncodeLibpngDefault")), None)
    ours = next((b for n, b in image.items() if n.startswith("BM_EncodePictorDefault")), None)
    render = next((b for n, b in image.items() if n.startswith("BM_RenderAndEncode/1024")), None)
    if libpng and ours:
        ratio = ms(libpng, "cpu_time") / ms(ours, "cpu_time")
        add(f"- Encoding 1024² RGB: libpng defaults {ms(libpng, 'cpu_time'):.2f} ms, Pictor's writer "
            f"as shipped {ms(ours, 'cpu_time'):.2f} ms CPU: **{ratio:.1f}×** faster "
            f"(target ≥ 6×: {verdict(ratio >= 6)}).")
    if render:
        wall = ms(render, "real_time")
        add(f"- Render + encode of a 1024² scene: **{wall:.1f} ms** median wall time "
            f"(target ≤ 20 ms: {verdict(wall <= 20)}); {ms(render, 'cpu_time'):.1f} ms CPU.")
    add("")

    add("## Embedded queue (SQLite, durable against kill -9)")
    add("")
    add("Command: `build/bench/queue/bench_queue --benchmark_repetitions=7 "
        "--benchmark_report_aggregates_only=true`")
    add("")
    add("| benchmark | median messages/s |")
    add("|---|---|")
    rates = {}
    for name, b in queue.items():
        rate = b.get("items_per_second", 0)
        rates[name] = rate
        add(f"| {name} | {rate:,.0f} |")
    add("")
    batch = next((r for n, r in rates.items() if n.startswith("BM_SendReceiveDeleteBatch10/")
                  or n == "BM_SendReceiveDeleteBatch10/real_time"), None)
    single = next((r for n, r in rates.items() if n.startswith("BM_SendReceiveDeleteSingle/")
                   or n == "BM_SendReceiveDeleteSingle/real_time"), None)
    if batch is not None:
        add(f"- Send + receive + delete in batches of 10: **{batch:,.0f}/s** "
            f"(target ≥ 20,000: {verdict(batch >= 20000)}).")
    if single is not None:
        add(f"- Single-message send + receive + delete: **{single:,.0f}/s** "
            f"(target ≥ 4,000: {verdict(single >= 4000)}).")
    add("")

    add("## HTTP (`pictor serve`, wrk with 32 keep-alive connections)")
    add("")
    add("```")
    add(http.strip())
    add("```")
    add("")
    m = re.search(r"POST /jobs median: ([\d.]+) req/s\s+p99 ([\d.]+) ms", http)
    if m:
        rps, p99 = float(m.group(1)), float(m.group(2))
        add(f"- `POST /jobs`: **{rps:,.0f} requests/s**, p99 {p99:.1f} ms "
            f"(target ≥ 15,000/s with p99 < 10 ms: {verdict(rps >= 15000 and p99 < 10)}).")
    m = re.search(r"ratio pictor/nginx: ([\d.]+)", http)
    if m:
        r = float(m.group(1))
        add(f"- `GET /healthz` beside nginx's static 200: **{r:.2f}×** nginx's rate "
            f"(target ≥ 0.5×: {verdict(r >= 0.5)}).")
    add("")
    auth = (results / "auth.txt").read_text() if (results / "auth.txt").exists() else ""
    if auth:
        section("POST /jobs with API key authentication",
                "Command: `bench/http/compare_auth.sh build/pictor 3` (`serve --workers 0` on embedded "
                "SQLite, `--auth none` and `--auth keys` with one unlimited key sent as "
                "`Authorization: Bearer` on every request, alternating)",
                auth)
        m = re.search(r"ratio keys/none: ([\d.]+)", auth)
        if m:
            r = float(m.group(1))
            add(f"- Authenticated `POST /jobs`: **{r:.2f}×** the unauthenticated rate "
                f"(target ≥ 0.90×: {verdict(r >= 0.9)}).")
        add("")
    access = (results / "access_log.txt").read_text() if (results / "access_log.txt").exists() else ""
    if access:
        section("POST /jobs with the access log line per request",
                "Command: `bench/http/compare_access_log.sh build/pictor 3` (`serve --workers 0` on "
                "embedded SQLite; `--log-level warn`, which writes no access line, beside `info` "
                "with text and with JSON lines, stderr to a file, alternating)",
                access)
        for fmt in ("text", "json"):
            m = re.search(rf"ratio {fmt}/warn: ([\d.]+)", access)
            if m:
                r = float(m.group(1))
                add(f"- `POST /jobs` with an access line per request ({fmt}): **{r:.2f}×** the "
                    f"rate without (target ≥ 0.90×: {verdict(r >= 0.9)}).")
        add("")
    sync = (results / "sync_memory.txt").read_text() if (results / "sync_memory.txt").exists() else ""
    if sync:
        section("Synchronous generation memory (64 concurrent 2048×2048 `POST /generate-image`)",
                "Command: `bench/http/sync_memory.py build/pictor [-- serve flags]` (each client "
                "retries a 503 after its Retry-After until its image is made; resident memory of "
                "`pictor serve` from /proc)",
                sync)
        peaks = [int(p) for p in re.findall(r"peak (\d+) MB", sync)]
        if len(peaks) == 2:
            add(f"- With the default `--sync-memory-mb 512` the peak is **{peaks[1]} MB**, "
                f"beside {peaks[0]} MB with the budget off (target ≤ 1,024 MB: "
                f"{verdict(peaks[1] <= 1024)}).")
        add("")
    streams = (results / "streams.txt").read_text() if (results / "streams.txt").exists() else ""
    section("Open event streams (1,000 GET /jobs/{id}/events beside other routes)",
            "Command: `bench/http/open_streams.py build/pictor --streams 1000 --rounds 3` (wrk -t2 "
            "-c32 on GET /healthz and POST /jobs with 0 and with 1,000 open streams, alternating)",
            streams)
    for route in ("GET /healthz", "POST /jobs"):
        m = re.search(re.escape(route) + r":.*; ratio ([\d.]+)", streams)
        if m:
            ratio = float(m.group(1))
            add(f"- {route} with 1,000 open streams: **{ratio:.2f}×** the requests/s without "
                f"(target ≥ 0.9×: {verdict(ratio >= 0.9)}).")
    m = re.search(r"server threads: (\d+) with 0 streams, (\d+) with", streams)
    if m:
        add(f"- Server threads: {m.group(1)} without streams, {m.group(2)} with them "
            f"(target: no more: {verdict(int(m.group(2)) <= int(m.group(1)))}).")
    add("")
    aws = (results / "aws.txt").read_text() if (results / "aws.txt").exists() else ""
    section("Against AWS-compatible peers (fauxqs, a fake Bedrock endpoint)",
            "Command: `bench/aws/run.sh build`",
            aws)
    m = re.search(r"send: pictor median ([\d.]+) ms, aws median ([\d.]+) ms, ratio ([\d.]+); "
                  r"peak RSS pictor (\d+) KiB, aws (\d+) KiB, ratio ([\d.]+)", aws)
    if m:
        speed, mem = float(m.group(3)), float(m.group(6))
        add(f"- `pictor send` vs `aws sqs send-message`: **{speed:.0f}×** faster wall time "
            f"(target ≥ 20×: {verdict(speed >= 20)}), **{mem:.2f}×** the peak memory "
            f"(target ≤ 0.25×: {verdict(mem <= 0.25)}).")
    m = re.search(r"worker: concurrent ([\d.]+) images/s, serial ([\d.]+) images/s, ratio ([\d.]+)",
                  aws)
    if m:
        ratio = float(m.group(3))
        add(f"- One worker with 64 generations in flight vs a serial consume-generate-store loop, "
            f"model answering after 1 s: **{ratio:.0f}×** (target ≥ 40×: {verdict(ratio >= 40)}).")
    add("")
    throttle = (results / "throttle.txt").read_text() if (results / "throttle.txt").exists() else ""
    section("Adaptive throttling (64 callers against a model quota)",
            "Command: `bench/throttle/run.sh build 3` (64 threads call the Bedrock adapter in a loop "
            "against tests/peers/fake_model_server.py enforcing a token-bucket quota of 20 images/s "
            "with a burst of 5, answering ThrottlingException beyond it; adaptive and standard retry "
            "mode alternate, 5 s warm-up then 20 s measured, three rounds)",
            throttle)
    m = re.search(r"median adaptive: goodput ([\d.]+)% of the quota, ([\d.]+)% of model calls",
                  throttle)
    s = re.search(r"median standard: goodput ([\d.]+)% of the quota, ([\d.]+)% of model calls",
                  throttle)
    if m and s:
        good, thr = float(m.group(1)), float(m.group(2))
        add(f"- Adaptive mode: goodput **{good:.1f}%** of the quota (target ≥ 95%: "
            f"{verdict(good >= 95)}), **{thr:.1f}%** of model calls throttled (target ≤ 5%: "
            f"{verdict(thr <= 5)}); standard mode in the same run: {float(s.group(1)):.1f}% and "
            f"{float(s.group(2)):.1f}%.")
    add("")
    lam = (results / "lambda.txt").read_text() if (results / "lambda.txt").exists() else ""
    section("Lambda cold start",
            "Command: `bench/lambda/cold_start.py build --runs 9` (exec of bootstrap to the first "
            "response posted to the Runtime API emulator, beside a Python boto3 handler)",
            lam)
    m = re.search(r"ratio ([\d.]+); peak RSS pictor (\d+) KiB, python (\d+) KiB, ratio ([\d.]+)",
                  lam)
    if m:
        speed, mem = float(m.group(1)), float(m.group(4))
        add(f"- Cold start: **{speed:.1f}×** faster (target ≥ 20×: {verdict(speed >= 20)}), "
            f"**{mem:.2f}×** the peak memory (target ≤ 0.25×: {verdict(mem <= 0.25)}).")
    add("")
    per_image_path = results / "lambda_per_image.txt"
    per_image = per_image_path.read_text() if per_image_path.exists() else ""
    section("Lambda runtime against the long-running worker (per image, first image)",
            "Command: `bench/lambda/per_image.py build --images 200 --rounds 5` (the same job step "
            "on a file store: `pictor lambda` from the unpacked zip on the Runtime API emulator, fed "
            "SQS events of 1 and of 10 records, beside `pictor worker --concurrency 1` on a SQLite "
            "queue; the builtin model, and Titan v1 against the fake Bedrock endpoint answering at "
            "once; the first image from exec with one prompt waiting)",
            per_image)
    for m in re.finditer(r"per-image (\w+): lambda/1 wall ([\d.]+) ms cpu ([\d.]+) ms; lambda/10 "
                         r"wall ([\d.]+) ms cpu ([\d.]+) ms; worker wall ([\d.]+) ms cpu "
                         r"([\d.]+) ms; ratio lambda/1 / worker wall ([\d.]+) cpu ([\d.]+)",
                         per_image):
        add(f"- {m.group(1)}: one record per invocation costs **{m.group(2)} ms** wall and "
            f"{m.group(3)} ms of CPU per image, the worker {m.group(6)} ms and {m.group(7)} ms "
            f"(ratios {m.group(8)} and {m.group(9)}); batches of 10: {m.group(4)} ms wall and "
            f"{m.group(5)} ms CPU per image.")
    m = re.search(r"first image: lambda ([\d.]+) ms, worker ([\d.]+) ms, ratio ([\d.]+); "
                  r"peak RSS lambda (\d+) KiB, worker (\d+) KiB", per_image)
    if m:
        add(f"- From exec to the first stored image: Lambda runtime **{m.group(1)} ms**, worker "
            f"**{m.group(2)} ms** (ratio {m.group(3)}); peak RSS {int(m.group(4)) // 1024} MiB "
            f"and {int(m.group(5)) // 1024} MiB.")
    add("")
    alarm = (results / "alarm.txt").read_text() if (results / "alarm.txt").exists() else ""
    add("## Queue alarm")
    add("")
    add("Commands: `build/bench/alarm/bench_alarm` (1,000 alarms at a 60 s period) and "
        "`bench/alarm/email_latency.py build/pictor 7` (threshold crossed → email accepted by a "
        "local SMTP server, 1 s period, 2 evaluation periods)")
    add("")
    add("```")
    add("\n".join(l for l in alarm.strip().splitlines() if not l.startswith("run ")))
    add("```")
    add("")
    m = re.search(r"share of one core at a 60 s period for (\d+) alarms: ([\d.]+) %", alarm)
    if m:
        share = float(m.group(2))
        add(f"- {m.group(1)} alarms evaluated in one process: **{share:.3f}%** of one core "
            f"(target ≤ 1%: {verdict(share <= 1)}).")
    m = re.search(r"email accepted: median ([\d.]+) s, min ([\d.]+) s, max ([\d.]+) s over (\d+) "
                  r"runs; bound (\d+) s", alarm)
    if m:
        worst, bound = float(m.group(3)), float(m.group(5))
        add(f"- Threshold crossed → email accepted: median **{float(m.group(1)):.2f} s**, worst "
            f"{worst:.2f} s of {m.group(4)} runs (bound {bound:.0f} s: {verdict(worst <= bound)}).")
    add("")
    output.write_text(merge_kept_sections(lines, output))


def sections(text):
    """The `## ` sections of a Markdown text as (heading, text) pairs, in order; what comes before
    the first heading is left out."""
    found, heading, body = [], None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if heading is not None:
                found.append((heading, "\n".join(body).rstrip() + "\n"))
            heading, body = line, [line]
        elif heading is not None:
            body.append(line)
    if heading is not None:
        found.append((heading, "\n".join(body).rstrip() + "\n"))
    return found


def merge_kept_sections(lines, output):
    """The generated report, then every section of the existing file this run does not write
    (results recorded by hand from benchmarks outside this run: the soak, HTTPS, ...), kept as
    they are: a `make bench` replaces its own figures and loses nobody else's."""
    text = "\n".join(lines).rstrip() + "\n"
    if not output.exists():
        return text
    generated = {heading for heading, _ in sections(text)}
    kept = [body for heading, body in sections(output.read_text()) if heading not in generated]
    if not kept:
        return text
    return text + "\n" + "\n".join(kept)


if __name__ == "__main__":
    main()
