#!/usr/bin/python3
"""A fake remote image model for tests: Bedrock InvokeModel and OpenAI images/generations.

Run with /usr/bin/python3 (standard library only). Binds 127.0.0.1 on a free port, prints
"port N" and serves, one thread per connection.

  --region R             the region Bedrock requests must be signed for (us-east-1)
  --access-key-id ID     the access key id they must be signed with (test)
  --secret-access-key S  when given, the SigV4 signature itself is verified too
  --openai-key K         the bearer key OpenAI requests must carry (test-openai-key)

Every request shape is checked strictly; any deviation is a 400 ValidationException (Bedrock)
or invalid_request_error (OpenAI) whose message names it. Answers are real PNGs of the size
asked (Stability: the size the model makes for the aspect ratio).

Control (not counted as model calls):
  POST /_control {"mode": M, "times": N, "delay_ms": D}
      M is one of ok, throttle, fail500, unavailable, model_timeout, access_denied, validation,
      timeout, malformed_json, not_png, wrong_size, content_filter. The next N model calls (all of them
      when N is absent or negative) behave as M, later ones as ok. "timeout" waits D ms
      (default 3000) before answering normally. Resets the call counter.
  POST /_quota {"rate": R, "burst": B}
      Enforces a quota like a service's: a token bucket of B tokens (default 1) filling at R per
      second (0 = no quota, the default), full at the start. A model call finding it empty is
      throttled (Bedrock 429 ThrottlingException, OpenAI 429 rate_limit_exceeded) before its
      mode applies. Resets the call counter and the throttled count.
  GET /_calls  -> {"calls": model calls since the last /_control or /_quota,
                   "throttled": how many of them the quota refused}
  GET /_last   -> the last model call's body (JSON), or null
"""

import argparse
import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler

from loopback_server import serve_on_loopback

TITAN_SIZES = {
    (1024, 1024), (768, 768), (512, 512), (768, 1152), (384, 576), (1152, 768), (576, 384),
    (768, 1280), (384, 640), (1280, 768), (640, 384), (896, 1152), (448, 576), (1152, 896),
    (576, 448), (768, 1408), (384, 704), (1408, 768), (704, 384), (640, 1408), (320, 704),
    (1408, 640), (704, 320), (1152, 640), (1173, 640),
}
STABILITY_RATIOS = {
    "1:1": (1024, 1024), "16:9": (1344, 768), "21:9": (1536, 640), "2:3": (832, 1216),
    "3:2": (1216, 832), "4:5": (896, 1088), "5:4": (1088, 896), "9:16": (768, 1344),
    "9:21": (640, 1536),
}
NOVA_STYLES = {
    "3D_ANIMATED_FAMILY_FILM", "DESIGN_SKETCH", "FLAT_VECTOR_ILLUSTRATION",
    "GRAPHIC_NOVEL_ILLUSTRATION", "MAXIMALISM", "MIDCENTURY_RETRO", "PHOTOREALISM",
    "SOFT_DIGITAL_PAINTING",
}
MODES = {
    "ok", "throttle", "fail500", "unavailable", "model_timeout", "access_denied", "timeout",
    "malformed_json", "not_png", "wrong_size", "content_filter", "validation",
}
FILTER_MESSAGE = "This request has been blocked by our content filters."


class Invalid(Exception):
    """A request that deviates from the API; the message names the deviation."""


def png(width, height):
    """A real RGB PNG: red grows left to right, green top to bottom."""
    ramp = bytearray(width * 3)
    for x in range(width):
        ramp[3 * x] = x * 255 // max(1, width - 1)
        ramp[3 * x + 2] = 128
    rows = bytearray()
    for y in range(height):
        ramp[1::3] = bytes([y * 255 // max(1, height - 1)]) * width
        rows += b"\x00" + ramp

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(bytes(rows), 1)) + chunk(b"IEND", b""))


def require(condition, message):
    if not condition:
        raise Invalid(message)


def require_keys(obj, where, required, optional=()):
    require(isinstance(obj, dict), f"{where} must be an object")
    missing = [k for k in required if k not in obj]
    require(not missing, f"{where} is missing {', '.join(missing)}")
    extra = sorted(set(obj) - set(required) - set(optional))
    require(not extra, f"{where} has unexpected keys {', '.join(extra)}")


def require_int(value, where, low, high):
    require(isinstance(value, int) and not isinstance(value, bool), f"{where} must be an integer")
    require(low <= value <= high, f"{where} must be between {low} and {high}, got {value}")


def require_text(value, where, high):
    require(isinstance(value, str), f"{where} must be a string")
    require(1 <= len(value) <= high, f"{where} must be 1 to {high} characters, got {len(value)}")


