#!/usr/bin/python3
"""Signs fixed S3 requests with botocore's S3SigV4Auth and S3SigV4QueryAuth and prints JSON.

The reference side of s3_botocore_test.cc: for every case it prints the inputs (so the C++ test
signs exactly the same request) and what botocore produced (canonical request, string to sign,
signature, and the Authorization header or the presigned URL). The signing time is fixed.
"""
import datetime
import json
import sys
from urllib.parse import quote

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials
except ImportError as error:
    sys.stderr.write(f"cannot import botocore ({error}): apt-get install python3-botocore\n")
    sys.exit(3)

FIXED_TIME = datetime.datetime(2026, 3, 14, 15, 9, 26)
ACCESS_KEY = "AKIDPICTOREXAMPLE"
SECRET_KEY = "pictor/Secret+Key=with~odd%chars"
TOKEN = "FwoGZXIvYXdzEPT//////////wEaDPictor+Session/Token=="
REGION = "eu-west-3"
HOST = "pictor-images.s3.eu-west-3.amazonaws.com"


class _FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return cls(FIXED_TIME.year, FIXED_TIME.month, FIXED_TIME.day, FIXED_TIME.hour,
                   FIXED_TIME.minute, FIXED_TIME.second)


class _DatetimeModule:
    datetime = _FixedDatetime


botocore.auth.datetime = _DatetimeModule  # botocore reads the clock as datetime.datetime.utcnow()

CASES = [
    # name, mode, method, key, query params, extra headers, body, token?, payload signing, expires
    ("header_put_signed_body", "header", "PUT", "images/a cat + a dog = 2.png", {},
     {"Content-Type": "image/png"}, b"\x89PNG fake body", False, True, None),
    ("header_put_unsigned_payload_token", "header", "PUT", "unicode/\u00fcn\u00efc\u00f6d\u00e9-\u753b\u50cf.png",
     {}, {"Content-Type": "image/png"}, b"body bytes", True, False, None),
    ("header_get_query_token", "header", "GET", "", {"list-type": "2", "prefix": "a b/c+d=e~f%g"},
     {}, b"", True, True, None),
    ("header_get_odd_key", "header", "GET", "dir/~tilde/100%/a=b+c d", {}, {}, b"", False, True,
     None),
    ("presign_get", "query", "GET", "images/a cat + a dog = 2.png", {}, {}, b"", False, False, 900),
    ("presign_get_token", "query", "GET", "unicode/\u00fcn\u00efc\u00f6d\u00e9 100%/~x=y+z.png",
     {"response-content-type": "image/png"}, {}, b"", True, False, 3600),
]


def capture_signing_steps(signer):
    """Records the intermediate strings add_auth computes (they are not returned otherwise)."""
    captured = {}
    string_to_sign, signature = signer.string_to_sign, signer.signature

    def capture_string_to_sign(request, canonical_request):
        captured["canonical_request"] = canonical_request
        captured["string_to_sign"] = string_to_sign(request, canonical_request)
        return captured["string_to_sign"]

    def capture_signature(to_sign, request):
        captured["signature"] = signature(to_sign, request)
        return captured["signature"]

    signer.string_to_sign = capture_string_to_sign
    signer.signature = capture_signature
    return captured


def sign(case):
    name, mode, method, key, params, headers, body, with_token, sign_payload, expires = case
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, TOKEN if with_token else None)
    path = "/" + quote(key, safe="/~")
    url = f"https://{HOST}{path}"
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body,
                         params=dict(params))
    request.context["client_config"] = Config(s3={"payload_signing_enabled": sign_payload})
    if mode == "header":
        signer = botocore.auth.S3SigV4Auth(credentials, "s3", REGION)
    else:
        signer = botocore.auth.S3SigV4QueryAuth(credentials, "s3", REGION, expires=expires)
    captured = capture_signing_steps(signer)
    signer.add_auth(request)
    result = {
        "name": name,
        "mode": mode,
        "method": method,
        "host": HOST,
        "key": key,
        "path": path,
        "query": params,
        "headers": headers,
        "body_hex": body.hex(),
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "session_token": TOKEN if with_token else "",
        "region": REGION,
        "amz_date": FIXED_TIME.strftime("%Y%m%dT%H%M%SZ"),
        "unix_time": int(FIXED_TIME.replace(tzinfo=datetime.timezone.utc).timestamp()),
        "payload_signed": sign_payload,
        "expires": expires or 0,
        "canonical_request": captured["canonical_request"],
        "string_to_sign": captured["string_to_sign"],
        "signature": captured["signature"],
    }
    if mode == "header":
        result["authorization"] = request.headers["Authorization"]
        result["content_sha256"] = request.headers["X-Amz-Content-SHA256"]
    else:
        result["url"] = request.url
    return result


def main():
    json.dump([sign(case) for case in CASES], sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
