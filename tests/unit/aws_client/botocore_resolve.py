#!/usr/bin/python3
"""Prints the AccessKeyId botocore resolves from the environment and the shared files.

The independent side of role_credentials_test.cc: botocore's own credential chain (assume role
from a source profile, web identity, ...) reads the same AWS_* variables and files as Pictor;
only its STS client is pointed at the test's peer (PICTOR_TEST_STS_URL), since botocore of
Debian 12 predates AWS_ENDPOINT_URL_STS. Needs Debian's python3-botocore.
"""

import os
import sys

import botocore.session


def main():
    session = botocore.session.Session()
    create_client = session.create_client

    def sts_on_peer(service_name, *args, **kwargs):
        if service_name == "sts":
            kwargs["endpoint_url"] = os.environ["PICTOR_TEST_STS_URL"]
        return create_client(service_name, *args, **kwargs)

    session.create_client = sts_on_peer
    credentials = session.get_credentials()
    if credentials is None:
        print("botocore found no credentials")
        return 1
    print(credentials.get_frozen_credentials().access_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
