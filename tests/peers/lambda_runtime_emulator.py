#!/usr/bin/python3
"""A local AWS Lambda Runtime API (2018-06-01) for tests and benchmarks.

Follows https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html: the runtime long-polls
GET /2018-06-01/runtime/invocation/next and gets the event with the headers
Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn
and Lambda-Runtime-Trace-Id; it answers with POST .../invocation/{id}/response or .../error
(202), or before its first /next with POST .../init/error (202). A result for an unknown or
already answered request id is 400, as is an init error posted after the first /next (403).

Run with /usr/bin/python3 (standard library only): binds 127.0.0.1 on a free port, prints
"port N" and serves. Tests drive it through a control API on the same port:

  POST /_emulator/invoke[?timeout_ms=T]   body = the event; queues it with a deadline T ms
      (default 30000) from now, waits for the runtime's answer and returns
      {"requestId", "kind": "response"|"error", "body", "errorType"} (504 if none in T + 30 s)
  GET  /_emulator/init-error[?wait_ms=W]  {"errorType", "body"} of the init error, 404 if none
  GET  /_emulator/stats                   {"nextCalls", "responses", "errors"}

Also importable: Emulator(port=0).start() serves on a thread; invoke(event, timeout_ms) waits
for the answer; first_result_at holds the time.monotonic() of the first result posted.
"""

import json
import queue
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:pictor"


class Emulator:
    def __init__(self, port=0):
        self.events = queue.Queue()  # (request_id, event bytes, deadline_ms)
        self.lock = threading.Lock()
        self.results = {}  # request id -> result dict, once answered
        self.waiting = {}  # request id -> threading.Event
        self.handed_out = set()
        self.init_error = None
        self.init_error_set = threading.Event()
        self.next_calls = 0
        self.first_result_at = None
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, fmt, *args):
                pass

            def do_GET(self):
                emulator.handle(self, "GET")

            def do_POST(self):
                emulator.handle(self, "POST")

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a runtime killed mid-request (benchmarks, teardown) is not an error here

        self.server = Server(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()

    def queue_event(self, event, timeout_ms=30000):
        request_id = str(uuid.uuid4())
        done = threading.Event()
        with self.lock:
            self.waiting[request_id] = done
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.events.put((request_id, body, int(time.time() * 1000) + timeout_ms))
        return request_id, done

    def invoke(self, event, timeout_ms=30000, wait_s=None):
        request_id, done = self.queue_event(event, timeout_ms)
        if not done.wait(wait_s if wait_s is not None else timeout_ms / 1000 + 30):
            return None
        with self.lock:
            return self.results[request_id]

    # -- HTTP --
    def reply(self, h, status, body=b"", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def read_body(self, h):
        n = int(h.headers.get("Content-Length") or 0)
        return h.rfile.read(n) if n else b""

    def handle(self, h, method):
        url = urllib.parse.urlsplit(h.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        body = self.read_body(h) if method == "POST" else b""
        if path == PREFIX + "/invocation/next" and method == "GET":
            return self.next(h)
        if path == PREFIX + "/init/error" and method == "POST":
            with self.lock:
                if self.next_calls > 0:
                    return self.reply(h, 403, {"errorType": "InvalidStateTransition",
                                               "errorMessage": "init error after /next"})
                self.init_error = {"errorType": h.headers.get(
                    "Lambda-Runtime-Function-Error-Type"), "body": body.decode("utf-8", "replace")}
            self.init_error_set.set()
            return self.reply(h, 202, {"status": "OK"})
        if path.startswith(PREFIX + "/invocation/") and method == "POST":
            parts = path[len(PREFIX + "/invocation/"):].split("/")
            if len(parts) == 2 and parts[1] in ("response", "error"):
                return self.result(h, parts[0], parts[1], body)
        if path == "/_emulator/invoke" and method == "POST":
            timeout_ms = int(params.get("timeout_ms", "30000"))
            result = self.invoke(body, timeout_ms)
            if result is None:
                return self.reply(h, 504, {"message": "the runtime did not answer"})
            return self.reply(h, 200, result)
        if path == "/_emulator/init-error" and method == "GET":
            self.init_error_set.wait(int(params.get("wait_ms", "0")) / 1000)
            with self.lock:
                if self.init_error is None:
                    return self.reply(h, 404, {"message": "no init error"})
                return self.reply(h, 200, self.init_error)
        if path == "/_emulator/stats" and method == "GET":
            with self.lock:
                kinds = [r["kind"] for r in self.results.values()]
                return self.reply(h, 200, {"nextCalls": self.next_calls,
                                           "responses": kinds.count("response"),
                                           "errors": kinds.count("error")})
        return self.reply(h, 404, {"message": "unknown route %s %s" % (method, path)})

    def next(self, h):
        with self.lock:
            self.next_calls += 1
        request_id, body, deadline_ms = self.events.get()
        with self.lock:
            self.handed_out.add(request_id)
        self.reply(h, 200, body, {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-%08x-%s;Parent=%s;Sampled=1" % (
                int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16]),
        })

    def result(self, h, request_id, kind, body):
        now = time.monotonic()
        with self.lock:
            if request_id not in self.handed_out or request_id in self.results:
                return self.reply(h, 400, {"errorType": "InvalidRequestID",
                                           "errorMessage": "unknown or answered request id"})
            if kind == "response" and len(body) > 6 * 1024 * 1024:
                return self.reply(h, 413, {"errorType": "RequestEntityTooLarge",
                                           "errorMessage": "response over 6 MB"})
            if self.first_result_at is None:
                self.first_result_at = now
            self.results[request_id] = {
                "requestId": request_id, "kind": kind, "body": body.decode("utf-8", "replace"),
                "errorType": h.headers.get("Lambda-Runtime-Function-Error-Type")}
            done = self.waiting.pop(request_id, None)
        self.reply(h, 202, {"status": "OK"})
        if done:
            done.set()


def main():
    emulator = Emulator().start()
    print("port %d" % emulator.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
