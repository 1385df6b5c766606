#!/usr/bin/python3
"""A local AWS STS for the credentials chain's tests: AssumeRole and AssumeRoleWithWebIdentity.

Run with /usr/bin/python3 and Debian's python3-botocore. Binds 127.0.0.1 on a free port, prints
"port N" and serves the query protocol (form-encoded POST to "/"), answering the XML shapes the
STS API reference documents.

  --region R            the region requests must be signed for (us-east-1)
  --identity ID:SECRET  long-term keys AssumeRole may be signed with (repeatable)

AssumeRole must be signed with SigV4 for service "sts": the signature is checked independently
of Pictor, by botocore's SigV4Auth recomputing it from the signed headers, with the secret of a
long-term identity or of credentials this peer issued (whose session token must then be sent
and signed too, which is how a chain of roles is checked). AssumeRoleWithWebIdentity must be
unsigned; a token starting with "invalid" is refused (InvalidIdentityToken), one starting with
"expired" too (ExpiredTokenException). Issued credentials are derived from the role, the session
name and the caller (key id or token), so another client asking for the same identity gets the
same AccessKeyId.

Control (not counted as calls):
  POST /_control {"mode": M, "times": N, "expiry_seconds": S}
      M is ok, throttle (400 Throttling), unavailable (503 ServiceUnavailable), access_denied
      (403 AccessDenied), malformed (200 without credentials) or echo_secret (403 AccessDenied
      whose message quotes the caller's web identity token, session token and signature, as a
      careless peer might). The next
      N calls (all when N is absent or negative) behave as M. S, when given, caps the lifetime
      of issued credentials (default: DurationSeconds or 3600). Clears the recorded calls.
  GET /_calls -> [{"action", "role_arn", "session_name", "external_id", "duration_seconds",
                   "caller", "token", "signed"}...] in order
"""

import argparse
import datetime
import hashlib
import json
import re
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from loopback_server import serve_on_loopback

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ACCOUNT = "123456789012"
ROLE_ARN = re.compile(r"^arn:aws:iam::[0-9]{12}:role/[\w+=,.@/-]{1,128}$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request, "
    r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


class Refused(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class State:
    """Keys, issued credentials, the control mode and the recorded calls; one lock guards all."""

    def __init__(self, region, identities):
        self.lock = threading.Lock()
        self.region = region
        self.keys = {k: (v, None) for k, v in identities}  # key id -> (secret, token or None)
        self.mode, self.times, self.expiry_cap = "ok", -1, None
        self.calls = []


def digest(*parts, length):
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length]


def error_xml(code, message):
    return (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
            f'<Message>{escape(message)}</Message></Error>'
            f'<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>')


def escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def verify_signature(handler, state, body):
    """The caller's key id when the SigV4 signature is right; raises Refused otherwise."""
    match = AUTHORIZATION.match(handler.headers.get("Authorization", ""))
    if not match:
        raise Refused(403, "IncompleteSignature", "Authorization header missing or malformed")
    key_id, day, region, service, signed, signature = match.groups()
    if service != "sts" or region != state.region:
        raise Refused(403, "SignatureDoesNotMatch",
                      f"Credential should be scoped to {state.region}/sts, not {region}/{service}")
    with state.lock:
        known = state.keys.get(key_id)
    if known is None:
        raise Refused(403, "InvalidClientTokenId", "The security token included is invalid.")
    secret, token = known
    amz_date = handler.headers.get("X-Amz-Date", "")
    if not amz_date.startswith(day):
        raise Refused(403, "SignatureDoesNotMatch", "X-Amz-Date does not match the scope date")
    sent = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    if abs((datetime.datetime.utcnow() - sent).total_seconds()) > 300:
        raise Refused(403, "SignatureDoesNotMatch", "Signature expired")
    names = signed.split(";")
    if token is not None:
        if handler.headers.get("X-Amz-Security-Token") != token or \
                "x-amz-security-token" not in names:
            raise Refused(403, "InvalidClientTokenId", "The session token is missing or wrong")
    headers = {}
    for name in names:
        value = handler.headers.get(name)
        if value is None:
            raise Refused(403, "SignatureDoesNotMatch", f"signed header {name} was not sent")
        headers[name] = value
    request = AWSRequest(method="POST", url=f"http://{headers.get('host', '')}/", data=body,
                         headers=headers)
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(key_id, secret, token), "sts", region)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if expected != signature:
        raise Refused(403, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you "
                      "provided.")
    return key_id


