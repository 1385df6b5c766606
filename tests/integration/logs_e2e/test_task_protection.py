"""ECS task scale-in protection by `pictor worker`, against a fake ECS agent
(tests/peers/fake_ecs_agent.py) that checks and records each PUT to
${ECS_AGENT_URI}/task-protection/v1/state.

Covered: protection turned on (with ExpiresInMinutes) while a job runs, renewed during a job
longer than the renewal period, and removed once the worker is idle; a steady stream of quick
jobs making one call to protect and one to unprotect, not a call per job; the agent down, or
answering an error or a failure, leaving the worker processing jobs (the failure logged);
--task-protection-minutes 0 asking nothing.

Renewals and the idle grace are shortened through PICTOR_TASK_PROTECTION_RENEW_MS and
PICTOR_TASK_PROTECTION_IDLE_MS; the fake model server makes a job slow.

Needs: PICTOR_BIN, PICTOR_PEERS (the tests/peers folder).
"""

import json
import os
import shutil
import tempfile
import time
import unittest

from common import (DEADLINE, FakeModel, Peer, Pictor, closed_port, request, send, wait_for)


def images(directory):
    found = []
    for root, _, files in os.walk(os.path.join(directory, "images")):
        found += [os.path.join(root, f) for f in files if f.endswith(".png")]
    return found


class FakeAgent(Peer):
    def __init__(self):
        super().__init__("fake_ecs_agent.py")

    @property
    def uri(self):
        return "http://127.0.0.1:%d/api/0123456789abcdef-1234567890" % self.port

    def calls(self):
        return json.loads(request(self.port, "GET", "/_calls")[2])

    def set_mode(self, mode):
        request(self.port, "POST", "/_mode", {"mode": mode})


class TaskProtectionTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="pictor-protection-")
        self.processes = []

    def tearDown(self):
        for p in reversed(self.processes):
            p.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def start(self, p):
        self.processes.append(p)
        return p

    def worker(self, args, env):
        return self.start(Pictor(self.directory, "worker", ["--concurrency", "1"] + args,
                                 "worker", env=env))

    def test_protected_while_a_long_job_runs_renewed_and_released_when_idle(self):
        agent = self.start(FakeAgent())
        model = self.start(FakeModel(delay_ms=2500))
        worker = self.worker(["--model", model.spec, "--task-protection-minutes", "1"],
                             {"ECS_AGENT_URI": agent.uri, "PICTOR_TASK_PROTECTION_RENEW_MS": "400",
                              "PICTOR_TASK_PROTECTION_IDLE_MS": "300"})
        time.sleep(0.5)
        self.assertEqual(agent.calls(), [], "an idle worker asks for nothing")
        send(self.directory, "A magical salmon going to the moon in a rocket")
        wait_for("the job to reach the model", lambda: model.calls() >= 1)
        wait_for("protection on while the job runs", lambda: agent.calls())
        first = agent.calls()[0]
        self.assertEqual(first["body"], {"ProtectionEnabled": True, "ExpiresInMinutes": 1})
        self.assertEqual(first["answered"], 200)
        self.assertEqual(images(self.directory), [], "the job is still running")

        wait_for("the image", lambda: images(self.directory))
        wait_for("protection off after the job",
                 lambda: agent.calls()[-1]["body"] == {"ProtectionEnabled": False})
        calls = agent.calls()
        on = [c for c in calls if c["body"].get("ProtectionEnabled")]
        self.assertGreaterEqual(len(on), 3, "renewed during a 2.5 s job every 0.4 s: %r" % calls)
        self.assertTrue(all(c["body"] == {"ProtectionEnabled": True, "ExpiresInMinutes": 1}
                            for c in on), calls)
        self.assertEqual(calls[-1]["body"], {"ProtectionEnabled": False})
        self.assertEqual(len(calls), len(on) + 1, "one call to remove it: %r" % calls)
        self.assertTrue(all(c["answered"] == 200 for c in calls), calls)
        time.sleep(0.5)
        self.assertEqual(len(agent.calls()), len(calls), "nothing more while idle")
        self.assertEqual(worker.stop(), 0)
        self.assertIn("task scale-in protection on for 1 min", worker.log())
        self.assertIn("task scale-in protection off", worker.log())

    def test_a_steady_stream_of_quick_jobs_is_one_protection_not_one_per_job(self):
        agent = self.start(FakeAgent())
        self.worker([], {"ECS_AGENT_URI": agent.uri, "PICTOR_TASK_PROTECTION_IDLE_MS": "3000"})
        for i in range(5):
            send(self.directory, "a lighthouse, take %d" % i)
            wait_for("image %d" % (i + 1), lambda n=i + 1: len(images(self.directory)) >= n)
            time.sleep(0.2)  # idle a moment between jobs, as a real stream is
        wait_for("protection off once the stream stops",
                 lambda: agent.calls()[-1]["body"] == {"ProtectionEnabled": False})
        bodies = [c["body"] for c in agent.calls()]
        self.assertEqual(bodies, [{"ProtectionEnabled": True, "ExpiresInMinutes": 15},
                                  {"ProtectionEnabled": False}])

    def test_agent_down_the_worker_still_processes_jobs(self):
        worker = self.worker([], {"ECS_AGENT_URI": "http://127.0.0.1:%d/api/abc" % closed_port(),
                                  "PICTOR_TASK_PROTECTION_IDLE_MS": "200"})
        send(self.directory, "a fox in the snow")
        wait_for("the image", lambda: images(self.directory))
        wait_for("the failure logged",
                 lambda: "task scale-in protection: turning on failed" in worker.log())
        send(self.directory, "a second fox")
        wait_for("the second image", lambda: len(images(self.directory)) == 2)
        self.assertEqual(worker.stop(), 0)

    def test_agent_errors_and_failures_are_logged_and_jobs_go_on(self):
        # Each answer to a worker of its own: after a refused call the worker waits before it
        # asks again, and a quick job may be over by then (nothing left to protect).
        agent = self.start(FakeAgent())
        for n, (mode, logged) in enumerate([("error500", "ServerException"),
                                            ("failure", "TASK_NOT_VALID")], start=1):
            agent.set_mode(mode)
            worker = self.worker([], {"ECS_AGENT_URI": agent.uri,
                                      "PICTOR_TASK_PROTECTION_IDLE_MS": "200"})
            send(self.directory, "a heron, %s" % mode)
            wait_for("image %d" % n, lambda n=n: len(images(self.directory)) == n)
            wait_for("the %s answer logged" % mode, lambda: logged in worker.log())
            self.assertEqual(worker.stop(), 0)
        self.assertGreaterEqual(len(agent.calls()), 2)

    def test_zero_minutes_asks_nothing(self):
        agent = self.start(FakeAgent())
        worker = self.worker(["--task-protection-minutes", "0"], {"ECS_AGENT_URI": agent.uri})
        send(self.directory, "a quiet harbour")
        wait_for("the image", lambda: images(self.directory))
        time.sleep(0.3)
        self.assertEqual(worker.stop(), 0)
        self.assertEqual(agent.calls(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
