"""`pictor serve --tls-cert FILE --tls-key FILE` end to end, with curl and Python's ssl module as
the clients and certificates made by the `openssl` command in each test's own directory.

Covered: TLS 1.2 and 1.3 with a verified certificate; TLS 1.1 and CBC-only TLS 1.2 clients
refused by the server (each client first shown to work against a Python server that allows what
it offers, so the refusal is Pictor's and not the client's own policy); SIGHUP reloading the pair
for new connections while an open keep-alive connection goes on with its own; a bad replacement
(key of another certificate, missing key) keeping the old pair with the reason in the log;
missing, mismatched and half-given files as start-up errors; plain HTTP sent to the TLS port
answered with a 400 that says to use https, and noise closed, with the server serving on; the
per-address connection limit holding for connections stuck before their handshake; a client's
renegotiation refused; absolute URLs in answers saying https.

Needs: PICTOR_BIN, openssl and curl (Debian packages openssl and curl).
"""

import hashlib
import http.client
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import warnings

PICTOR = os.environ.get("PICTOR_BIN", "")
DEADLINE = 30  # seconds any single wait may take before the test fails


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=DEADLINE, **kwargs)


def make_certificate(directory, name, common_name):
    """A self-signed P-256 certificate for 127.0.0.1/localhost and its key, by `openssl req`."""
    cert = os.path.join(directory, name + ".crt")
    key = os.path.join(directory, name + ".key")
    result = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=" + common_name,
                  "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key,
                  "-out", cert])
    if result.returncode != 0:
        raise AssertionError("openssl req failed: " + result.stderr)
    return cert, key


def fingerprint_of_file(cert):
    """The SHA-256 of a PEM certificate, as `openssl x509 -fingerprint` prints it."""
    out = run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert]).stdout
    return out.strip().split("=", 1)[1]


def fingerprint_of_der(der):
    return ":".join("%02X" % b for b in hashlib.sha256(der).digest())


def replace_file(path, source):
    """Copies `source` over `path` by a rename, as a certificate deployment would."""
    shutil.copyfile(source, path + ".new")
    os.replace(path + ".new", path)


def client_context(cafile=None, minimum=None, maximum=None, ciphers=None):
    """A Python TLS client. Without `cafile` it checks nothing (the tests compare fingerprints);
    with `minimum` below TLS 1.2 it lowers its own security level so it really offers that."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile:
        context.load_verify_locations(cafile)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if ciphers:
            context.set_ciphers(ciphers)
        if minimum:
            context.minimum_version = minimum
        if maximum:
            context.maximum_version = maximum
    return context


def tls_connect(port, context):
    """A handshaken TLS socket to 127.0.0.1:port (the caller closes it)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    try:
        return context.wrap_socket(raw, server_hostname="localhost")
    except BaseException:
        raw.close()
        raise


def peer_fingerprint(port):
    with tls_connect(port, client_context()) as tls:
        return fingerprint_of_der(tls.getpeercert(binary_form=True))


class PermissiveTlsServer:
    """A Python TLS server on 127.0.0.1 that accepts what `context` allows and answers each
    handshake it completes with b"ok": the control that shows a client really can speak what
    Pictor refuses."""

    def __init__(self, context):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(DEADLINE)
        self.port = self.listener.getsockname()[1]
        self.context = context
        self.thread = threading.Thread(target=self.serve_one, daemon=True)
        self.thread.start()

    def serve_one(self):
        try:
            conn, _ = self.listener.accept()
            with self.context.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"ok")
        except (OSError, ssl.SSLError):
            pass

    def close(self):
        self.thread.join(DEADLINE)
        self.listener.close()


