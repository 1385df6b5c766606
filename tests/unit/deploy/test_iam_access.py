"""Every AWS call the deployed functions make is allowed by their role, and every S3 grant is used.

The calls are not listed by hand: they are recorded. `pictor lambda` (PICTOR_BIN) runs as each
deployed function runs, with the environment the Terraform module and the SAM template give it,
behind the local Lambda Runtime API emulator; its S3 and SQS traffic goes to fauxqs and its
Bedrock calls to the fake model, each through a recording proxy. Each recorded request becomes the
IAM action and resource ARN AWS would authorize (a GET or HEAD answered 404 also needs
s3:ListBucket on the bucket: without it S3 answers 403), and each is checked against the role's
policy as parsed from iam.tf and template.yaml (iam_policy.py).

Scenarios: the queue worker's first delivery of a job, a redelivery after its image was stored,
a message `pictor send` wrote (no job record yet) and a job the API function submitted; the API
function's POST /generate-image (and a GET of the presigned `url` it answers with, which its
role signs), POST /jobs with an Idempotency-Key and its replay, GET /jobs/{id}
(known and unknown), and POST /jobs when the queue is gone (the record is taken back); and
`pictor serve` as the ECS API task runs it (deploy/terraform/ecs.tf: --workers 0, --auth keys),
over HTTP, against the ECS serve task role of ecs_iam.tf. (The ECS worker task role is the Lambda
worker's own policy document, so the worker scenarios check it too.)

Needs: PICTOR_BIN, node with tools/node_modules (fauxqs), python3 with boto3 (to make the bucket).
"""

import html
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from deploy_files import ROOT
from iam_policy import glob_matches, sam_api_policy, terraform_serve_policy, terraform_worker_policy

sys.path.insert(0, str(ROOT / "tests" / "peers"))
from lambda_runtime_emulator import Emulator  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "000000000000"  # fauxqs's account: its queue URLs carry it
BUCKET = "pictor-iam-test"
PREFIX = "team/a"
MODEL_ID = "amazon.titan-image-generator-v1"
QUEUE = "pictor-prompts"


class RecordingProxy:
    """Forwards every request to `upstream` (host, port) and records (method, path, query,
    headers, status). Keeps the client's Host header, so fauxqs names queues by the proxy."""

    def __init__(self, upstream):
        self.records = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def forward(self):
                length = int(self.headers.get("Content-Length", "0") or 0)
                body = self.rfile.read(length) if length else b""
                conn = http.client.HTTPConnection(*upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                url = urllib.parse.urlsplit(self.path)
                with proxy.lock:
                    proxy.records.append({
                        "method": self.command, "path": urllib.parse.unquote(url.path),
                        "query": urllib.parse.parse_qs(url.query, keep_blank_values=True),
                        "target": self.headers.get("X-Amz-Target", ""), "body": body,
                        "copy_source": self.headers.get("x-amz-copy-source", ""),
                        "status": reply.status})
                self.send_response(reply.status)
                for k, v in reply.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        with self.lock:
            out, self.records = self.records, []
        return out

    def stop(self):
        self.server.shutdown()


def start_peer(argv, cwd=None):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=cwd)
    line = proc.stdout.readline()
    match = re.match(r"port (\d+)", line)
    if not match:
        proc.kill()
        raise AssertionError(f"{argv} did not start: {line!r}")
    return proc, int(match.group(1))


