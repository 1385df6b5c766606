#!/usr/bin/python3
"""Runs tests/peers/fake_model_server.py with a listen backlog of 256 instead of
socketserver's default of 5.

With the default, 64 clients connecting at once overflow the accept queue: the kernel drops
SYNs and the clients retry after 1 s, 3 s, ..., which the worker benchmark would count as the
model's latency. Arguments are passed through unchanged.
"""
import os
import runpy
import sys
from http.server import ThreadingHTTPServer

ThreadingHTTPServer.request_queue_size = 256

server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "peers",
                      "fake_model_server.py")
sys.argv[0] = server
runpy.run_path(server, run_name="__main__")