class Serve:
    """One `pictor serve` on 127.0.0.1:0 in `directory`, with its logs in files."""

    def __init__(self, directory, extra_args):
        self.directory = directory
        self.port_file = os.path.join(directory, "port")
        self.err_path = os.path.join(directory, "serve.err")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PICTOR_") and k not in ("SQS_QUEUE_URL", "KEY_PREFIX")}
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        self.argv = [PICTOR, "serve", "--listen", "127.0.0.1:0", "--port-file", self.port_file,
                     "--store", "file:" + os.path.join(directory, "images"),
                     "--queue", "sqlite:" + os.path.join(directory, "queue.db"),
                     "--workers", "0"] + extra_args
        out_path = os.path.join(directory, "serve.out")
        with open(self.err_path, "wb") as err, open(out_path, "wb") as out:
            self.process = subprocess.Popen(self.argv, cwd=directory, stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL, env=env)

    def wait_listening(self):
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self.port
            if self.process.poll() is not None:
                raise AssertionError("serve exited %s: %s" % (self.process.returncode, self.log()))
            time.sleep(0.05)
        raise AssertionError("serve did not listen within %d s: %s" % (DEADLINE, self.log()))

    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def wait_log(self, pattern, count=1):
        """Waits until `pattern` (a regex) occurs `count` times in the log; returns the log."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            text = self.log()
            if len(re.findall(pattern, text)) >= count:
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("no %r in the log: %s" % (pattern, self.log()))

    def hangup(self):
        self.process.send_signal(signal.SIGHUP)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@unittest.skipUnless(PICTOR, "PICTOR_BIN is not set")
class TlsServe(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pictor-tls-e2e-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cert, self.key = make_certificate(self.dir, "server", "pictor-a")
        self.first = fingerprint_of_file(self.cert)

    def start(self, extra_args=()):
        serve = Serve(self.dir, ["--tls-cert", self.cert, "--tls-key", self.key] + list(extra_args))
        self.addCleanup(serve.stop)
        port = serve.wait_listening()
        return serve, port

    def curl(self, *args):
        return run(["curl", "--silent", "--show-error", "--max-time", str(DEADLINE)] + list(args))

    def test_curl_speaks_tls12_and_tls13_with_a_verified_certificate_on_one_connection(self):
        serve, port = self.start()
        url = "https://localhost:%d/healthz" % port
        for floor, ceiling, protocol in (("--tlsv1.2", "1.2", "TLSv1.2"),
                                         ("--tlsv1.3", "1.3", "TLSv1.3")):
            result = self.curl("--verbose", "--cacert", self.cert, floor, "--tls-max", ceiling,
                               "--write-out", "%{http_code} %{num_connects}\n", url, url, url)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.count('{"status":"ok"}'), 3, result.stdout)
            # Three requests, one TCP connection and one handshake.
            self.assertRegex(result.stdout, r"200 1\n.*200 0\n.*200 0\n")
            match = re.search(r"SSL connection using (\S+) / (\S+)", result.stderr)
            self.assertIsNotNone(match, result.stderr)
            self.assertEqual(match.group(1), protocol)
            self.assertRegex(match.group(2), r"GCM|CHACHA20")
            if protocol == "TLSv1.2":
                self.assertTrue(match.group(2).startswith("ECDHE-"), match.group(2))
            self.assertIn("ALPN: server accepted http/1.1", result.stderr)
        self.assertEqual(serve.stop(), 0, serve.log())

    def test_tls11_is_refused_by_the_server_although_the_client_speaks_it(self):
        _, port = self.start()
        offer = dict(minimum=ssl.TLSVersion.TLSv1_1, maximum=ssl.TLSVersion.TLSv1_1,
                     ciphers="DEFAULT@SECLEVEL=0")
        control_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        control_context.load_cert_chain(self.cert, self.key)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            control_context.set_ciphers("DEFAULT@SECLEVEL=0")
            control_context.minimum_version = ssl.TLSVersion.TLSv1_1
            control_context.maximum_version = ssl.TLSVersion.TLSv1_1
        control = PermissiveTlsServer(control_context)
        try:
            with tls_connect(control.port, client_context(**offer)) as tls:
                self.assertEqual(tls.version(), "TLSv1.1")
        finally:
            control.close()

        with self.assertRaises(ssl.SSLError) as refused:
            tls_connect(port, client_context(**offer)).close()
        self.assertIn("PROTOCOL_VERSION", str(refused.exception).upper())

        result = self.curl("--insecure", "--tlsv1.1", "--tls-max", "1.1", "--ciphers",
                           "DEFAULT@SECLEVEL=0", "https://127.0.0.1:%d/healthz" % port)
        self.assertEqual(result.returncode, 35, result.stdout + result.stderr)  # SSL connect error
        self.assertIn("alert protocol version", result.stderr)

    def test_a_tls12_client_offering_only_cbc_ciphers_is_refused(self):
        _, port = self.start()
        cbc = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256"
        offer = dict(maximum=ssl.TLSVersion.TLSv1_2, ciphers=cbc)
        control_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        control_context.load_cert_chain(self.cert, self.key)
        control_context.set_ciphers(cbc)
        control = PermissiveTlsServer(control_context)
        try:
            with tls_connect(control.port, client_context(**offer)) as tls:
                self.assertIn("-SHA", tls.cipher()[0])
        finally:
            control.close()
        with self.assertRaises(ssl.SSLError) as refused:
            tls_connect(port, client_context(**offer)).close()
        self.assertIn("HANDSHAKE_FAILURE", str(refused.exception).upper())

    def test_client_initiated_renegotiation_is_refused_and_the_server_serves_on(self):
        _, port = self.start()
        client = subprocess.Popen(
            ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_2"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.addCleanup(client.kill)
        client.stdin.write(b"R\n")  # s_client's command to renegotiate, once connected
        client.stdin.flush()
        # stdin stays open until the answer is in: its end would close the connection first.
        output = b""
        deadline = time.monotonic() + DEADLINE
        while b"no renegotiation" not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([client.stdout], [], [], 0.1)
            if ready:
                chunk = os.read(client.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
        client.stdin.close()
        client.wait(DEADLINE)
        self.assertIn(b"RENEGOTIATING", output)
        self.assertIn(b"no renegotiation", output)
        self.assertEqual(peer_fingerprint(port), self.first)

    def test_python_default_client_verifies_the_certificate_and_gets_tls13(self):
        _, port = self.start()
        connection = http.client.HTTPSConnection("localhost", port, timeout=DEADLINE,
                                                 context=client_context(cafile=self.cert))
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.read(), b'{"status":"ok"}')
        self.assertEqual(connection.sock.version(), "TLSv1.3")
        connection.close()

    def test_sighup_reloads_the_pair_for_new_connections_and_an_open_one_survives(self):
        serve, port = self.start()
        kept = http.client.HTTPSConnection("127.0.0.1", port, timeout=DEADLINE,
                                           context=client_context())
        kept.request("GET", "/healthz")
        self.assertEqual(kept.getresponse().read(), b'{"status":"ok"}')
        kept_socket = kept.sock
        self.assertEqual(fingerprint_of_der(kept_socket.getpeercert(binary_form=True)), self.first)

        next_cert, next_key = make_certificate(self.dir, "next", "pictor-b")
        second = fingerprint_of_file(next_cert)
        replace_file(self.cert, next_cert)
        replace_file(self.key, next_key)
        serve.hangup()
        serve.wait_log(r"SIGHUP: TLS certificate reloaded: CN=pictor-b, .*SHA-256 " + second)

        self.assertEqual(peer_fingerprint(port), second)
        result = self.curl("--cacert", next_cert, "https://localhost:%d/healthz" % port)
        self.assertEqual(result.returncode, 0, result.stderr)

        kept.request("GET", "/healthz")
        response = kept.getresponse()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.read(), b'{"status":"ok"}')
        self.assertIs(kept.sock, kept_socket, "the client had to reconnect")
        self.assertEqual(fingerprint_of_der(kept.sock.getpeercert(binary_form=True)), self.first)
        kept.close()

    def test_a_bad_replacement_keeps_the_old_pair_and_the_log_says_why(self):
        serve, port = self.start()
        # A renewed certificate deployed without its key.
        next_cert, _ = make_certificate(self.dir, "next", "pictor-b")
        replace_file(self.cert, next_cert)
        serve.hangup()
        log = serve.wait_log(r"SIGHUP: TLS certificate not reloaded")
        self.assertRegex(log, r"not reloaded, still serving CN=pictor-a, .*SHA-256 " + self.first +
                         r": the key in --tls-key \S+ does not belong to the certificate")
        self.assertEqual(peer_fingerprint(port), self.first)

        os.remove(self.key)
        serve.hangup()
        log = serve.wait_log(r"SIGHUP: TLS certificate not reloaded", count=2)
        self.assertIn("cannot read --tls-key %s: No such file or directory" % self.key, log)
        self.assertEqual(peer_fingerprint(port), self.first)
        self.assertNotIn("PRIVATE KEY", log)
        self.assertEqual(serve.stop(), 0, serve.log())

    def test_missing_mismatched_or_half_given_files_stop_serve_at_start_up(self):
        other_cert, other_key = make_certificate(self.dir, "other", "pictor-b")
        missing = os.path.join(self.dir, "missing.crt")
        cases = [
            (["--tls-cert", missing, "--tls-key", self.key],
             "cannot read --tls-cert %s: No such file or directory" % missing),
            (["--tls-cert", self.cert, "--tls-key", other_key],
             "the key in --tls-key %s does not belong to the certificate in --tls-cert %s"
             % (other_key, self.cert)),
            (["--tls-cert", self.cert, "--tls-key", other_cert],
             "--tls-key %s holds no PEM private key" % other_cert),
            (["--tls-cert", self.cert], "--tls-cert and --tls-key go together"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                serve = Serve(self.dir, args)
                try:
                    code = serve.process.wait(DEADLINE)
                finally:
                    serve.stop()
                self.assertEqual(code, 2, serve.log())
                self.assertIn("pictor serve: " + message, serve.log())
                self.assertFalse(os.path.exists(serve.port_file))

    def test_plain_http_on_the_tls_port_gets_a_400_and_the_server_serves_on(self):
        _, port = self.start()
        result = self.curl("--write-out", "\n%{http_code}", "http://127.0.0.1:%d/healthz" % port)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.endswith("\n400"), result.stdout)
        self.assertIn('"error": "tls_required"', result.stdout)
        self.assertIn("https://", result.stdout)

        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        plain.request("POST", "/jobs", body=b'{"prompt": "a fox"}',
                      headers={"Content-Type": "application/json"})
        self.assertEqual(plain.getresponse().status, 400)
        plain.close()

        for noise in (b"\x00" * 64, b"\x16\x03\x01\x00\x04\x01\x00\x00\x00", os.urandom(4096)):
            with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as raw:
                raw.sendall(noise)
                raw.settimeout(DEADLINE)
                try:
                    while raw.recv(4096):
                        pass
                except ConnectionResetError:
                    pass  # closed with unread noise: a reset is a close too
        result = self.curl("--cacert", self.cert, "https://localhost:%d/healthz" % port)
        self.assertEqual(result.stdout, '{"status":"ok"}', result.stderr)

    def test_connections_stuck_before_their_handshake_count_against_the_per_address_limit(self):
        _, port = self.start(["--max-connections-per-address", "3"])
        stuck = []
        try:
            for _ in range(3):
                raw = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
                raw.sendall(b"\x16\x03\x01")  # the start of a record that never comes
                stuck.append(raw)
            # Accepted in order: the fourth is over the limit once the three are counted.
            with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
                tls_connect(port, client_context()).close()
        finally:
            for raw in stuck:
                raw.close()

        def served():
            try:
                return peer_fingerprint(port) == self.first
            except (ssl.SSLError, OSError):
                return False

        deadline = time.monotonic() + DEADLINE
        while not served():
            self.assertLess(time.monotonic(), deadline, "never served again after the close")
            time.sleep(0.05)

    def test_urls_in_answers_say_https(self):
        _, port = self.start()
        result = self.curl("--cacert", self.cert, "-H", "Content-Type: application/json",
                           "--data", '{"prompt": "a lighthouse"}',
                           "https://localhost:%d/jobs" % port)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r'"status_url":"https://localhost:%d/jobs/' % port)


if __name__ == "__main__":
    unittest.main(verbosity=2)
