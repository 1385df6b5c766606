#!/usr/bin/python3
"""A scriptable fault-injecting HTTP proxy for tests: it stands between Pictor and a peer
(fauxqs for S3 and SQS, tests/peers/fake_model_server.py for Bedrock and OpenAI), forwards every
request unchanged (the Host header included, so SigV4 signatures stay valid), and breaks the
requests that a script names, in each service's own wire format.

Run with /usr/bin/python3 (standard library only):
  fault_proxy.py --upstream http://127.0.0.1:PORT
Binds 127.0.0.1 on a free port, prints "port N" and serves, one thread per connection.

Control (under /_fault/, never forwarded, never counted):
  POST /_fault/rules   a JSON list of rules, replacing the script and clearing the log:
      {"method": "PUT", "path": "regex", "target": "AmazonSQS.ReceiveMessage",
       "nth": 1, "count": 1, "fault": KIND, ...parameters}
      method/path/target select requests (path: a regular expression searched in the path and
      query; target: a substring of X-Amz-Target; each optional). Among the requests a rule
      selects, the nth (1-based, default 1) and the count-1 after it (default 1; -1 = all) get
      the fault. The first rule that fires wins; the others still count the request.
  GET  /_fault/log     every request since the last script: [{"method", "path", "target",
                       "fault", "at"}] (fault null when forwarded untouched; at in seconds)
Faults:
  error       {"protocol": "s3"|"sqs"|"bedrock"|"openai", "status": 503, "code": "SlowDown",
               "message": "..."} answered without calling the peer: S3 an XML <Error>; SQS the
               JSON protocol's {"__type", "message"} with x-amzn-query-error; Bedrock
               {"message"} with x-amzn-ErrorType; OpenAI {"error": {...}}
  skew        {"protocol": ...} the clock-skew refusal of that service (S3 403
               RequestTimeTooSkewed, SQS 400 SignatureDoesNotMatch "Signature expired", Bedrock
               403 InvalidSignatureException "Signature expired"), with a Date 20 minutes ahead
  reset       forwards, sends the reply up to half its body (half its head when it has no
              body), then resets the connection (RST)
  stall       {"seconds": 30} reads the request and answers nothing for that long, then closes
  truncate    forwards, and sends the first half of the body as if it were all of it
  malformed   {"body": "..."} forwards, and replaces a 2xx body with the given bytes
  length      {"delta": N} forwards, with Content-Length off by N (+N: the connection then
              closes short of it; -N: N bytes too many follow the declared body)
"""

import argparse
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

from loopback_server import serve_on_loopback