def check_text_image(body, max_prompt, max_seed, check_size, styles):
    """Titan and Nova Canvas TEXT_IMAGE bodies. Returns (width, height, seed)."""
    require_keys(body, "body", ["taskType", "textToImageParams", "imageGenerationConfig"])
    require(body["taskType"] == "TEXT_IMAGE", "taskType must be TEXT_IMAGE")
    params = body["textToImageParams"]
    require_keys(params, "textToImageParams", ["text"],
                 ["negativeText"] + (["style"] if styles else []))
    require_text(params["text"], "textToImageParams.text", max_prompt)
    if "negativeText" in params:
        require_text(params["negativeText"], "textToImageParams.negativeText", max_prompt)
    if "style" in params:
        require(params["style"] in styles, f"textToImageParams.style {params['style']!r} unknown")
    config = body["imageGenerationConfig"]
    require_keys(config, "imageGenerationConfig",
                 ["numberOfImages", "quality", "cfgScale", "height", "width", "seed"])
    require(config["numberOfImages"] == 1, "imageGenerationConfig.numberOfImages must be 1")
    require(config["quality"] == "standard", "imageGenerationConfig.quality must be standard")
    require(isinstance(config["cfgScale"], (int, float)) and config["cfgScale"] == 8.0,
            "imageGenerationConfig.cfgScale must be 8.0")
    require_int(config["width"], "imageGenerationConfig.width", 1, 4096)
    require_int(config["height"], "imageGenerationConfig.height", 1, 4096)
    require_int(config["seed"], "imageGenerationConfig.seed", 0, max_seed)
    check_size(config["width"], config["height"])
    return config["width"], config["height"], config["seed"]


def titan_size(width, height):
    require((width, height) in TITAN_SIZES, f"size {width}x{height} is not a Titan size")


def nova_size(width, height):
    for side, name in ((width, "width"), (height, "height")):
        require(320 <= side <= 4096 and side % 16 == 0,
                f"{name} {side} must be 320 to 4096 and divisible by 16")
    require(width * height <= 4194304, f"{width}x{height} is more than 4194304 pixels")


def check_titan(body):
    return check_text_image(body, 512, 2147483646, titan_size, None)


def check_nova(body):
    return check_text_image(body, 1024, 858993459, nova_size, NOVA_STYLES)


def check_stability(body):
    require_keys(body, "body", ["prompt", "aspect_ratio", "seed", "output_format"],
                 ["negative_prompt"])
    require_text(body["prompt"], "prompt", 10000)
    if "negative_prompt" in body:
        require_text(body["negative_prompt"], "negative_prompt", 10000)
    require(body["aspect_ratio"] in STABILITY_RATIOS,
            f"aspect_ratio {body['aspect_ratio']!r} is not supported")
    require_int(body["seed"], "seed", 0, 4294967294)
    require(body["output_format"] == "png", "output_format must be png")
    width, height = STABILITY_RATIOS[body["aspect_ratio"]]
    return width, height, body["seed"]


# model id prefix -> (checker, answer shape)
BEDROCK_MODELS = [
    ("amazon.titan-image-generator-v1", check_titan, "titan"),
    ("amazon.titan-image-generator-v2:", check_titan, "titan"),
    ("amazon.nova-canvas-v1:", check_nova, "titan"),
    ("stability.sd3-5-large-v1:", check_stability, "stability"),
    ("stability.stable-image-core-v1:", check_stability, "stability"),
    ("stability.stable-image-ultra-v1:", check_stability, "stability"),
]

OPENAI_SIZE = re.compile(r"^([1-9][0-9]{1,3})x([1-9][0-9]{1,3})$")


