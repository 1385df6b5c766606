#!/usr/bin/python3
"""The reference for the cold-start benchmark: a Python 3 Lambda handler that, like the original
function, creates boto3 S3 and bedrock-runtime clients at init, run as a minimal custom-runtime
loop (next -> handle -> response) over the Runtime API in AWS_LAMBDA_RUNTIME_API. The handler
itself answers a plain 200, so only init and the loop are measured. Where botocore has no
bedrock-runtime model (Debian 12), sagemaker-runtime is created in its place.
"""

import json
import os
import urllib.request

import boto3
import botocore.exceptions

s3 = boto3.client("s3")
try:
    bedrock = boto3.client("bedrock-runtime")
except botocore.exceptions.UnknownServiceError:
    # Debian 12's botocore (1.29) predates Bedrock; its nearest model-runtime client stands in,
    # built the same way from a bundled service model.
    bedrock = boto3.client("sagemaker-runtime")

BASE = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]


def handler(event):
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok\n"}


def main():
    while True:
        with urllib.request.urlopen(BASE + "/invocation/next") as r:
            request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(r.read())
        body = json.dumps(handler(event)).encode()
        post = urllib.request.Request(
            BASE + "/invocation/%s/response" % request_id, data=body, method="POST")
        urllib.request.urlopen(post).read()


if __name__ == "__main__":
    main()
