#!/usr/bin/env python3
"""Cost per 1,000 images of Pictor's queue path on Lambda, Fargate and EC2, with Titan and with a
self-hosted GPU model, and where the lines cross. Python 3 standard library only.

  scripts/cost_model.py                 print the Markdown block (inputs, costs, crossovers)
  scripts/cost_model.py --write         also rewrite that block in docs/SERVERLESS-VS-CONTAINERS.md
                                        and the plots docs/images/cost-*.svg
  scripts/cost_model.py --svg-dir DIR   write the plots into DIR instead

Every number the model uses is in INPUTS below, with where it comes from and its date. The
essay (docs/SERVERLESS-VS-CONTAINERS.md) includes the printed block between the markers
`<!-- cost-model:begin -->` and `<!-- cost-model:end -->`; tests/unit/docs/test_cost_model.py
fails when the two differ, so change the inputs here and run `--write`.

The model, per month of N images arriving evenly (a flat load: peaks need the same capacity
sooner, and cost the scaled paths more than this says):
  every path   model price or GPU fleet; SQS and S3 requests per image; one month of storage
               for the month's images.
  Lambda       the event source mapping's batches: records per invocation = clamp(arrival rate
               x model wait / the mapping's 5 concurrent batches, 1, batch size); the records
               of a batch run concurrently (src/lambda/sqs_batch.h), so an invocation lasts one
               model wait plus the batch's CPU work at the function's CPU share; billed
               GB-seconds of that duration, and one request per invocation.
  Fargate/EC2  slot-seconds: each image holds one of the worker's `--concurrency` slots for the
               model wait; a fleet busy `utilization` of the time on average; at least
               `min_tasks` tasks / one instance always on; CPU checked too (the larger of the
               two needs is paid).
  GPU model    no GPU on Lambda or Fargate: the model runs on EC2 GPU instances (an
               OpenAI-compatible server, `--model openai:URL`) in every column; the column says
               where Pictor's worker runs. "EC2" runs the worker on the GPU instances
               themselves, so it adds no compute of its own.
"""

import argparse
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT / "docs" / "SERVERLESS-VS-CONTAINERS.md"
IMAGES = ROOT / "docs" / "images"
BEGIN, END = "<!-- cost-model:begin -->", "<!-- cost-model:end -->"

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
VOLUMES = (1_000, 100_000, 10_000_000)
LISTED = "list price as published, not re-checked"

