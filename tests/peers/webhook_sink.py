#!/usr/bin/env python3
"""A webhook receiver for the tests, on 127.0.0.1.

Usage: webhook_sink.py [--standard] [--port N] [--statuses 500,200] DIR SECRET [FAIL_FIRST]

Every POST is written to DIR/NNN.json as {"status": answered, "signature_ok": bool, "body":
<parsed JSON>, "content_type", "webhook_id", "webhook_timestamp", "path"}, numbering on from the
files already in DIR (so a receiver restarted on the same DIR and port continues the count).

Signatures are checked with Python's own hmac, independently of Pictor:
 - by default (the alarm's webhook), X-Pictor-Signature: sha256=<hex HMAC-SHA256(SECRET, body)>;
 - with --standard (job webhooks), Standard Webhooks: webhook-signature holds, among
   space-separated "v1,<base64>" entries, base64(HMAC-SHA256(key, id + "." + timestamp + "." +
   body)), where key is the base64 after "whsec_" in SECRET, or SECRET's bytes without it.
A bad signature is answered 401. Otherwise the n-th POST is answered the n-th of --statuses
(the last one repeating; default 200), or with FAIL_FIRST=1 500 for the first and 200 after.
--port binds that port (a restarted receiver takes its predecessor's). Prints "port N" once
listening. Test peer only.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading

args = sys.argv[1:]
standard = False
port = 0
statuses = None
while args and args[0].startswith("--"):
    flag = args.pop(0)
    if flag == "--standard":
        standard = True
    elif flag == "--port":
        port = int(args.pop(0))
    elif flag == "--statuses":
        statuses = [int(s) for s in args.pop(0).split(",")]
    else:
        sys.exit("unknown flag " + flag)
out_dir, secret_text = args[0], args[1]
fail_first = len(args) > 2 and args[2] == "1"
if statuses is None:
    statuses = [500, 200] if fail_first else [200]
os.makedirs(out_dir, exist_ok=True)
lock = threading.Lock()
count = len([f for f in os.listdir(out_dir) if f.endswith(".json")])

if secret_text.startswith("whsec_"):
    key = base64.b64decode(secret_text[len("whsec_"):])
else:
    key = secret_text.encode()


def standard_signature_ok(headers, body):
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit():
        return False
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in headers.get("webhook-signature", "").split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, want):
            return True
    return False


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if standard:
            ok = standard_signature_ok(self.headers, body)
        else:
            want = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(self.headers.get("X-Pictor-Signature", ""), want)
        with lock:
            count += 1
            n = count
        status = 401 if not ok else statuses[min(n, len(statuses)) - 1]
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        record = {"status": status, "signature_ok": ok, "body": parsed,
                  "content_type": self.headers.get("Content-Type", ""),
                  "webhook_id": self.headers.get("webhook-id", ""),
                  "webhook_timestamp": self.headers.get("webhook-timestamp", ""),
                  "path": self.path}
        tmp = os.path.join(out_dir, "%03d.tmp" % n)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(out_dir, "%03d.json" % n))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True


server = Server(("127.0.0.1", port), Handler)
print("port %d" % server.server_address[1], flush=True)
server.serve_forever()
