"""What the logs_e2e tests share: the pictor processes, the peers, small HTTP helpers.

Needs: PICTOR_BIN, PICTOR_PEERS (the tests/peers folder).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

PICTOR = os.environ.get("PICTOR_BIN", "")
PEERS = os.environ.get("PICTOR_PEERS", "")
DEADLINE = 30  # seconds any single wait may take before the test fails
OPENAI_KEY = "test-openai-key"


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PICTOR_") and not k.startswith("ECS_")
           and k not in ("SQS_QUEUE_URL", "KEY_PREFIX")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PICTOR_OPENAI_API_KEY"] = OPENAI_KEY
    env.update(extra or {})
    return env


def request(port, method, path, body=None, headers=None):
    """(status, headers as a dict with lower-case names, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, answer_headers, response.read().decode()
    finally:
        conn.close()


def wait_for(what, predicate, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def closed_port():
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """A tests/peers script on a free port (it prints "port N")."""

    def __init__(self, script, args=()):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(PEERS, script)] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            raise AssertionError("%s did not start: %r" % (script, line))
        self.port = int(line[1])

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


class FakeModel(Peer):
    """tests/peers/fake_model_server.py, every generation `delay_ms` slow."""

    def __init__(self, delay_ms):
        super().__init__("fake_model_server.py", ["--openai-key", OPENAI_KEY])
        status, _, body = request(self.port, "POST", "/_control",
                                  {"mode": "timeout", "delay_ms": delay_ms})
        if status != 200:
            raise AssertionError("fake model control: %s %s" % (status, body))

    @property
    def spec(self):
        return "openai:http://127.0.0.1:%d/v1" % self.port

    def calls(self):
        return json.loads(request(self.port, "GET", "/_calls")[2])["calls"]


class Pictor:
    """`pictor serve` or `pictor worker` in `directory`, on its SQLite queue and file store."""

    def __init__(self, directory, command, extra_args, name, env=None):
        self.directory = directory
        self.port_file = os.path.join(directory, name + ".port")
        self.err_path = os.path.join(directory, name + ".err")
        argv = [PICTOR, command,
                "--store", "file:" + os.path.join(directory, "images"),
                "--queue", "sqlite:" + os.path.join(directory, "queue.db")]
        if command == "serve":
            argv += ["--listen", "127.0.0.1:0", "--port-file", self.port_file]
        with open(self.err_path, "wb") as err, open(os.devnull, "wb") as out:
            self.process = subprocess.Popen(argv + list(extra_args), cwd=directory, stdout=out,
                                            stderr=err, stdin=subprocess.DEVNULL,
                                            env=clean_env(env))

    def wait_listening(self):
        def port():
            if self.process.poll() is not None:
                raise AssertionError("exited %s: %s" % (self.process.returncode, self.log()))
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    text = f.read().strip()
                return int(text) if text else None
            return None
        self.port = wait_for("the server to listen", port)
        return self.port

    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def log_bytes(self):
        with open(self.err_path, "rb") as f:
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


def send(directory, prompt):
    """`pictor send` on the directory's queue: the message id (the job's id)."""
    result = subprocess.run(
        [PICTOR, "send", "--queue", "sqlite:" + os.path.join(directory, "queue.db"), prompt],
        capture_output=True, text=True, timeout=DEADLINE, env=clean_env(), cwd=directory)
    if result.returncode != 0:
        raise AssertionError("pictor send failed: " + result.stderr)
    return result.stdout.strip().split()[-1]