# ---- INPUTS: (value, unit, source and date) ---------------------------------------------------
# AWS prices are on-demand, US East (N. Virginia), Linux, x86_64, without free tiers, as
# published on the AWS pricing pages in January 2025 (when docs/PRICES.md was written); they
# were not re-checked when this model was written (2026-12-03).
INPUTS = {
    "lambda_gb_second": (0.0000166667, "USD per GB-s",
                         "AWS Lambda pricing, x86, Jan 2025; " + LISTED),
    "lambda_request": (0.20 / 1e6, "USD per invocation",
                       "AWS Lambda pricing ($0.20 per 1M requests), Jan 2025; " + LISTED),
    "lambda_memory_gb": (0.5, "GB", "deploy/terraform `memory_mb` default (512)"),
    "lambda_mb_per_vcpu": (1769.0, "MB per vCPU",
                           "AWS Lambda documentation (2025): 1,769 MB gets one vCPU; "
                           "not re-checked"),
    "lambda_batch_size": (10, "records", "deploy/terraform `batch_size` default"),
    "lambda_concurrent_batches": (5, "batches",
                                  "AWS Lambda documentation (2025): an SQS mapping starts with "
                                  "five concurrent batches; not re-checked"),
    "fargate_vcpu_hour": (0.04048, "USD per vCPU-hour",
                          "AWS Fargate pricing, Linux/x86, Jan 2025; " + LISTED),
    "fargate_gb_hour": (0.004445, "USD per GB-hour",
                        "AWS Fargate pricing, Linux/x86, Jan 2025; " + LISTED),
    "fargate_task_vcpu": (0.25, "vCPU",
                          "Fargate's smallest task; the worker needs ~4% of a vCPU at 64 in "
                          "flight (measured CPU per image below; deploy default is 0.5)"),
    "fargate_task_gb": (0.5, "GB",
                        "Fargate's smallest for 0.25 vCPU; worker peak RSS 15 MiB measured "
                        "(deploy default is 1)"),
    "fargate_min_tasks": (1, "tasks",
                          "deploy/terraform `ecs_min_tasks` default (no scale to zero)"),
    "ec2_cpu_hour": (0.0208, "USD per hour",
                     "EC2 t3.small (2 vCPU burstable, 2 GiB), Jan 2025; " + LISTED),
    "ec2_cpu_vcpu": (0.4, "vCPU sustained", "t3.small baseline: 20% of each of 2 vCPUs"),
    "ec2_gpu_hour": (1.006, "USD per hour",
                     "EC2 g5.xlarge (1 NVIDIA A10G 24 GB, 4 vCPU, 16 GiB), Jan 2025; " + LISTED),
    "ebs_gb_month": (0.08, "USD per GB-month", "EBS gp3, Jan 2025; " + LISTED),
    "ec2_cpu_disk_gb": (8, "GB", "root volume of the CPU instance"),
    "ec2_gpu_disk_gb": (100, "GB", "root volume of a GPU instance: OS, drivers, model weights"),
    "container_concurrency": (64, "jobs in flight",
                              "`pictor worker --concurrency 64`: one worker kept 64 generations "
                              "in flight, 55.65 images/s against a 1 s model (docs/PERFORMANCE.md, "
                              "bench/aws/run.sh; deploy default is 8)"),
    "utilization": (0.7, "share",
                    "assumption: a scaled fleet's slots are busy 70% of the time on average"),
    "sqs_request": (0.40 / 1e6, "USD per request",
                    "Amazon SQS standard queue ($0.40 per 1M), Jan 2025; " + LISTED),
    "sqs_requests_per_image": (3, "requests",
                               "send, receive, delete (a bound: receives and deletes are batched)"),
    "s3_put": (0.005 / 1000, "USD per PUT", "Amazon S3 Standard ($0.005 per 1,000), Jan 2025; "
               + LISTED),
    "s3_get": (0.0004 / 1000, "USD per GET/HEAD", "Amazon S3 Standard ($0.0004 per 1,000), "
               "Jan 2025; " + LISTED),
    "s3_gb_month": (0.023, "USD per GB-month", "Amazon S3 Standard, first 50 TB, Jan 2025; "
                    + LISTED),
    "s3_puts_per_image": (3, "PUTs", "the image, and the job record as running and as done "
                          "(`PICTOR_JOBS=store`)"),
    "s3_gets_per_image": (3, "GETs", "HEAD of the image key (a redelivery finds it), the "
                          "record, the cancel marker"),
    "image_mb": (0.5, "MB", "assumption: a 512x512 PNG from a diffusion model"),
    "titan_price": (0.008, "USD per image",
                    "Bedrock Titan Image Generator v1, 512x512 standard (docs/PRICES.md, "
                    "src/core/prices.cc), Jan 2025; " + LISTED),
    "titan_wait_s": (11.0, "s per image",
                     "the original system's reported 10-12 s per Titan image "
                     "(shared/seed/original-system-README.md); not measured here"),
    "gpu_images_per_s": (0.5, "images/s per GPU",
                         "assumption: a Stable Diffusion 1.5-class model, 512x512, ~25 steps, "
                         "fp16 on one A10G; not measured here (no GPU on this machine)"),
    "pictor_cpu_ms": (7.0, "ms CPU per image",
                      "measured: `pictor lambda` and `pictor worker` with Titan v1 against the "
                      "fake Bedrock endpoint, 6.75-7.00 ms in two runs (bench/lambda/per_image.py, "
                      "docs/PERFORMANCE.md, 2026-12-03)"),
}


OVERRIDES = {}


def v(name):
    return OVERRIDES.get(name, INPUTS[name][0])


class overridden:
    """Within the block, the model runs with some inputs changed (the sensitivity table)."""

    def __init__(self, **values):
        unknown = set(values) - set(INPUTS)
        if unknown:
            raise KeyError(sorted(unknown))
        self.values = values

    def __enter__(self):
        self.saved = dict(OVERRIDES)
        OVERRIDES.update(self.values)

    def __exit__(self, *exc):
        OVERRIDES.clear()
        OVERRIDES.update(self.saved)


# ---- the model ----------------------------------------------------------------------------------

def shared_per_image():
    """SQS requests, S3 requests and a month of storage: the same code on every path."""
    return (v("sqs_requests_per_image") * v("sqs_request")
            + v("s3_puts_per_image") * v("s3_put") + v("s3_gets_per_image") * v("s3_get")
            + v("image_mb") / 1024 * v("s3_gb_month"))