def s3_calls(record):
    """[(action, resource)] that S3 authorizes for one path-style request."""
    method, path, query = record["method"], record["path"], record["query"]
    bucket, _, key = path.lstrip("/").partition("/")
    bucket_arn, object_arn = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{key}"
    if not key:
        if method == "GET" and ("list-type" in query or "prefix" in query or not query):
            return [("s3:ListBucket", bucket_arn)]
        if method == "POST" and "delete" in query:
            keys = re.findall(rb"<Key>([^<]*)</Key>", record["body"])
            return [("s3:DeleteObject", f"{bucket_arn}/{k.decode()}") for k in keys]
        if method == "HEAD":
            return [("s3:ListBucket", bucket_arn)]
        raise AssertionError(f"bucket request not mapped to IAM: {method} {path} {query}")
    # A presigned URL carries its signature in the query; it is no subresource.
    query = {k: v for k, v in query.items() if not k.lower().startswith("x-amz-")}
    if query and not set(query) <= {"x-id", "uploads", "uploadId", "partNumber"}:
        raise AssertionError(f"object subresource not mapped to IAM: {method} {path} {query}")
    calls = []
    if method in ("GET", "HEAD"):
        calls.append(("s3:GetObject", object_arn))
        if record["status"] == 404:
            calls.append(("s3:ListBucket", bucket_arn))  # else S3 would answer 403
    elif method in ("PUT", "POST"):
        calls.append(("s3:PutObject", object_arn))
        if record["copy_source"]:
            source = urllib.parse.unquote(record["copy_source"]).lstrip("/")
            calls.append(("s3:GetObject", f"arn:aws:s3:::{source}"))
    elif method == "DELETE":
        calls.append(("s3:AbortMultipartUpload" if "uploadId" in query else "s3:DeleteObject",
                      object_arn))
    else:
        raise AssertionError(f"object request not mapped to IAM: {method} {path}")
    return calls


def sqs_calls(record):
    if record["target"].startswith("AmazonSQS."):
        action = record["target"].split(".", 1)[1]
        body = json.loads(record["body"] or b"{}")
        url = body.get("QueueUrl", "")
    else:
        form = urllib.parse.parse_qs(record["body"].decode())
        action, url = form.get("Action", [""])[0], form.get("QueueUrl", [""])[0]
    if not action or not url:
        raise AssertionError(f"SQS request not mapped to IAM: {record}")
    account, name = urllib.parse.urlsplit(url).path.strip("/").split("/")
    action = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
              "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}.get(action, action)
    return [(f"sqs:{action}", f"arn:aws:sqs:{REGION}:{account}:{name}")]


def bedrock_calls(record):
    match = re.fullmatch(r"/model/([^/]+)/invoke", record["path"])
    if record["method"] != "POST" or not match:
        raise AssertionError(f"Bedrock request not mapped to IAM: {record['method']} {record['path']}")
    return [("bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/{match.group(1)}")]


def sqs_event(message_id, body, receive_count):
    """An SQS batch of one record; `message_id` a UUID, as SQS's are (the store ledger keeps
    records only for ids of hex digits and dashes)."""
    return {"Records": [{
        "messageId": message_id, "receiptHandle": f"handle-{message_id}-{receive_count}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count),
                       "SentTimestamp": "1700000000000",
                       "ApproximateFirstReceiveTimestamp": "1700000000100"},
        "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}",
        "awsRegion": REGION}]}


def http_event(method, path, body="", headers=None):
    return {"version": "2.0", "routeKey": f"{method} {path}", "rawPath": path,
            "rawQueryString": "",
            "headers": {"content-type": "application/json", "host": "api.example.com",
                        **(headers or {})},
            "requestContext": {"stage": "$default",
                               "http": {"method": method, "sourceIp": "10.0.0.2"}},
            "body": body, "isBase64Encoded": False}