class State:
    """What /_control set and what the model calls did. One lock guards every field."""

    def __init__(self):
        self.lock = threading.Lock()
        self.mode = "ok"
        self.times = -1
        self.delay_ms = 3000
        self.calls = 0
        self.last = None
        self.quota_rate = 0.0
        self.quota_burst = 1.0
        self.quota_tokens = 0.0
        self.quota_time = 0.0
        self.throttled = 0

    def set_quota(self, rate, burst):
        with self.lock:
            self.quota_rate = rate
            self.quota_burst = burst
            self.quota_tokens = burst
            self.quota_time = time.monotonic()
            self.calls = 0
            self.throttled = 0

    def over_quota(self):
        """Takes a token from the quota; True when there was none. Call with the lock held."""
        if self.quota_rate <= 0:
            return False
        now = time.monotonic()
        self.quota_tokens = min(self.quota_burst,
                                self.quota_tokens + (now - self.quota_time) * self.quota_rate)
        self.quota_time = now
        if self.quota_tokens >= 1:
            self.quota_tokens -= 1
            return False
        self.throttled += 1
        return True

    def next_call(self, body):
        """Counts one model call and returns the mode it gets, and the delay."""
        with self.lock:
            self.calls += 1
            self.last = body
            if self.over_quota():
                return "throttle", self.delay_ms
            mode = self.mode
            if self.times == 0:
                mode = "ok"
            elif self.times > 0:
                self.times -= 1
            return mode, self.delay_ms


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeModel/1.0"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    # ---- plumbing ----

    def send(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to tell it

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        state = self.server.state
        if self.path == "/_calls":
            with state.lock:
                return self.send(200, {"calls": state.calls, "throttled": state.throttled})
        if self.path == "/_last":
            with state.lock:
                return self.send(200, state.last)
        return self.send(404, {"message": f"no route GET {self.path}"})

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/_control":
            return self.control(raw)
        if self.path == "/_quota":
            return self.quota(raw)
        if self.path.startswith("/model/"):
            return self.bedrock(raw)
        if self.path == "/v1/images/generations":
            return self.openai(raw)
        return self.send(404, {"message": f"no route POST {self.path}"})

    def control(self, raw):
        try:
            order = json.loads(raw)
            require(order.get("mode") in MODES, f"mode must be one of {sorted(MODES)}")
        except (ValueError, Invalid, AttributeError) as error:
            return self.send(400, {"message": str(error)})
        state = self.server.state
        with state.lock:
            state.mode = order["mode"]
            state.times = int(order.get("times", -1))
            state.delay_ms = int(order.get("delay_ms", 3000))
            state.calls = 0
            state.last = None
        return self.send(200, {"mode": order["mode"]})

    def quota(self, raw):
        try:
            order = json.loads(raw)
            rate = float(order.get("rate", 0))
            burst = float(order.get("burst", 1))
            require(rate >= 0 and burst >= 1, "rate must be >= 0 and burst >= 1")
        except (ValueError, Invalid, AttributeError, TypeError) as error:
            return self.send(400, {"message": str(error)})
        self.server.state.set_quota(rate, burst)
        return self.send(200, {"rate": rate, "burst": burst})

    # ---- Bedrock ----

    def bedrock_error(self, status, code, message):
        self.send(status, {"message": message},
                  [("x-amzn-ErrorType", f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"),
                   ("x-amzn-RequestId", "fake-request-id")])

    def check_signature(self, raw):
        options = self.server.options
        auth = self.headers.get("Authorization") or ""
        match = re.fullmatch(
            r"AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/bedrock/aws4_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", auth)
        require(match, "Authorization is not an AWS4-HMAC-SHA256 header for service bedrock")
        key_id, date, region, signed, signature = match.groups()
        require(key_id == options.access_key_id, f"unknown access key id {key_id}")
        require(region == options.region, f"signed for region {region}, not {options.region}")
        amz_date = self.headers.get("X-Amz-Date") or ""
        require(re.fullmatch(r"\d{8}T\d{6}Z", amz_date) and amz_date[:8] == date,
                "X-Amz-Date is missing or does not match the credential scope")
        digest = hashlib.sha256(raw).hexdigest()
        require(self.headers.get("x-amz-content-sha256") == digest,
                "x-amz-content-sha256 is missing or is not the body's SHA-256")
        names = signed.split(";")
        for needed in ("host", "x-amz-date", "x-amz-content-sha256"):
            require(needed in names, f"SignedHeaders does not include {needed}")
        if options.secret_access_key:
            expected = self.sigv4(names, date, region, amz_date, digest)
            require(hmac.compare_digest(expected, signature), "the signature does not match")

    def sigv4(self, names, date, region, amz_date, digest):
        path = self.path.split("?", 1)[0]
        # Every service but S3 signs the path encoded once more than it travels.
        canonical_uri = urllib.parse.quote(path, safe="/-_.~")
        headers = "".join(f"{n}:{' '.join((self.headers.get(n) or '').split())}\n" for n in names)
        canonical = "\n".join(["POST", canonical_uri, "", headers, ";".join(names), digest])
        scope = f"{date}/{region}/bedrock/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + self.server.options.secret_access_key).encode()
        for part in (date, region, "bedrock", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    def bedrock(self, raw):
        try:
            match = re.fullmatch(r"/model/([^/]+)/invoke", self.path)
            require(match, f"path {self.path} is not /model/<model id>/invoke")
            require(":" not in match.group(1), "the model id in the path must be URL-encoded")
            model_id = urllib.parse.unquote(match.group(1))
            entry = next((m for m in BEDROCK_MODELS if model_id.startswith(m[0])), None)
            require(entry, f"unknown model id {model_id}")
            self.check_signature(raw)
            require(self.headers.get("Content-Type") == "application/json",
                    "Content-Type must be application/json")
            try:
                body = json.loads(raw)
            except ValueError:
                raise Invalid("the body is not JSON")
            width, height, seed = entry[1](body)
        except Invalid as error:
            return self.bedrock_error(400, "ValidationException", str(error))
        mode, delay_ms = self.server.state.next_call(body)
        shape = entry[2]
        if mode == "throttle":
            return self.bedrock_error(429, "ThrottlingException",
                                      "Too many requests, please wait before trying again.")
        if mode == "fail500":
            return self.bedrock_error(500, "InternalServerException", "Internal server error")
        if mode == "unavailable":
            return self.bedrock_error(503, "ServiceUnavailableException", "Service unavailable")
        if mode == "model_timeout":
            return self.bedrock_error(408, "ModelTimeoutException", "Model timed out")
        if mode == "access_denied":
            return self.bedrock_error(403, "AccessDeniedException",
                                      "You don't have access to the model with the specified model ID.")
        if mode == "validation":
            return self.bedrock_error(400, "ValidationException",
                                      "The model refused this prompt (fake validation mode).")
        if mode == "malformed_json":
            return self.send(200, b'{"images": ["iVBOR')
        if mode == "timeout":
            time.sleep(delay_ms / 1000.0)
        if mode == "content_filter":
            if shape == "titan":
                return self.send(200, {"images": [], "error": FILTER_MESSAGE})
            return self.send(200, {"images": [self.image(width, height, "ok")], "seeds": [seed],
                                   "finish_reasons": ["Filter reason: prompt"]})
        image = self.image(width, height, mode)
        if shape == "titan":
            return self.send(200, {"images": [image], "error": None})
        return self.send(200, {"images": [image], "seeds": [seed], "finish_reasons": [None]})

    @staticmethod
    def image(width, height, mode):
        if mode == "not_png":
            data = b"GIF89a" + bytes(64)
        elif mode == "wrong_size":
            data = png(width + 16, height)
        else:
            data = png(width, height)
        return base64.b64encode(data).decode()

    # ---- OpenAI ----

    def openai_error(self, status, kind, code, message):
        self.send(status, {"error": {"message": message, "type": kind, "code": code}})

    def openai(self, raw):
        expected = "Bearer " + self.server.options.openai_key
        if self.headers.get("Authorization") != expected:
            given = self.headers.get("Authorization") or ""
            # Like the real service, quote (part of) the key that was refused.
            return self.openai_error(401, "invalid_request_error", "invalid_api_key",
                                     f"Incorrect API key provided: {given[7:]}.")
        try:
            require(self.headers.get("Content-Type") == "application/json",
                    "Content-Type must be application/json")
            try:
                body = json.loads(raw)
            except ValueError:
                raise Invalid("the body is not JSON")
            require_keys(body, "body", ["model", "prompt", "n", "size", "response_format"])
            require(isinstance(body["model"], str) and body["model"], "model must be a string")
            require_text(body["prompt"], "prompt", 4000)
            require(body["n"] == 1, "n must be 1")
            require(body["response_format"] == "b64_json", "response_format must be b64_json")
            size = OPENAI_SIZE.match(body["size"]) if isinstance(body["size"], str) else None
            require(size, f"size {body['size']!r} is not WxH")
            width, height = int(size.group(1)), int(size.group(2))
        except Invalid as error:
            return self.openai_error(400, "invalid_request_error", None, str(error))
        mode, delay_ms = self.server.state.next_call(body)
        if mode == "throttle":
            return self.openai_error(429, "requests", "rate_limit_exceeded", "Rate limit reached")
        if mode in ("fail500", "unavailable", "model_timeout"):
            return self.openai_error(500, "server_error", None, "The server had an error")
        if mode == "access_denied":
            return self.openai_error(403, "invalid_request_error", None, "Forbidden")
        if mode == "validation":
            return self.openai_error(400, "invalid_request_error", None,
                                     "The model refused this prompt (fake validation mode).")
        if mode == "content_filter":
            return self.openai_error(400, "invalid_request_error", "content_policy_violation",
                                     "Your request was rejected as a result of our safety system.")
        if mode == "malformed_json":
            return self.send(200, b'{"data": [{"b64_json": ')
        if mode == "timeout":
            time.sleep(delay_ms / 1000.0)
        return self.send(200, {"created": int(time.time()),
                               "data": [{"b64_json": self.image(width, height, mode)}]})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key-id", default="test")
    parser.add_argument("--secret-access-key", default="")
    parser.add_argument("--openai-key", default="test-openai-key")
    options = parser.parse_args()
    return serve_on_loopback(Handler, options=options, state=State())


if __name__ == "__main__":
    sys.exit(main())