def model_wait_s(model):
    """Seconds the worker waits on the model for one image."""
    return v("titan_wait_s") if model == "titan" else 1 / v("gpu_images_per_s")


def gpu_fleet(n):
    """Monthly cost of the GPU instances serving n images (instance-hours, at least one)."""
    per_instance = v("ec2_gpu_hour") * HOURS_PER_MONTH + v("ec2_gpu_disk_gb") * v("ebs_gb_month")
    capacity = v("gpu_images_per_s") * SECONDS_PER_MONTH * v("utilization")
    return per_instance * max(1.0, n / capacity)


def lambda_records_per_invocation(n, model):
    rate = n / SECONDS_PER_MONTH
    waiting = rate * model_wait_s(model) / v("lambda_concurrent_batches")
    return min(float(v("lambda_batch_size")), max(1.0, waiting))


def lambda_compute(n, model):
    records = lambda_records_per_invocation(n, model)
    vcpu = v("lambda_memory_gb") * 1024 / v("lambda_mb_per_vcpu")
    duration_s = model_wait_s(model) + records * v("pictor_cpu_ms") / 1000 / vcpu
    invocations = n / records
    return invocations * (duration_s * v("lambda_memory_gb") * v("lambda_gb_second")
                          + v("lambda_request"))


def fleet_hours(n, model, vcpu_per_unit, min_units):
    """Hours of tasks or instances: the larger of the slot and the CPU needs, at least min."""
    slot_hours = n * model_wait_s(model) / v("container_concurrency") / 3600
    cpu_hours = n * v("pictor_cpu_ms") / 1000 / vcpu_per_unit / 3600
    return max(min_units * HOURS_PER_MONTH, max(slot_hours, cpu_hours) / v("utilization"))


def fargate_compute(n, model):
    hourly = v("fargate_task_vcpu") * v("fargate_vcpu_hour") + v("fargate_task_gb") * v(
        "fargate_gb_hour")
    return hourly * fleet_hours(n, model, v("fargate_task_vcpu"), v("fargate_min_tasks"))


def ec2_compute(n, model):
    if model == "gpu":
        return 0.0  # the worker runs on the GPU instances, paid in gpu_fleet
    hourly = v("ec2_cpu_hour") + v("ec2_cpu_disk_gb") * v("ebs_gb_month") / HOURS_PER_MONTH
    return hourly * fleet_hours(n, model, v("ec2_cpu_vcpu"), 1)


COMPUTES = {"Lambda": lambda_compute, "Fargate": fargate_compute, "EC2": ec2_compute}
MODELS = {"titan": "Titan (Bedrock)", "gpu": "self-hosted GPU"}


def monthly_cost(compute, model, n):
    """USD per month for n images a month on one compute path with one model."""
    model_cost = n * v("titan_price") if model == "titan" else gpu_fleet(n)
    return COMPUTES[compute](n, model) + model_cost + n * shared_per_image()


def per_thousand(compute, model, n):
    return monthly_cost(compute, model, n) / n * 1000


def lines():
    return [(c, m) for m in MODELS for c in COMPUTES]


def crossing(a, b, low=100.0, high=1e9):
    """Volumes in [low, high] where line a's monthly cost crosses line b's (bisection on a
    logarithmic grid). Returns a list of (volume, which line is cheaper above it)."""
    def diff(n):
        return monthly_cost(*a, n) - monthly_cost(*b, n)

    points = [low * (high / low) ** (i / 400) for i in range(401)]
    out = []
    for x0, x1 in zip(points, points[1:]):
        d0, d1 = diff(x0), diff(x1)
        if d0 == 0 or (d0 < 0) == (d1 < 0):
            continue
        lo, hi = x0, x1
        for _ in range(100):
            mid = math.sqrt(lo * hi)
            if (diff(mid) < 0) == (d0 < 0):
                lo = mid
            else:
                hi = mid
        out.append((math.sqrt(lo * hi), a if d1 < 0 else b))
    return out


def crossover_pairs():
    """The crossings worth naming: compute paths against each other for each model, and the
    cheapest Titan path against the cheapest self-hosted path on the same compute."""
    pairs = []
    for model in MODELS:
        names = list(COMPUTES)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                pairs.append(((a, model), (b, model)))
    for compute in COMPUTES:
        pairs.append(((compute, "titan"), (compute, "gpu")))
    pairs.append((("Lambda", "titan"), ("EC2", "gpu")))
    return pairs