@unittest.skipUnless(os.environ.get("PICTOR_BIN"), "PICTOR_BIN is not set: run through ctest")
class DeployedRolesAllowEveryCall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fauxqs, fauxqs_port = start_peer(["node", str(ROOT / "tests" / "peers" / "fauxqs.mjs")])
        cls.model, model_port = start_peer(
            ["/usr/bin/python3", str(ROOT / "tests" / "peers" / "fake_model_server.py")])
        cls.aws = RecordingProxy(("127.0.0.1", fauxqs_port))
        cls.bedrock = RecordingProxy(("127.0.0.1", model_port))
        cls.model_port = model_port
        import boto3  # Debian's python3-boto3
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                        region_name=REGION)
        s3 = session.client("s3", endpoint_url=f"http://127.0.0.1:{fauxqs_port}")
        s3.create_bucket(Bucket=BUCKET)
        # The query protocol (translated by tests/peers/fauxqs.mjs), through the proxy.
        reply = cls.sqs_query({"Action": "CreateQueue", "QueueName": QUEUE})
        cls.queue_url = re.search(r"<QueueUrl>([^<]+)</QueueUrl>", reply).group(1)
        cls.aws.take()  # the test's own set-up is no function's call
        cls.lambdas = []

    @classmethod
    def sqs_query(cls, form):
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(cls.aws.url + "/", data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.read().decode()

    @classmethod
    def tearDownClass(cls):
        for proc in cls.lambdas:
            proc.kill()
            proc.wait()
        for proc in (cls.fauxqs, cls.model):
            proc.kill()
            proc.wait()
        cls.aws.stop()
        cls.bedrock.stop()

    def start_function(self, environment):
        """`pictor lambda` with a deployed function's `environment`, on a fresh emulator."""
        emulator = Emulator().start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PICTOR_"))}
        env.update({
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{emulator.port}",
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test-session", "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_S3": self.aws.url, "AWS_ENDPOINT_URL_SQS": self.aws.url,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.bedrock.url,
            **environment})
        # Its log goes to a file: a pipe nobody reads could fill and stall it.
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen([os.environ["PICTOR_BIN"], "lambda"], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
        self.lambdas.append(proc)
        return emulator, proc

    def invoke(self, emulator, proc, event):
        result = emulator.invoke(event, timeout_ms=30000)
        self.assertIsNotNone(result, "the function did not answer")
        self.assertEqual(result["kind"], "response", f"{result}")
        return json.loads(result["body"])

    def fetch_url(self, answer):
        """GETs the presigned `url` of an API answer, as the client would (it is signed by the
        function's role, so its GET counts as the role's call)."""
        url = json.loads(answer["body"])["url"]
        self.assertTrue(url.startswith(self.aws.url), f"not a presigned S3 URL: {url}")
        with urllib.request.urlopen(url, timeout=30) as r:
            self.assertEqual(r.read(8), b"\x89PNG\r\n\x1a\n")

    def worker_environment(self):
        # deploy/terraform/function.tf, local.function_environment
        return {"PICTOR_MODEL": f"bedrock:{MODEL_ID}", "PICTOR_BEDROCK_REGION": REGION,
                "BUCKET_NAME": BUCKET, "KEY_PREFIX": PREFIX, "PICTOR_JOBS": "store",
                "SQS_QUEUE_URL": self.queue_url.rsplit("/", 1)[0] + "/" + QUEUE,
                "PICTOR_LOG_LEVEL": "info"}

    def model_mode(self, mode):
        """Sets the fake model's behaviour for every later call (tests/peers/fake_model_server.py)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.model_port}/_control", method="POST",
            data=json.dumps({"mode": mode}).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()

    def api_environment(self, queue):
        # deploy/sam/template.yaml, ApiFunction's Environment (with and without QueueName)
        env = {"PICTOR_MODEL": f"bedrock:{MODEL_ID}", "PICTOR_BEDROCK_REGION": REGION,
               "BUCKET_NAME": BUCKET, "KEY_PREFIX": PREFIX, "PICTOR_LOG_LEVEL": "info"}
        if queue:
            # The URL fauxqs gave the queue (its host is fauxqs's own name; requests go to
            # AWS_ENDPOINT_URL_SQS, the proxy).
            url = self.queue_url.rsplit("/", 1)[0] + "/" + queue
            env.update({"SQS_QUEUE_URL": url,
                        "PICTOR_JOBS": "store"})
        return env

    def worker_policy(self):
        return terraform_worker_policy({
            "data.aws_partition.current.partition": "aws",
            "var.bucket_name": BUCKET, "var.key_prefix": PREFIX,
            "var.bedrock_region": REGION, "var.model_id": MODEL_ID,
            "aws_sqs_queue.prompts.arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}",
            "aws_cloudwatch_log_group.function[0].arn":
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/pictor-queue-worker",
        })

    def api_policy(self, queue):
        return sam_api_policy({
            "AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
            "BucketName": BUCKET, "KeyPrefix": PREFIX, "ModelId": MODEL_ID,
            "BedrockRegion": REGION, "QueueName": queue,
            "ApiLogGroup.Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/pictor-api",
        })

    def calls(self):
        """[(action, resource, what)] of everything recorded since the last call."""
        out = []
        for r in self.aws.take():
            what = f"{r['method']} {r['path']} {r['target']} -> {r['status']}"
            is_sqs = r["target"].startswith("AmazonSQS.") or (
                r["method"] == "POST" and r["path"] == "/" and b"Action=" in r["body"])
            mapped = sqs_calls(r) if is_sqs else s3_calls(r)
            out += [(a, res, what) for a, res in mapped]
        for r in self.bedrock.take():
            out += [(a, res, f"{r['method']} {r['path']}") for a, res in bedrock_calls(r)]
        return out

    def assert_allowed(self, policy, calls, scenario):
        denied = [f"{action} on {resource} ({what})" for action, resource, what in calls
                  if not policy.allows(action, resource)]
        if denied:
            self.fail(f"{policy.name} denies what {scenario} does:\n  " + "\n  ".join(denied))

    def assert_every_s3_grant_used(self, policy, calls):
        """Nothing more than needed: each S3 action on each resource pattern the role grants is
        needed by some recorded call."""
        for s in policy.statements:
            for action in (a for a in s["actions"] if a.lower().startswith("s3:")):
                for resource in s["resources"]:
                    used = [c for c in calls
                            if glob_matches(action, c[0], True) and glob_matches(resource, c[1])]
                    self.assertTrue(used, f"{policy.name}: statement {s['sid']} grants {action} on "
                                          f"{resource}, which no recorded call needs")

    def test_queue_worker_role_allows_every_call_of_the_worker(self):
        self.calls()
        emulator, proc = self.start_function(self.worker_environment())
        recorded = []
        body = json.dumps({"prompt": "a lighthouse at dusk"})
        # First delivery, then a redelivery after the image was stored.
        for receive_count in (1, 2):
            answer = self.invoke(emulator, proc, sqs_event("0b6c3f52-0000-4000-8000-000000000001", body, receive_count))
            self.assertEqual(answer.get("batchItemFailures"), [], answer)
            recorded.append((f"delivery {receive_count} of a job", self.calls()))
        # A redelivery of a plain-text message (as `aws sqs send-message` writes it).
        for receive_count in (1, 2):
            answer = self.invoke(emulator, proc, sqs_event("0b6c3f52-0000-4000-8000-000000000002", "a fox in snow", receive_count))
            self.assertEqual(answer.get("batchItemFailures"), [], answer)
            recorded.append((f"delivery {receive_count} of a text message", self.calls()))
        # A bad message: dead-lettered with its reason recorded in the ledger.
        answer = self.invoke(emulator, proc, sqs_event("0b6c3f52-0000-4000-8000-000000000003", '{"prompt": ""}', 1))
        recorded.append(("a bad message", self.calls()))
        # A throttled model: the job is deferred, sent back to the queue as a delayed copy.
        self.model_mode("throttle")
        try:
            answer = self.invoke(emulator, proc, sqs_event("0b6c3f52-0000-4000-8000-000000000004", "a heron at dawn", 1))
        finally:
            self.model_mode("ok")
        self.assertEqual(answer.get("batchItemFailures"), [], answer)
        deferred = self.calls()
        self.assertTrue([c for c in deferred if c[0] == "sqs:SendMessage"],
                        f"the throttled job was not deferred through the queue: {deferred}")
        recorded.append(("a job deferred for a throttled model", deferred))
        heads = [c for _, calls in recorded for c in calls
                 if c[0] == "s3:GetObject" and "generated_images" in c[1] and "-> 200" in c[2]]
        self.assertTrue(heads, "the redelivery never found its stored image: the scenario is wrong")
        policy = self.worker_policy()
        if os.environ.get("IAM_TEST_VERBOSE"):
            for scenario, calls in recorded:
                print(scenario, *calls, sep="\n  ", file=sys.stderr)
        for scenario, calls in recorded:
            self.assert_allowed(policy, calls, scenario)
        self.assert_every_s3_grant_used(policy, [c for _, calls in recorded for c in calls])

    def test_api_function_role_allows_every_call_of_the_api(self):
        self.calls()
        emulator, proc = self.start_function(self.api_environment(QUEUE))
        recorded = []
        body = json.dumps({"prompt": "a red kite", "width": 512, "height": 512})
        answer = self.invoke(emulator, proc, http_event("POST", "/generate-image", body))
        self.assertEqual(answer["statusCode"], 200, answer)
        self.fetch_url(answer)
        recorded.append(("POST /generate-image and a GET of its url", self.calls()))
        # The model refuses the prompt: the image's charge is taken back (nothing was spent).
        self.model_mode("content_filter")
        try:
            refused = self.invoke(emulator, proc, http_event("POST", "/generate-image", body))
        finally:
            self.model_mode("ok")
        self.assertEqual(refused["statusCode"], 400, refused)
        refused_calls = self.calls()
        self.assertTrue([c for c in refused_calls if c[0] == "s3:DeleteObject" and "/spend/" in c[1]],
                        f"the charge was not refunded: {refused_calls}")
        recorded.append(("POST /generate-image the model refuses", refused_calls))
        keyed = {"idempotency-key": "iam-test-key-1"}
        first = self.invoke(emulator, proc, http_event("POST", "/jobs", body, keyed))
        self.assertEqual(first["statusCode"], 202, first)
        recorded.append(("POST /jobs with an Idempotency-Key", self.calls()))
        replay = self.invoke(emulator, proc, http_event("POST", "/jobs", body, keyed))
        self.assertEqual(replay["statusCode"], 202, replay)
        recorded.append(("its replay", self.calls()))
        job_id = json.loads(first["body"])["id"]
        known = self.invoke(emulator, proc, http_event("GET", f"/jobs/{job_id}"))
        self.assertEqual(known["statusCode"], 200, known)
        unknown = self.invoke(emulator, proc,
                              http_event("GET", "/jobs/0190b9c2-0000-7000-8000-000000000000"))
        self.assertEqual(unknown["statusCode"], 404, unknown)
        recorded.append(("GET /jobs/{id}", self.calls()))
        policy = self.api_policy(QUEUE)
        for scenario, calls in recorded:
            self.assert_allowed(policy, calls, scenario)

        # The worker then runs the job the API queued: its message carries the job id.
        reply = self.sqs_query({"Action": "ReceiveMessage", "QueueUrl": self.queue_url,
                                "MaxNumberOfMessages": "10"})
        bodies = [html.unescape(b) for b in re.findall(r"<Body>([^<]*)</Body>", reply)]
        self.assertTrue(bodies, "the API queued nothing")
        self.aws.take()  # the test's own receive
        w_emulator, w_proc = self.start_function(self.worker_environment())
        for i, b in enumerate(bodies):
            answer = self.invoke(w_emulator, w_proc, sqs_event(f"0b6c3f52-0000-4000-8000-1000000000{i:02d}", b, 1))
            self.assertEqual(answer.get("batchItemFailures"), [], answer)
        self.assert_allowed(self.worker_policy(), self.calls(), "a job submitted through the API")
        done = self.invoke(emulator, proc, http_event("GET", f"/jobs/{job_id}"))
        self.assertEqual(json.loads(done["body"]).get("status"), "succeeded", done)
        self.fetch_url(done)
        recorded.append(("GET /jobs/{id} of a finished job and a GET of its url", self.calls()))
        self.assert_allowed(policy, recorded[-1][1], recorded[-1][0])

        # POST /jobs when the queue is gone: the job record and key claim are taken back.
        gone_emulator, gone_proc = self.start_function(self.api_environment("pictor-gone"))
        self.calls()
        failed = self.invoke(gone_emulator, gone_proc,
                             http_event("POST", "/jobs", body, {"idempotency-key": "iam-gone"}))
        self.assertNotEqual(failed["statusCode"], 202, failed)  # refused: nothing was queued
        gone_calls = self.calls()
        self.assertTrue([c for c in gone_calls if c[0] == "s3:DeleteObject"],
                        f"nothing was taken back: {gone_calls}")
        self.assert_allowed(self.api_policy("pictor-gone"), gone_calls,
                            "POST /jobs with the queue gone")
        all_calls = [c for _, calls in recorded for c in calls] + gone_calls
        self.assert_every_s3_grant_used(policy, all_calls)

    def test_api_function_without_a_queue_needs_only_to_store_images(self):
        self.calls()
        emulator, proc = self.start_function(self.api_environment(""))
        body = json.dumps({"prompt": "a green field", "width": 512, "height": 512})
        answer = self.invoke(emulator, proc, http_event("POST", "/generate-image", body))
        self.assertEqual(answer["statusCode"], 200, answer)
        self.fetch_url(answer)
        calls = self.calls()
        policy = self.api_policy("")
        self.assert_allowed(policy, calls, "POST /generate-image without a queue")
        self.assert_every_s3_grant_used(policy, calls)

    def serve_policy(self, queue=QUEUE):
        return terraform_serve_policy({
            "data.aws_partition.current.partition": "aws",
            "var.bucket_name": BUCKET, "var.key_prefix": PREFIX,
            "var.bedrock_region": REGION, "var.model_id": MODEL_ID,
            "aws_sqs_queue.prompts.arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
        })

    def pictor_env(self, environment):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PICTOR_"))}
        env.update({
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test-session", "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_S3": self.aws.url, "AWS_ENDPOINT_URL_SQS": self.aws.url,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.bedrock.url,
            **environment})
        return env

    def start_serve(self, env):
        """`pictor serve --workers 0` (the ECS API container's command); returns (process, port)."""
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen([os.environ["PICTOR_BIN"], "serve", "--workers", "0"], env=env,
                                stdout=subprocess.PIPE, stderr=log, text=True)
        self.lambdas.append(proc)
        line = proc.stdout.readline()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            log.seek(0)
            self.fail(f"pictor serve did not start: {line!r} {log.read().decode()[-2000:]}")
        return proc, int(match.group(1))

    def test_ecs_serve_task_role_allows_every_call_of_serve(self):
        # deploy/terraform/ecs.tf: local.ecs_serve_environment and the serve container's command,
        # on a loopback port instead of 0.0.0.0:8080.
        env = self.pictor_env({**self.worker_environment(), "PICTOR_AUTH": "keys",
                               "PICTOR_LISTEN": "127.0.0.1:0"})
        # The key is created by an operator, with the operator's credentials: not the role's call.
        created = subprocess.run([os.environ["PICTOR_BIN"], "keys", "create", "--name", "iam-serve"],
                                 env=env, capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(created.returncode, 0, created.stderr)
        key = created.stdout.strip()
        self.calls()
        proc, port = self.start_serve(env)

        def call(method, path, body=None, headers=None, port=port):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(method, path, body=body, headers={
                "Authorization": f"Bearer {key}", "Content-Type": "application/json",
                **(headers or {})})
            reply = conn.getresponse()
            data = reply.read()
            conn.close()
            return reply.status, data

        recorded = []
        status, data = call("GET", "/readyz")
        self.assertEqual(status, 200, data)
        recorded.append(("GET /readyz", self.calls()))
        body = json.dumps({"prompt": "a red kite", "width": 512, "height": 512})
        status, data = call("POST", "/generate-image", body)
        self.assertEqual(status, 200, data)
        self.fetch_url({"body": data.decode()})
        recorded.append(("POST /generate-image and a GET of its url", self.calls()))
        self.model_mode("content_filter")
        try:
            status, data = call("POST", "/generate-image", body)
        finally:
            self.model_mode("ok")
        self.assertEqual(status, 400, data)
        recorded.append(("POST /generate-image the model refuses", self.calls()))
        keyed = {"Idempotency-Key": "iam-serve-key-1"}
        status, data = call("POST", "/jobs", body, keyed)
        self.assertEqual(status, 202, data)
        job_id = json.loads(data)["id"]
        status, data = call("POST", "/jobs", body, keyed)
        self.assertEqual(status, 202, data)
        recorded.append(("POST /jobs with an Idempotency-Key and its replay", self.calls()))
        status, data = call("GET", f"/jobs/{job_id}")
        self.assertEqual(status, 200, data)
        status, data = call("GET", "/jobs/0190b9c2-0000-7000-8000-000000000000")
        self.assertEqual(status, 404, data)
        status, data = call("GET", "/jobs?limit=10")
        self.assertEqual(status, 200, data)
        recorded.append(("GET /jobs/{id} and GET /jobs", self.calls()))
        proc.terminate()
        self.assertEqual(proc.wait(timeout=60), 0)
        # POST /jobs when the queue is gone: the job record and key claim are taken back.
        gone_env = dict(env, SQS_QUEUE_URL=self.queue_url.rsplit("/", 1)[0] + "/pictor-gone")
        gone, gone_port = self.start_serve(gone_env)
        self.calls()
        status, data = call("POST", "/jobs", body, {"Idempotency-Key": "iam-serve-gone"}, port=gone_port)
        self.assertNotEqual(status, 202, data)  # refused: nothing was queued
        gone_calls = self.calls()
        self.assertTrue([c for c in gone_calls if c[0] == "s3:DeleteObject" and "/jobs/" in c[1]],
                        f"nothing was taken back: {gone_calls}")
        gone.terminate()
        gone.wait(timeout=60)
        self.assert_allowed(self.serve_policy("pictor-gone"), gone_calls, "POST /jobs with the queue gone")
        policy = self.serve_policy()
        if os.environ.get("IAM_TEST_VERBOSE"):
            for scenario, calls in recorded:
                print(scenario, *calls, sep="\n  ", file=sys.stderr)
        for scenario, calls in recorded:
            self.assert_allowed(policy, calls, scenario)
        self.assert_every_s3_grant_used(policy, [c for _, calls in recorded for c in calls] + gone_calls)

    def test_policy_matching_follows_iam_wildcards(self):
        policy = self.worker_policy()
        # Sanity of the evaluator itself, so that a pass above means something.
        self.assertFalse(policy.allows("s3:DeleteObject", f"arn:aws:s3:::{BUCKET}/{PREFIX}/jobs/x"))
        self.assertFalse(policy.allows("s3:PutObject", f"arn:aws:s3:::other/{PREFIX}/jobs/x"))
        self.assertFalse(policy.allows("s3:PutObject", f"arn:aws:s3:::{BUCKET}/elsewhere/x.png"))
        self.assertTrue(policy.allows("S3:putobject", f"arn:aws:s3:::{BUCKET}/{PREFIX}/jobs/x.json"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
