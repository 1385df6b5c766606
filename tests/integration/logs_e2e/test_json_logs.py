"""`pictor serve` and `pictor worker` with --log-format json, end to end: a job submitted over
HTTP, run by a separate worker on the same SQLite queue and ledger, and every line either
process writes to stderr read by Python's json module.

Covered: every line one JSON object with time (RFC 3339, UTC, milliseconds), level and message;
the access line of each request and every line logged while answering it carrying its
requestId; the client's X-Request-Id kept and echoed, one Pictor does not accept (a space, too
long) replaced by a UUID of its own, and a request without one given one; every line naming the
job carrying its jobId, and the worker's carrying the queue's messageId too; text (the default)
carrying the same ids after the message; an unknown --log-format refused as a usage error.

Needs: PICTOR_BIN, PICTOR_PEERS (the tests/peers folder).
"""

import json
import re
import shutil
import subprocess
import tempfile
import unittest

from common import DEADLINE, PICTOR, Pictor, clean_env, request, wait_for

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LEVELS = {"trace", "debug", "info", "warning", "error", "critical"}


def json_lines(process):
    """Every stderr line of `process`, each parsed on its own; a line that is not one JSON object
    with the three fields fails the test."""
    raw = process.log_bytes()
    assert raw.endswith(b"\n"), "the log ends in a whole line"
    lines = []
    for n, line in enumerate(raw.split(b"\n")[:-1], start=1):
        try:
            value = json.loads(line)
        except ValueError as e:
            raise AssertionError("line %d is not JSON (%s): %r" % (n, e, line))
        assert isinstance(value, dict), "line %d: %r" % (n, line)
        assert TIME.match(value.get("time", "")), "line %d time: %r" % (n, line)
        assert value.get("level") in LEVELS, "line %d level: %r" % (n, line)
        assert isinstance(value.get("message"), str), "line %d message: %r" % (n, line)
        lines.append(value)
    return lines


class JsonLogsTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="pictor-logs-")
        self.processes = []

    def tearDown(self):
        for p in reversed(self.processes):
            p.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def start(self, command, args, name):
        p = Pictor(self.directory, command, args, name)
        self.processes.append(p)
        return p

    def submit(self, port, prompt, request_id=None):
        headers = {"X-Request-Id": request_id} if request_id is not None else {}
        status, answer_headers, body = request(port, "POST", "/jobs", {"prompt": prompt}, headers)
        self.assertEqual(status, 202, body)
        return json.loads(body)["id"], answer_headers["x-request-id"]

    def wait_succeeded(self, port, job_id):
        def done():
            status, _, body = request(port, "GET", "/jobs/" + job_id)
            self.assertEqual(status, 200, body)
            state = json.loads(body)["status"]
            self.assertNotIn(state, ("failed", "cancelled"), body)
            return state == "succeeded"
        wait_for("job %s to succeed" % job_id, done)

    def test_every_line_is_json_and_names_its_request_and_job(self):
        serve = self.start("serve", ["--workers", "0", "--log-format", "json",
                                     "--log-level", "debug"], "serve")
        worker = self.start("worker", ["--log-format", "json", "--log-level", "debug"], "worker")
        port = serve.wait_listening()

        given_id, echoed = self.submit(port, "A magical salmon going to the moon",
                                       request_id="client-req:42_a.b")
        self.assertEqual(echoed, "client-req:42_a.b")
        spaced_id, replaced = self.submit(port, "a heron in the reeds", request_id="bad id")
        self.assertRegex(replaced, UUID)
        long_id, replaced_long = self.submit(port, "a fox", request_id="x" * 129)
        self.assertRegex(replaced_long, UUID)
        self.assertEqual(self.submit(port, "a fox", request_id="y" * 128)[1], "y" * 128)
        unnamed_id, issued = self.submit(port, "a lighthouse at dusk")
        self.assertRegex(issued, UUID)
        for job_id in (given_id, spaced_id, long_id, unnamed_id):
            self.wait_succeeded(port, job_id)
        status, headers, _ = request(port, "GET", "/healthz")
        self.assertEqual(status, 200)
        probe_id = headers["x-request-id"]
        status, headers, _ = request(port, "GET", "/no/such/route",
                                     headers={"X-Request-Id": "missing-1"})
        self.assertEqual((status, headers["x-request-id"]), (404, "missing-1"))

        self.assertEqual(worker.stop(), 0)
        self.assertEqual(serve.stop(), 0)
        serve_lines, worker_lines = json_lines(serve), json_lines(worker)

        # Requests: an access line each, with the id the client was answered with, and every
        # line naming a job in a request's answer carries that request's id.
        access = [line for line in serve_lines if line["message"].startswith("http ")]
        by_request = {line.get("requestId"): line for line in access}
        self.assertTrue(all("requestId" in line for line in access), access)
        for rid, route in ((echoed, "POST /jobs 202"), (replaced, "POST /jobs 202"),
                           (issued, "POST /jobs 202"), (probe_id, "GET /healthz 200"),
                           ("missing-1", "GET unmatched 404")):
            self.assertIn(rid, by_request, "no access line for %s: %r" % (rid, access))
            self.assertIn(route, by_request[rid]["message"])
        self.assertEqual(by_request[probe_id]["level"], "debug", "probes log at debug")
        self.assertFalse(any("bad id" in json.dumps(line) for line in serve_lines))

        # Jobs: every line that names a job carries its id, in both processes.
        for job_id, rid in ((given_id, echoed), (spaced_id, replaced), (unnamed_id, issued)):
            queued = [line for line in serve_lines if job_id in line["message"]]
            self.assertTrue(queued, "serve logged nothing of job " + job_id)
            for line in queued:
                self.assertEqual(line.get("jobId"), job_id, line)
                self.assertEqual(line.get("requestId"), rid, line)
            ran = [line for line in worker_lines if job_id in line["message"]]
            self.assertTrue(any("stored" in line["message"] for line in ran), ran)
            for line in ran:
                self.assertEqual(line.get("jobId"), job_id, line)
                self.assertTrue(line.get("messageId"), line)
        # And no line carries a job id it does not name, nor a request id outside a request.
        for line in worker_lines:
            if "jobId" in line:
                self.assertIn(line["jobId"], line["message"] + json.dumps(line), line)
            self.assertNotIn("requestId", line)

    def test_text_lines_carry_the_same_ids(self):
        serve = self.start("serve", ["--workers", "1"], "serve")
        port = serve.wait_listening()
        job_id, rid = self.submit(port, "a windmill", request_id="text-req-1")
        self.wait_succeeded(port, job_id)
        self.assertEqual(serve.stop(), 0)
        log = serve.log()
        self.assertRegex(log, r"(?m)^\S+ info http POST /jobs 202 .* requestId=text-req-1$")
        self.assertRegex(log, r"(?m)^\S+ info job %s stored .* jobId=%s messageId=\S+$"
                         % (job_id, job_id))
        self.assertFalse(log.lstrip().startswith("{"))

    def test_unknown_format_is_a_usage_error(self):
        for argv, env in (([PICTOR, "worker", "--log-format", "xml"], {}),
                          ([PICTOR, "serve", "--listen", "127.0.0.1:0"],
                           {"PICTOR_LOG_FORMAT": "yaml"})):
            result = subprocess.run(argv, capture_output=True, text=True, timeout=DEADLINE,
                                    env=clean_env(env), cwd=self.directory)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn("json", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