SENSITIVITY = [
    ("none (the inputs above)", {}),
    ("Lambda memory 128 MB", {"lambda_memory_gb": 0.125}),
    ("Lambda memory 1,769 MB (one vCPU)", {"lambda_memory_gb": 1769 / 1024}),
    ("Titan waits 5 s", {"titan_wait_s": 5.0}),
    ("Titan waits 20 s", {"titan_wait_s": 20.0}),
    ("worker concurrency 8 (the deploy default)", {"container_concurrency": 8}),
    ("Fargate task 0.5 vCPU, 1 GB (the deploy default)",
     {"fargate_task_vcpu": 0.5, "fargate_task_gb": 1.0}),
    ("GPU makes 0.25 images/s", {"gpu_images_per_s": 0.25}),
    ("GPU instance g4dn.xlarge (T4), $0.526/h (list price, Jan 2025, not re-checked)",
     {"ec2_gpu_hour": 0.526}),
    ("Titan at $0.01 (1024x1024)", {"titan_price": 0.01}),
]


# ---- Markdown -----------------------------------------------------------------------------------

def money(x):
    if x >= 100:
        return "$%s" % format(round(x), ",")
    if x >= 1:
        return "$%.2f" % x
    return "$%.4f" % x


def number(x):
    """An input as written by hand: 0.0000166667, not 1.66667e-05."""
    return ("%.10f" % x).rstrip("0").rstrip(".")


def volume_text(n):
    if n >= 1e6:
        return "%g M" % (n / 1e6)
    if n >= 1e3:
        return "%g k" % (n / 1e3)
    return "%g" % n


def name(line):
    return "%s, %s" % (line[0], MODELS[line[1]])


def markdown():
    out = []
    add = out.append
    add("Inputs (`scripts/cost_model.py`, `INPUTS`):")
    add("")
    add("| input | value | unit | source, date |")
    add("|---|---|---|---|")
    for key, (value, unit, source) in INPUTS.items():
        add("| `%s` | %s | %s | %s |" % (key, number(value), unit, source))
    add("")
    add("Cost per 1,000 images (USD; the month's total in parentheses):")
    add("")
    add("| images a month | model | " + " | ".join(COMPUTES) + " |")
    add("|---|---|" + "---|" * len(COMPUTES))
    for n in VOLUMES:
        for model in MODELS:
            cells = []
            for compute in COMPUTES:
                total = monthly_cost(compute, model, n)
                cells.append("%s (%s)" % (money(total / n * 1000), money(total)))
            add("| %s | %s | %s |" % (volume_text(n), MODELS[model], " | ".join(cells)))
    add("")
    add("Where the monthly costs cross (searched from 100 to 1,000 M images a month):")
    add("")
    add("| lines | crossover (images a month) | cheaper above it |")
    add("|---|---|---|")
    for a, b in crossover_pairs():
        found = crossing(a, b)
        if not found:
            cheaper = a if monthly_cost(*a, 1e6) < monthly_cost(*b, 1e6) else b
            add("| %s / %s | none | %s throughout |" % (name(a), name(b), name(cheaper)))
            continue
        for volume, cheaper in found:
            add("| %s / %s | %s | %s |" % (name(a), name(b), format(round(volume, -2) or
                                                                      round(volume), ",.0f"),
                                           name(cheaper)))
    add("")
    add("How the two crossovers the recommendation rests on move when one input changes:")
    add("")
    add("| input changed | Lambda / Fargate with Titan | Titan on Lambda / GPU on EC2 |")
    add("|---|---|---|")
    for label, values in SENSITIVITY:
        with overridden(**values):
            cells = []
            for a, b in ((("Lambda", "titan"), ("Fargate", "titan")),
                         (("Lambda", "titan"), ("EC2", "gpu"))):
                found = crossing(a, b)
                cells.append(", ".join(format(round(x, -2), ",.0f") for x, _ in found) or "none")
        add("| %s | %s |" % (label, " | ".join(cells)))
    add("")
    add("Lambda's records per invocation: %s." % ", ".join(
        "%.1f at %s (%s)" % (lambda_records_per_invocation(n, m), volume_text(n), m)
        for n in VOLUMES for m in MODELS))
    return "\n".join(out) + "\n"


# ---- SVG ----------------------------------------------------------------------------------------

COLORS = {"Lambda": "#d9480f", "Fargate": "#1c7ed6", "EC2": "#2b8a3e"}
DASH = {"titan": "", "gpu": "6 4"}


