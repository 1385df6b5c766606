"""Serves a test peer's request handler on a free 127.0.0.1 port (standard library only).

Prints "port N" once listening, as every peer under tests/peers does, so the test that started
it learns where it is; then serves until interrupted, one thread per connection.
"""

from http.server import ThreadingHTTPServer


def serve_on_loopback(handler, **attributes):
    """Binds `handler` to 127.0.0.1 on a free port, sets `attributes` on the server (the
    handler reads its state through self.server), prints the port and serves. Returns 0."""
    # Up to 64 clients connect at once in the benchmarks: the default backlog of 5 drops them.
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    for name, value in attributes.items():
        setattr(server, name, value)
    print(f"port {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
