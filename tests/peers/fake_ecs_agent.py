#!/usr/bin/python3
"""A fake ECS container agent for tests: the task scale-in protection endpoint only.

Run with /usr/bin/python3 (standard library only). Binds 127.0.0.1 on a free port, prints
"port N" and serves; the worker under test gets ECS_AGENT_URI=http://127.0.0.1:N/api/<any id>.

  PUT /api/<id>/task-protection/v1/state  {"ProtectionEnabled": bool, "ExpiresInMinutes"?: int}
      Checked as the agent checks it: a JSON object with no other field, ProtectionEnabled
      present, ExpiresInMinutes (when present) a whole number from 1 to 2880; a bad request is
      a 400 {"error": {"Code": "InvalidParameterException", ...}}. A good one is recorded and
      answered as the agent answers after ECS UpdateTaskProtection succeeds:
      200 {"protection": {"ExpirationDate": ..., "ProtectionEnabled": ..., "TaskArn": ...}}.

Control:
  POST /_mode {"mode": M}  M is ok (default), error500 (500 {"error": {...}}) or failure
                           (200 {"failure": {...}}, what ECS returns for a task it refuses)
  GET /_calls -> [{"t": seconds since start, "body": the request's JSON, "answered": status}, ...]
"""

import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from loopback_server import serve_on_loopback

PATH = re.compile(r"^/api/[A-Za-z0-9-]+/task-protection/v1/state$")
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/pictor-cluster/0123456789abcdef"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length)

    def do_GET(self):
        if self.path == "/_calls":
            with self.server.lock:
                return self.answer(200, list(self.server.calls))
        self.answer(404, {"error": {"Code": "ResourceNotFoundException", "Message": "no route"}})

    def do_POST(self):
        if self.path == "/_mode":
            self.server.mode = json.loads(self.read_body())["mode"]
            return self.answer(200, {"mode": self.server.mode})
        self.answer(404, {"error": {"Code": "ResourceNotFoundException", "Message": "no route"}})

    def do_PUT(self):
        raw = self.read_body()
        if not PATH.match(self.path):
            return self.answer(404, {"error": {"Code": "ResourceNotFoundException",
                                               "Message": "Failed to find a task for the request"}})
        try:
            body = json.loads(raw)
            problem = self.check(body)
        except ValueError:
            body, problem = raw.decode(errors="replace"), "body is not JSON"
        if self.headers.get("Content-Type") != "application/json":
            problem = problem or "Content-Type is not application/json"
        status, answer = self.outcome(body, problem)
        with self.server.lock:
            self.server.calls.append({"t": time.monotonic() - self.server.started, "body": body,
                                      "answered": status})
        self.answer(status, answer)

    @staticmethod
    def check(body):
        if not isinstance(body, dict):
            return "UpdateTaskProtection: failed to decode request"
        unknown = set(body) - {"ProtectionEnabled", "ExpiresInMinutes"}
        if unknown:
            return "UpdateTaskProtection: failed to decode request (unknown %s)" % sorted(unknown)
        if not isinstance(body.get("ProtectionEnabled"), bool):
            return "Invalid request: does not contain 'ProtectionEnabled' field"
        minutes = body.get("ExpiresInMinutes")
        if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                    or not 1 <= minutes <= 2880):
            return "ExpiresInMinutes must be an integer from 1 to 2880"
        return None

    def outcome(self, body, problem):
        if problem:
            return 400, {"error": {"Arn": TASK_ARN, "Code": "InvalidParameterException",
                                   "Message": problem}}
        if self.server.mode == "error500":
            return 500, {"error": {"Arn": TASK_ARN, "Code": "ServerException",
                                   "Message": "Unexpected error occurred"}, "requestID": "r-1"}
        if self.server.mode == "failure":
            return 200, {"failure": {"Arn": TASK_ARN, "Reason": "TASK_NOT_VALID",
                                     "Detail": "the task does not belong to a service"}}
        enabled = body["ProtectionEnabled"]
        protection = {"ProtectionEnabled": enabled, "TaskArn": TASK_ARN}
        if enabled:
            protection["ExpirationDate"] = time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60 * body.get("ExpiresInMinutes", 120)))
        return 200, {"protection": protection}


def main():
    return serve_on_loopback(Handler, calls=[], lock=threading.Lock(), mode="ok",
                             started=time.monotonic())


if __name__ == "__main__":
    sys.exit(main())