KINDS = {"error", "skew", "reset", "stall", "truncate", "malformed", "length"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


class Script:
    """The rules and the log. One lock guards both."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []
        self.log = []
        self.started = time.monotonic()

    def load(self, rules):
        for rule in rules:
            if not isinstance(rule, dict) or rule.get("fault") not in KINDS:
                raise ValueError(f"every rule needs a fault among {sorted(KINDS)}")
            if "path" in rule:
                re.compile(rule["path"])
        with self.lock:
            self.rules = [dict(rule, seen=0) for rule in rules]
            self.log = []
            self.started = time.monotonic()

    def choose(self, method, path, target):
        """Counts the request against every rule; returns the rule that fires, or None."""
        with self.lock:
            fired = None
            for rule in self.rules:
                if rule.get("method") and rule["method"] != method:
                    continue
                if rule.get("path") and not re.search(rule["path"], path):
                    continue
                if rule.get("target") and rule["target"] not in target:
                    continue
                rule["seen"] += 1
                first = int(rule.get("nth", 1))
                count = int(rule.get("count", 1))
                hit = rule["seen"] >= first and (count < 0 or rule["seen"] < first + count)
                if hit and fired is None:
                    fired = rule
            self.log.append({"method": method, "path": path, "target": target,
                             "fault": fired["fault"] if fired else None,
                             "at": round(time.monotonic() - self.started, 4)})
            return fired


def error_reply(protocol, status, code, message):
    """(status, headers, body) of a service error in the protocol's wire format."""
    request_id = "fault-proxy-request"
    if protocol == "s3":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{message}</Message><RequestId>{request_id}</RequestId></Error>")
        return status, [("Content-Type", "application/xml"),
                        ("x-amz-request-id", request_id)], body.encode()
    if protocol == "sqs":
        body = json.dumps({"__type": f"com.amazonaws.sqs#{code}", "message": message})
        fault = "Sender" if status < 500 else "Receiver"
        return status, [("Content-Type", "application/x-amz-json-1.0"),
                        ("x-amzn-query-error", f"{code};{fault}"),
                        ("x-amzn-RequestId", request_id)], body.encode()
    if protocol == "bedrock":
        return status, [("Content-Type", "application/json"),
                        ("x-amzn-ErrorType", f"{code}:http://internal.amazon.com/coral/"),
                        ("x-amzn-RequestId", request_id)], json.dumps({"message": message}).encode()
    if protocol == "openai":
        body = {"error": {"message": message, "type": "requests", "code": code}}
        return status, [("Content-Type", "application/json")], json.dumps(body).encode()
    raise ValueError(f"unknown protocol {protocol!r}")


def skew_reply(protocol):
    ahead = formatdate(time.time() + 1200, usegmt=True)
    if protocol == "s3":
        status, headers, body = error_reply(
            "s3", 403, "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.")
    elif protocol == "sqs":
        status, headers, body = error_reply(
            "sqs", 400, "SignatureDoesNotMatch",
            "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z.")
    else:
        status, headers, body = error_reply(
            protocol, 403, "InvalidSignatureException",
            "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z.")
    return status, [h for h in headers if h[0] != "Date"] + [("Date", ahead)], body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FaultProxy/1.0"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status, headers, body, declared=None, send=None):
        """Writes a reply; `declared` overrides Content-Length, `send` the bytes sent."""
        try:
            # The peer's own Date and Server pass through; the proxy adds them only to its own.
            self.send_response_only(status)
            names = {name.lower() for name, _ in headers}
            if "date" not in names:
                self.send_header("Date", self.date_time_string())
            if "server" not in names:
                self.send_header("Server", self.version_string())
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body) if declared is None else declared))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body if send is None else send)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def handle_any(self):
        body = self.read_body()
        if self.path.startswith("/_fault/"):
            return self.control(body)
        target = self.headers.get("X-Amz-Target") or ""
        rule = self.server.script.choose(self.command, self.path, target)
        kind = rule["fault"] if rule else None
        if kind == "error":
            return self.reply(*error_reply(rule.get("protocol", "s3"), int(rule.get("status", 503)),
                                           rule.get("code", "ServiceUnavailable"),
                                           rule.get("message", "injected fault")))
        if kind == "skew":
            return self.reply(*skew_reply(rule.get("protocol", "s3")))
        if kind == "stall":
            time.sleep(float(rule.get("seconds", 30)))
            self.close_connection = True
            return None
        status, headers, data = self.forward(body)
        if kind == "reset":
            head = [f"HTTP/1.1 {status} {http.client.responses.get(status, 'Status')}"]
            head += [f"{name}: {value}" for name, value in headers]
            head += [f"Content-Length: {len(data)}", "", ""]
            raw = "\r\n".join(head).encode() + data
            # The reply stops half-way through its body, or through its head when it has none.
            cut = len(raw) - len(data) // 2 if data else len(raw) // 2
            self.wfile.write(raw[:cut])
            self.wfile.flush()
            # SO_LINGER with a zero timeout turns close() into a reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        if kind == "truncate":
            data = data[: len(data) // 2]
        if kind == "malformed" and 200 <= status < 300:
            data = rule.get("body", "{\"truncated\": ").encode()
        if kind == "length":
            delta = int(rule.get("delta", 10))
            self.close_connection = True
            if delta > 0:
                return self.reply(status, headers, data, declared=len(data) + delta)
            return self.reply(status, headers, data, declared=max(0, len(data) + delta))
        return self.reply(status, headers, data)

    def forward(self, body):
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_BY_HOP and k.lower() != "expect"}
            headers["Content-Length"] = str(len(body))
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
            return answer.status, kept, data
        except OSError as error:
            return error_reply("s3", 502, "BadGateway", f"fault proxy: upstream failed: {error}")
        finally:
            connection.close()

    def control(self, body):
        script = self.server.script
        if self.command == "POST" and self.path == "/_fault/rules":
            try:
                rules = json.loads(body or b"[]")
                if not isinstance(rules, list):
                    raise ValueError("the script must be a JSON list of rules")
                script.load(rules)
            except (ValueError, re.error) as error:
                return self.reply(400, [("Content-Type", "application/json")],
                                  json.dumps({"message": str(error)}).encode())
            return self.reply(200, [("Content-Type", "application/json")], b'{"rules": "loaded"}')
        if self.command == "GET" and self.path == "/_fault/log":
            with script.lock:
                data = json.dumps(script.log).encode()
            return self.reply(200, [("Content-Type", "application/json")], data)
        return self.reply(404, [("Content-Type", "application/json")],
                          json.dumps({"message": f"no control route {self.path}"}).encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of the peer")
    options = parser.parse_args()
    upstream = urllib.parse.urlsplit(options.upstream)
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost"):
        parser.error("the upstream must be an http:// loopback URL")
    return serve_on_loopback(Handler, upstream=upstream, script=Script())


if __name__ == "__main__":
    sys.exit(main())