def svg_plot(title, ylabel, series, ymin, ymax, note=""):
    """A log-log plot from 1 k to 10 M images a month; series: (label, color, dash, f(n))."""
    w, h, left, right, top, bottom = 720, 440, 80, 190, 40, 60
    x0, x1 = 1e3, 1e7

    def sx(n):
        return left + (math.log10(n) - math.log10(x0)) / (math.log10(x1) - math.log10(x0)) * (
            w - left - right)

    def sy(y):
        y = min(max(y, ymin), ymax)
        return top + (math.log10(ymax) - math.log10(y)) / (math.log10(ymax) - math.log10(ymin)) * (
            h - top - bottom)

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">' % (w, h, w, h),
             '<rect width="%d" height="%d" fill="#ffffff"/>' % (w, h),
             '<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>' % (left, title)]
    for e in range(3, 8):
        x = sx(10 ** e)
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dddddd"/>'
                     % (x, top, x, h - bottom))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                     % (x, h - bottom + 18, volume_text(10 ** e)))
    for e in range(int(math.floor(math.log10(ymin))), int(math.ceil(math.log10(ymax))) + 1):
        if not ymin <= 10 ** e <= ymax:
            continue
        y = sy(10 ** e)
        parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dddddd"/>'
                     % (left, y, w - right, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>'
                     % (left - 6, y + 4, money(10 ** e)))
    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333333"/>'
                 % (left, top, w - left - right, h - top - bottom))
    parts.append('<text x="%.1f" y="%d" text-anchor="middle">images a month</text>'
                 % ((left + w - right) / 2, h - 18))
    parts.append('<text x="18" y="%.1f" text-anchor="middle" transform="rotate(-90 18 %.1f)">'
                 '%s</text>' % ((top + h - bottom) / 2, (top + h - bottom) / 2, ylabel))
    for i, (label, color, dash, f) in enumerate(series):
        pts = []
        for k in range(81):
            n = x0 * (x1 / x0) ** (k / 80)
            pts.append("%.1f,%.1f" % (sx(n), sy(f(n))))
        dash = ' stroke-dasharray="%s"' % dash if dash else ""
        parts.append('<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>'
                     % (color, dash, " ".join(pts)))
        ly = top + 14 + i * 20
        parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                     % (w - right + 12, ly, w - right + 40, ly, color, dash))
        parts.append('<text x="%d" y="%d">%s</text>' % (w - right + 46, ly + 4, label))
    for i, text in enumerate(note.split("\n") if note else []):
        parts.append('<text x="%d" y="%d" font-size="11">%s</text>'
                     % (w - right + 12, top + 14 + (len(series) + 1) * 20 + i * 15, text))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def plots():
    short = {"titan": "Titan", "gpu": "GPU"}
    totals = [("%s, %s" % (c, short[m]), COLORS[c], DASH[m],
               lambda n, c=c, m=m: per_thousand(c, m, n)) for c, m in lines()]
    compute = [("%s, %s wait" % (c, short[m]), COLORS[c], DASH[m],
                lambda n, c=c, m=m: COMPUTES[c](n, m)) for c, m in lines()
               if not (c == "EC2" and m == "gpu")]
    return {
        "cost-per-1000-images.svg": svg_plot(
            "Cost per 1,000 images, all in (USD, log-log)", "USD per 1,000 images", totals,
            0.5, 1000),
        "compute-cost-per-month.svg": svg_plot(
            "Compute alone per month (USD, log-log)", "USD per month", compute, 0.01, 10000,
            "EC2, GPU: none of its own\n(the worker runs on the\nGPU instances)"),
    }


# ---- main ---------------------------------------------------------------------------------------

def replace_block(text, block):
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit("%s has no %s ... %s block" % (ESSAY, BEGIN, END))
    return pattern.sub(lambda _: BEGIN + "\n" + block + END, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true",
                        help="rewrite the essay's block and the plots in docs/images")
    parser.add_argument("--svg-dir", help="write the plots into this folder")
    args = parser.parse_args()
    block = markdown()
    sys.stdout.write(block)
    svg_dir = Path(args.svg_dir) if args.svg_dir else (IMAGES if args.write else None)
    if svg_dir:
        svg_dir.mkdir(parents=True, exist_ok=True)
        for file_name, svg in plots().items():
            (svg_dir / file_name).write_text(svg)
    if args.write:
        ESSAY.write_text(replace_block(ESSAY.read_text(), block))
    return 0


if __name__ == "__main__":
    sys.exit(main())
