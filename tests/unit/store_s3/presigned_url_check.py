#!/usr/bin/python3
"""Checks a presigned S3 GET URL against botocore, an independent SigV4 implementation.

Usage: presigned_url_check.py URL SECRET_ACCESS_KEY
Re-signs the URL's path with botocore at the URL's own X-Amz-Date, credential scope and expiry,
and exits 0 when the signatures agree, 1 (printing both) when they differ.
"""
import datetime
import sys
import urllib.parse

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    url, secret = sys.argv[1], sys.argv[2]
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    key_id, _, region, service, _ = query["X-Amz-Credential"].split("/")
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")

    class FrozenClock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return signed_at

    botocore.auth.datetime.datetime = FrozenClock
    request = AWSRequest(method="GET", url=f"{parts.scheme}://{parts.netloc}{parts.path}")
    credentials = Credentials(key_id, secret, query.get("X-Amz-Security-Token"))
    botocore.auth.S3SigV4QueryAuth(
        credentials, service, region, expires=int(query["X-Amz-Expires"])
    ).add_auth(request)
    expected = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
    if expected["X-Amz-Signature"] != query["X-Amz-Signature"]:
        print("pictor:   " + url)
        print("botocore: " + request.url)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
