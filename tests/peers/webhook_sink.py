#!/usr/bin/env python3
"""A webhook receiver for the alarm tests, on 127.0.0.1 and a free port.

Usage: webhook_sink.py DIR SECRET [FAIL_FIRST]
Every POST is checked against X-Pictor-Signature (sha256=HMAC-SHA256(SECRET, body), hex) and
written to DIR/NNN.json as {"status": answered, "signature_ok": bool, "body": <parsed JSON>}.
A bad signature is answered 401; with FAIL_FIRST=1 the first POST is answered 500 (recorded with
"status": 500), every later good one 200. Prints "port N" once listening. Test peer only.
"""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading

out_dir, secret = sys.argv[1], sys.argv[2].encode()
fail_first = len(sys.argv) > 3 and sys.argv[3] == "1"
os.makedirs(out_dir, exist_ok=True)
lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(self.headers.get("X-Pictor-Signature", ""), want)
        with lock:
            count += 1
            n = count
        status = 401 if not ok else (500 if fail_first and n == 1 else 200)
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        record = {"status": status, "signature_ok": ok, "body": parsed,
                  "content_type": self.headers.get("Content-Type", "")}
        tmp = os.path.join(out_dir, "%03d.tmp" % n)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(out_dir, "%03d.json" % n))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("port %d" % server.server_address[1], flush=True)
server.serve_forever()