def single(form, name, required=True):
    values = form.get(name, [])
    if len(values) > 1:
        raise Refused(400, "ValidationError", f"{name} given twice")
    if not values:
        if required:
            raise Refused(400, "MissingParameter", f"{name} is required")
        return None
    return values[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/_calls":
            with self.server.state.lock:
                self.reply(200, json.dumps(self.server.state.calls), "application/json")
            return
        self.reply(404, error_xml("NotFound", "no such path"))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        state = self.server.state
        if self.path == "/_control":
            control = json.loads(body or "{}")
            with state.lock:
                state.mode = control.get("mode", "ok")
                state.times = control.get("times", -1)
                state.expiry_cap = control.get("expiry_seconds")
                state.calls = []
            self.reply(200, "{}", "application/json")
            return
        try:
            self.reply(200, self.answer(state, body))
        except Refused as refused:
            self.reply(refused.status, error_xml(refused.code, refused.message))

    def answer(self, state, body):
        if self.path != "/":
            raise Refused(404, "NotFound", f"no such path {self.path}")
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            raise Refused(400, "InvalidParameterValue", f"Content-Type {content_type!r}")
        form = urllib.parse.parse_qs(body, keep_blank_values=True, strict_parsing=bool(body))
        action = single(form, "Action")
        if single(form, "Version") != "2011-06-15":
            raise Refused(400, "InvalidParameterValue", "Version must be 2011-06-15")
        if action == "AssumeRole":
            caller = verify_signature(self, state, body)
            token = None
        elif action == "AssumeRoleWithWebIdentity":
            if "Authorization" in self.headers:
                raise Refused(400, "InvalidParameterValue",
                              "AssumeRoleWithWebIdentity must not be signed")
            token = single(form, "WebIdentityToken")
            caller = "web:" + digest(token, length=16)
        else:
            raise Refused(400, "InvalidAction", f"Could not find operation {action}")
        role_arn = single(form, "RoleArn")
        session = single(form, "RoleSessionName")
        external_id = single(form, "ExternalId", required=False)
        duration = single(form, "DurationSeconds", required=False)
        if not ROLE_ARN.match(role_arn):
            raise Refused(400, "ValidationError", f"RoleArn {role_arn!r} is not a role ARN")
        if not SESSION_NAME.match(session):
            raise Refused(400, "ValidationError", "RoleSessionName fails the pattern")
        if duration is not None and not (duration.isdigit() and 900 <= int(duration) <= 43200):
            raise Refused(400, "ValidationError", "DurationSeconds must be 900 to 43200")
        if external_id is not None and action != "AssumeRole":
            raise Refused(400, "ValidationError", "ExternalId is an AssumeRole parameter")
        with state.lock:
            state.calls.append({"action": action, "role_arn": role_arn, "session_name": session,
                                "external_id": external_id,
                                "duration_seconds": int(duration) if duration else None,
                                "caller": caller, "token": token,
                                "signed": "Authorization" in self.headers})
            mode = state.mode if state.times != 0 else "ok"
            if state.times > 0:
                state.times -= 1
            cap = state.expiry_cap
        if mode == "throttle":
            raise Refused(400, "Throttling", "Rate exceeded")
        if mode == "unavailable":
            raise Refused(503, "ServiceUnavailable", "Service unavailable")
        if mode == "access_denied":
            raise Refused(403, "AccessDenied", f"{caller} is not authorized to assume {role_arn}")
        if mode == "echo_secret":
            raise Refused(403, "AccessDenied",
                          f"refused token {token} session {self.headers.get('X-Amz-Security-Token')}"
                          f" authorization {self.headers.get('Authorization')}")
        if token is not None and token.startswith("invalid"):
            raise Refused(400, "InvalidIdentityToken", "Couldn't verify the token's signature")
        if token is not None and token.startswith("expired"):
            raise Refused(400, "ExpiredTokenException", "Token is expired")
        if mode == "malformed":
            return f'<{action}Response xmlns="{NS}"><{action}Result/></{action}Response>'
        lifetime = int(duration) if duration else 3600
        if cap is not None:
            lifetime = min(lifetime, int(cap))
        return self.issue(state, action, role_arn, session, caller, lifetime)

    def issue(self, state, action, role_arn, session, caller, lifetime):
        key_id = "ASIA" + digest(role_arn, session, caller, length=16).upper()
        secret = digest("secret", role_arn, session, caller, length=40)
        token = "FwoGZXIvYXdzE" + digest("token", role_arn, session, caller, length=48)
        with state.lock:
            state.keys[key_id] = (secret, token)
        expiration = (datetime.datetime.utcnow() + datetime.timedelta(seconds=lifetime))
        role_name = role_arn.rsplit("/", 1)[1]
        extra = ""
        if action == "AssumeRoleWithWebIdentity":
            extra = ("<SubjectFromWebIdentityToken>system:serviceaccount:pictor:pictor-worker"
                     "</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>"
                     "<Provider>arn:aws:iam::123456789012:oidc-provider/oidc.example</Provider>")
        return (f'<{action}Response xmlns="{NS}"><{action}Result>{extra}'
                f"<AssumedRoleUser><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/"
                f"{session}</Arn><AssumedRoleId>AROA{digest(role_arn, length=12).upper()}:"
                f"{session}</AssumedRoleId></AssumedRoleUser>"
                f"<Credentials><AccessKeyId>{key_id}</AccessKeyId>"
                f"<SecretAccessKey>{secret}</SecretAccessKey>"
                f"<SessionToken>{token}</SessionToken>"
                f"<Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
                f"</Credentials><PackedPolicySize>6</PackedPolicySize></{action}Result>"
                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                f"</{action}Response>")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--identity", action="append", default=[])
    args = parser.parse_args()
    identities = []
    for identity in args.identity:
        key_id, _, secret = identity.partition(":")
        identities.append((key_id, secret))
    return serve_on_loopback(Handler, state=State(args.region, identities))


if __name__ == "__main__":
    sys.exit(main())
