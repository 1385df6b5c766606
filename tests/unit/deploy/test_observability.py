"""The operations view names only metrics that exist.

Prometheus: `pictor serve` (PICTOR_BIN) is started on a loopback port over a temporary folder,
with a price for the builtin model so spend is metered; one job is run through POST /jobs, then
/metrics is scraped, and every pictor_* name in the Grafana dashboard (deploy/grafana/pictor.json)
and the alert rules (deploy/grafana/pictor-alerts.rules.yml) must be on it. `promtool check rules`
parses the rules and every dashboard query.

CloudWatch: every metric the Terraform alarms, scaling policies and dashboard and the SAM alarms
read is one `pictor lambda` publishes (its EMF namespace and metric names, read from
src/lambda/invocation_metrics.cc) or a metric the AWS service documents."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from deploy_files import ROOT, load_yaml, merged_terraform

GRAFANA = ROOT / "deploy" / "grafana" / "pictor.json"
RULES = ROOT / "deploy" / "grafana" / "pictor-alerts.rules.yml"
DASHBOARD_TF = ROOT / "deploy" / "terraform" / "dashboard.tf"
SAM = ROOT / "deploy" / "sam" / "template.yaml"
EMF_SOURCE = ROOT / "src" / "lambda" / "invocation_metrics.cc"
EMF_HEADER = ROOT / "src" / "lambda" / "invocation_metrics.h"

PICTOR_NAME = re.compile(r"\b(pictor_[a-z0-9_]+)\b")

# The AWS services' metrics the deployment reads, as their documentation names them (SQS, Lambda,
# API Gateway HTTP APIs, Application Load Balancer, ECS Container Insights).
AWS_METRICS = {
    "AWS/SQS": {"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed", "ApproximateAgeOfOldestMessage",
                "NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
                "NumberOfEmptyReceives", "SentMessageSize"},
    "AWS/Lambda": {"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions",
                   "UnreservedConcurrentExecutions", "DeadLetterErrors", "IteratorAge",
                   "ProvisionedConcurrencyUtilization"},
    "AWS/ApiGateway": {"4xx", "5xx", "Count", "Latency", "IntegrationLatency", "DataProcessed"},
    "AWS/ApplicationELB": {"RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_Target_4XX_Count",
                           "HTTPCode_ELB_5XX_Count", "HTTPCode_ELB_4XX_Count", "TargetResponseTime",
                           "HealthyHostCount", "UnHealthyHostCount"},
    "ECS/ContainerInsights": {"RunningTaskCount", "PendingTaskCount", "DesiredTaskCount", "CpuUtilized",
                              "CpuReserved", "MemoryUtilized", "MemoryReserved"},
}


def published_emf_metrics():
    """{namespace: {metric names}} of the EMF lines `pictor lambda` writes."""
    text = EMF_SOURCE.read_text(encoding="utf-8")
    namespaces = re.findall(r'kDefaultMetricsNamespace = "(\w+)"', EMF_HEADER.read_text(encoding="utf-8"))
    names = set(re.findall(r'\{"Name", "(\w+)"\}', text))
    if len(namespaces) != 1 or not {"Jobs", "Failures"} <= names:
        raise AssertionError(f"cannot read the EMF namespace and metrics from {EMF_SOURCE}")
    return {namespaces[0]: names}


def unknown_cloudwatch_metrics(used):
    """The (namespace, name) pairs of `used` that neither Pictor nor AWS publishes."""
    known = dict(AWS_METRICS, **published_emf_metrics())
    return sorted((ns, name) for ns, name in used if name not in known.get(ns, set()))


def dashboard_tf_metrics():
    """(namespace, metric) of every metric array in dashboard.tf: ["NS", "Name", ...] or
    [local.pictor_namespace, "Name", ...] (the namespace local resolved)."""
    text = DASHBOARD_TF.read_text(encoding="utf-8")
    out = set()
    for ns, local, name in re.findall(r'\[\s*(?:"([A-Za-z]+/[\w/]+)"|(local\.pictor_namespace))\s*,\s*"(\w+)"', text):
        out.add((ns or "Pictor", name))
    return out


def terraform_alarm_metrics(tf):
    out = set()
    for alarm in tf["resource"]["aws_cloudwatch_metric_alarm"].values():
        if "metric_name" in alarm:
            namespace = alarm["namespace"]
            out.add(("Pictor" if namespace == "${local.pictor_namespace}" else namespace, alarm["metric_name"]))
        for query in alarm.get("metric_query", []):
            for metric in query.get("metric", []):
                namespace = metric["namespace"]
                out.add(("Pictor" if namespace == "${local.pictor_namespace}" else namespace, metric["metric_name"]))
    for policy in tf["resource"].get("aws_appautoscaling_policy", {}).values():
        for config in policy.get("target_tracking_scaling_policy_configuration", []):
            for spec in config.get("customized_metric_specification", []):
                for m in spec.get("metrics", []):
                    for stat in m.get("metric_stat", []):
                        metric = stat["metric"][0]
                        out.add((metric["namespace"], metric["metric_name"]))
    return out


def sam_namespace(value):
    """A SAM alarm's namespace; the MetricsNamespace parameter stands for Pictor's own."""
    return "Pictor" if value == {"!Ref": "MetricsNamespace"} else value


def sam_alarm_metrics():
    out = set()
    for resource in load_yaml(SAM)["Resources"].values():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        props = resource["Properties"]
        if "MetricName" in props:
            out.add((sam_namespace(props["Namespace"]), props["MetricName"]))
        for m in props.get("Metrics", []):
            if "MetricStat" in m:
                out.add((sam_namespace(m["MetricStat"]["Metric"]["Namespace"]), m["MetricStat"]["Metric"]["MetricName"]))
    return out


def grafana_expressions():
    doc = json.loads(GRAFANA.read_text(encoding="utf-8"))
    return [(p["title"], t["expr"]) for p in doc["panels"] for t in p.get("targets", [])]


def rule_expressions():
    doc = load_yaml(RULES)
    return [(r["alert"], r["expr"]) for g in doc["groups"] for r in g["rules"]]


def missing_prometheus_names(expressions, exposed):
    """{pictor_* name used in an expression but absent from `exposed`: [where]}."""
    missing = {}
    for where, expr in expressions:
        for name in PICTOR_NAME.findall(expr):
            if name not in exposed:
                missing.setdefault(name, []).append(where)
    return missing


class CloudWatchMetrics(unittest.TestCase):
    def test_every_terraform_and_sam_metric_is_pictors_or_an_aws_services(self):
        tf = merged_terraform()
        used = {"dashboard.tf": dashboard_tf_metrics(), "Terraform alarms and scaling": terraform_alarm_metrics(tf),
                "SAM alarms": sam_alarm_metrics()}
        self.assertGreaterEqual(len(used["dashboard.tf"]), 15, "the dashboard's metrics were not found")
        self.assertGreaterEqual(len(used["Terraform alarms and scaling"]), 8)
        self.assertGreaterEqual(len(used["SAM alarms"]), 5)
        for where, metrics in used.items():
            self.assertEqual(unknown_cloudwatch_metrics(metrics), [], f"{where} reads metrics nobody publishes")

    def test_the_dashboard_shows_what_operators_need(self):
        metrics = dashboard_tf_metrics()
        for needed in [("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
                       ("Pictor", "Jobs"), ("Pictor", "Failures"), ("Pictor", "GenerationLatency"),
                       ("Pictor", "SpendUsd"), ("AWS/Lambda", "Errors")]:
            self.assertIn(needed, metrics)
        text = DASHBOARD_TF.read_text(encoding="utf-8")
        self.assertIn('stat = "p50"', text)
        self.assertIn('stat = "p99"', text)

    def test_pictors_metrics_are_read_from_the_source(self):
        self.assertEqual(published_emf_metrics(),
                         {"Pictor": {"Jobs", "Failures", "GenerationLatency", "StorageLatency", "SpendUsd"}})

    def test_the_check_can_fail(self):
        self.assertEqual(unknown_cloudwatch_metrics({("Pictor", "Spend"), ("AWS/SQS", "QueueDepth"),
                                                     ("AWS/Lambda", "Errors")}),
                         [("AWS/SQS", "QueueDepth"), ("Pictor", "Spend")])


class PrometheusMetrics(unittest.TestCase):
    """Names against the /metrics of a running `pictor serve` after one job."""

    @classmethod
    def setUpClass(cls):
        binary = os.environ.get("PICTOR_BIN", "")
        if not (binary and os.access(binary, os.X_OK)):
            raise AssertionError("PICTOR_BIN is not set")
        cls.tmp = tempfile.TemporaryDirectory()
        tmp = cls.tmp.name
        config = os.path.join(tmp, "pictor.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write("[prices]\nbuiltin = 0.04\n")  # builtin costs nothing by default: meter it
        port_file = os.path.join(tmp, "port")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp}
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                env[key] = os.environ[key]
        cls.stderr = open(os.path.join(tmp, "stderr"), "w+", encoding="utf-8")  # noqa: SIM115
        cls.server = subprocess.Popen(  # noqa: S603
            [binary, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
             "--store", f"file:{tmp}/images", "--queue", f"sqlite:{tmp}/queue.db", "--config", config],
            cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=cls.stderr)
        try:
            cls.base = f"http://127.0.0.1:{cls.wait_for_port(port_file)}"
            cls.exposed = cls.scrape_after_one_job()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        try:
            cls.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            cls.server.kill()
            cls.server.wait()
        cls.stderr.close()
        cls.tmp.cleanup()

    @classmethod
    def server_log(cls):
        cls.stderr.flush()
        cls.stderr.seek(0)
        return cls.stderr.read()

    @classmethod
    def wait_for_port(cls, port_file):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if cls.server.poll() is not None:
                raise AssertionError(f"pictor serve exited:\n{cls.server_log()}")
            if os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as f:
                    text = f.read()
                if text.endswith("\n"):
                    return int(text)
            time.sleep(0.05)
        raise AssertionError(f"pictor serve wrote no port file:\n{cls.server_log()}")

    @classmethod
    def request(cls, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(cls.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (loopback)
            return resp.status, resp.read().decode()

    @classmethod
    def scrape_after_one_job(cls):
        status, body = cls.request("POST", "/jobs", {"prompt": "A magical salmon going to the moon in a rocket"})
        if status != 202:
            raise AssertionError(f"POST /jobs answered {status}: {body}")
        job = json.loads(body)["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            _, record = cls.request("GET", f"/jobs/{job}")
            if json.loads(record)["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        if json.loads(record)["status"] != "succeeded":
            raise AssertionError(f"the job did not succeed: {record}\n{cls.server_log()}")
        _, text = cls.request("GET", "/metrics")
        names = set()
        for line in text.splitlines():
            if line and not line.startswith("#"):
                names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
        return names

    def test_the_scrape_saw_the_job_and_its_spend(self):
        for name in ("pictor_jobs_total", "pictor_generation_seconds_bucket", "pictor_spend_usd_total",
                     "pictor_queue_messages"):
            self.assertIn(name, self.exposed)

    def test_every_dashboard_metric_is_on_metrics(self):
        expressions = grafana_expressions()
        used = {n for _, e in expressions for n in PICTOR_NAME.findall(e)}
        self.assertGreaterEqual(len(used), 10, f"too few metrics found in the dashboard: {used}")
        for title, expr in expressions:
            self.assertRegex(expr, PICTOR_NAME, f"panel {title!r} reads no Pictor metric: {expr}")
        self.assertEqual(missing_prometheus_names(expressions, self.exposed), {},
                         f"not on /metrics after a job; it has {sorted(self.exposed)}")

    def test_every_alert_rule_metric_is_on_metrics(self):
        self.assertEqual(missing_prometheus_names(rule_expressions(), self.exposed), {})

    def test_the_dashboard_shows_what_operators_need(self):
        text = " ".join(e for _, e in grafana_expressions())
        for fragment in ("pictor_queue_messages", "pictor_queue_oldest_message_age_seconds",
                         'pictor_jobs_total{job=~"$job",outcome="succeeded"}',
                         "histogram_quantile(0.5, sum by (le) (rate(pictor_generation_seconds_bucket",
                         "histogram_quantile(0.99, sum by (le) (rate(pictor_generation_seconds_bucket",
                         "pictor_spend_usd_total", 'status=~"5.."'):
            self.assertIn(fragment, text)

    def test_yamllint_passes_on_the_rules(self):
        yamllint = shutil.which("yamllint")
        self.assertIsNotNone(yamllint, "yamllint is not installed (Debian package yamllint)")
        proc = subprocess.run([yamllint, "-s", "-c", str(ROOT / ".yamllint"), str(RULES)],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_the_check_can_fail(self):
        missing = missing_prometheus_names([("panel", "rate(pictor_images_total[5m])"),
                                            ("ok", "pictor_jobs_total")], self.exposed)
        self.assertEqual(missing, {"pictor_images_total": ["panel"]})

    def test_promtool_parses_the_rules_and_every_dashboard_query(self):
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool is not installed (Debian package prometheus)")
        proc = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        rules = [{"record": f"pictor:panel_{i}", "expr": expr.replace("$job", ".*")}
                 for i, (_, expr) in enumerate(grafana_expressions())]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "dashboard.rules.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
            proc = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
