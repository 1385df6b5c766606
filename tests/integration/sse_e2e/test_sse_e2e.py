"""GET /jobs/{id}/events end to end, read by Python's http.client as an independent client of
the text/event-stream format.

Covered: a job followed queued -> running -> succeeded (with key and url) by an in-process
worker, and the stream ending after it; the event data being the job as GET /jobs/{id} shows it;
a reconnect with Last-Event-ID repeating nothing (mid-stream, and 204 once the job is over);
the keepalive comment on a quiet stream; 404 in JSON for an unknown job, before any stream; a
job run by a separate `pictor worker` process on the same SQLite queue and ledger still
followed (the server reads the ledger for it).

The fake model server (tests/peers/fake_model_server.py) answers each generation after a delay,
so that a job is seen queued and running.

Needs: PICTOR_BIN, PICTOR_PEERS (the tests/peers folder).
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

PICTOR = os.environ.get("PICTOR_BIN", "")
PEERS = os.environ.get("PICTOR_PEERS", "")
DEADLINE = 30  # seconds any single wait may take before the test fails
OPENAI_KEY = "test-openai-key"


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PICTOR_") and k not in ("SQS_QUEUE_URL", "KEY_PREFIX")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PICTOR_OPENAI_API_KEY"] = OPENAI_KEY
    return env


class FakeModel:
    """tests/peers/fake_model_server.py on a free port, every generation `delay_ms` slow."""

    def __init__(self, delay_ms):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(PEERS, "fake_model_server.py"),
             "--openai-key", OPENAI_KEY],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            text=True)
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            raise AssertionError("fake model server did not start: %r" % line)
        self.port = int(line[1])
        status, body = request(self.port, "POST", "/_control",
                               {"mode": "timeout", "delay_ms": delay_ms})
        if status != 200:
            raise AssertionError("fake model control: %s %s" % (status, body))

    @property
    def spec(self):
        return "openai:http://127.0.0.1:%d/v1" % self.port

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


class Pictor:
    """`pictor serve` or `pictor worker` in `directory`, on its SQLite queue and file store."""

    def __init__(self, directory, command, extra_args, name):
        self.directory = directory
        self.port_file = os.path.join(directory, name + ".port")
        self.err_path = os.path.join(directory, name + ".err")
        argv = [PICTOR, command,
                "--store", "file:" + os.path.join(directory, "images"),
                "--queue", "sqlite:" + os.path.join(directory, "queue.db")]
        if command == "serve":
            argv += ["--listen", "127.0.0.1:0", "--port-file", self.port_file]
        with open(self.err_path, "wb") as err, open(os.devnull, "wb") as out:
            self.process = subprocess.Popen(argv + extra_args, cwd=directory, stdout=out,
                                            stderr=err, stdin=subprocess.DEVNULL,
                                            env=clean_env())

    def wait_listening(self):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self.port
            if self.process.poll() is not None:
                raise AssertionError("exited %s: %s" % (self.process.returncode, self.log()))
            time.sleep(0.05)
        raise AssertionError("did not listen within %d s: %s" % (DEADLINE, self.log()))

    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


class EventStream:
    """One GET /jobs/{id}/events, read event by event."""

    def __init__(self, port, job_id, last_event_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", "/jobs/%s/events" % job_id, headers=headers)
        self.response = self.conn.getresponse()
        self.comments = []

    def next(self):
        """The next event as {"id", "event", "data"} (data parsed as JSON), or None once the
        stream has ended."""
        fields, data = {}, []
        while True:
            line = self.response.readline()
            if not line:
                return None
            line = line.decode().rstrip("\n").rstrip("\r")
            if line == "":
                if fields or data:
                    event = dict(fields)
                    event["data"] = json.loads("\n".join(data))
                    return event
                continue
            if line.startswith(":"):
                self.comments.append(line)
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            else:
                fields[name] = value

    def all(self):
        events = []
        while True:
            event = self.next()
            if event is None:
                return events
            events.append(event)

    def close(self):
        self.conn.close()


def submit(port, prompt):
    status, body = request(port, "POST", "/jobs", {"prompt": prompt, "width": 256,
                                                   "height": 256})
    if status != 202:
        raise AssertionError("POST /jobs: %s %s" % (status, body))
    return json.loads(body)["id"]


@unittest.skipUnless(PICTOR and PEERS, "PICTOR_BIN or PICTOR_PEERS is not set")
class JobEvents(unittest.TestCase):
    def run(self, result=None):
        # The folder outlives the test's cleanups so that a failure (a timeout included, whose
        # message names no process) can print what every Pictor process logged.
        result = result if result is not None else self.defaultTestResult()
        failed_before = len(result.failures) + len(result.errors)
        self.dir = tempfile.mkdtemp(prefix="pictor-sse-e2e-")
        try:
            return super().run(result)
        finally:
            if len(result.failures) + len(result.errors) > failed_before:
                for name in sorted(os.listdir(self.dir)):
                    if name.endswith(".err"):
                        with open(os.path.join(self.dir, name), errors="replace") as f:
                            sys.stderr.write("--- %s of %s\n%s\n" % (name, self.id(), f.read()))
            shutil.rmtree(self.dir, True)

    def setUp(self):
        self.model = FakeModel(delay_ms=1500)
        self.addCleanup(self.model.stop)

    def serve(self, *extra_args):
        serve = Pictor(self.dir, "serve", ["--model", self.model.spec] + list(extra_args),
                       "serve")
        self.addCleanup(serve.stop)
        serve.wait_listening()
        return serve

    def assertIncreasingIds(self, events):
        ids = [int(e["id"]) for e in events]
        self.assertEqual(ids, sorted(set(ids)), events)

    def test_job_is_followed_queued_running_succeeded_and_the_stream_ends(self):
        serve = self.serve("--workers", "1")
        submit(serve.port, "a lighthouse that keeps the only worker busy")
        job = submit(serve.port, "a harbour at dusk")  # waits behind the first
        stream = EventStream(serve.port, job)
        self.assertEqual(stream.response.status, 200)
        self.assertEqual(stream.response.getheader("Content-Type"), "text/event-stream")
        self.assertEqual(stream.response.getheader("Cache-Control"), "no-cache")
        self.assertIsNone(stream.response.getheader("Content-Length"))
        events = stream.all()
        self.assertEqual([e["event"] for e in events], ["queued", "running", "succeeded"],
                         serve.log())
        self.assertIncreasingIds(events)
        done = events[-1]["data"]
        self.assertEqual(done["id"], job)
        self.assertEqual(done["status"], "succeeded")
        self.assertTrue(done["key"].endswith(".png"), done)
        self.assertTrue(done["url"].startswith("http://127.0.0.1:%d/images/" % serve.port), done)
        self.assertEqual([e["data"]["status"] for e in events], ["queued", "running", "succeeded"])
        status, body = request(serve.port, "GET", "/jobs/" + job)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), done)  # the data is the job as GET /jobs/{id} shows it
        stream.close()

    def test_jobs_followed_one_after_another_on_one_connection_each_end(self):
        # A browser reuses the connection an ended stream leaves open for the next job's
        # stream. Quick jobs (the model answers at once) and no poll in time: every stream
        # must end with the job's final state, from what the worker tells the server.
        status, body = request(self.model.port, "POST", "/_control",
                               {"mode": "timeout", "delay_ms": 0})
        self.assertEqual(status, 200, body)
        serve = self.serve("--workers", "1", "--event-poll-ms", "60000")
        conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=DEADLINE)
        self.addCleanup(conn.close)
        for round_number in range(10):
            conn.request("POST", "/jobs", body=json.dumps({"prompt": "a quick sketch %d" %
                                                           round_number, "width": 256,
                                                           "height": 256}),
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            self.assertEqual(response.status, 202)
            job = json.loads(response.read())["id"]
            conn.request("GET", "/jobs/%s/events" % job, headers={"Accept": "text/event-stream"})
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            body = response.read().decode()  # the stream ends after the final state
            events = [line[len("event: "):] for line in body.splitlines()
                      if line.startswith("event: ")]
            self.assertTrue(events and events[-1] == "succeeded",
                            "round %d: %r\n%s" % (round_number, body, serve.log()))

    def test_reconnect_with_last_event_id_repeats_nothing(self):
        serve = self.serve("--workers", "1")
        submit(serve.port, "a lighthouse that keeps the only worker busy")
        job = submit(serve.port, "a harbour at dusk")
        first = EventStream(serve.port, job)
        queued = first.next()
        self.assertEqual(queued["event"], "queued")
        first.close()  # goes away while the job waits

        second = EventStream(serve.port, job, last_event_id=queued["id"])
        rest = second.all()
        self.assertEqual([e["event"] for e in rest], ["running", "succeeded"], serve.log())
        self.assertGreater(int(rest[0]["id"]), int(queued["id"]))
        second.close()

        # Over, and the client has its last event: nothing will ever follow.
        third = EventStream(serve.port, job, last_event_id=rest[-1]["id"])
        self.assertEqual(third.response.status, 204)
        third.close()
        # An older id gets the current state only.
        fourth = EventStream(serve.port, job, last_event_id=rest[0]["id"])
        self.assertEqual([e["event"] for e in fourth.all()], ["succeeded"])
        fourth.close()

    def test_quiet_stream_gets_keepalive_comments(self):
        serve = self.serve("--workers", "0", "--event-keepalive-ms", "200")
        job = submit(serve.port, "a job no worker takes")
        stream = EventStream(serve.port, job)
        self.assertEqual(stream.next()["event"], "queued")
        started = time.monotonic()
        stream.conn.sock.settimeout(5)
        while len(stream.comments) < 3:
            line = stream.response.readline().decode()
            if line.startswith(":"):
                stream.comments.append(line.strip())
        self.assertEqual(stream.comments[:3], [": keepalive"] * 3)
        self.assertLess(time.monotonic() - started, 5)
        stream.close()

    def test_unknown_job_is_404_json(self):
        serve = self.serve("--workers", "0")
        conn = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=DEADLINE)
        conn.request("GET", "/jobs/no-such-job/events", headers={"Accept": "text/event-stream"})
        response = conn.getresponse()
        self.assertEqual(response.status, 404)
        self.assertEqual(response.getheader("Content-Type"), "application/json")
        self.assertEqual(json.loads(response.read())["error"], "job_not_found")
        conn.close()
        self.assertEqual(request(serve.port, "GET", "/healthz")[0], 200)  # and serves on

    def test_job_run_by_a_separate_worker_is_followed_through_the_ledger(self):
        serve = self.serve("--workers", "0", "--event-poll-ms", "200")
        job = submit(serve.port, "a harbour at dusk")
        stream = EventStream(serve.port, job)
        self.assertEqual(stream.next()["event"], "queued")
        worker = Pictor(self.dir, "worker", ["--model", self.model.spec, "--concurrency", "1"],
                        "worker")
        self.addCleanup(worker.stop)
        rest = stream.all()
        self.assertEqual([e["event"] for e in rest], ["running", "succeeded"],
                         serve.log() + worker.log())
        self.assertTrue(rest[-1]["data"]["url"], rest)
        stream.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
