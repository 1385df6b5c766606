#!/usr/bin/python3
"""An SMTP server for tests: accepts every message on 127.0.0.1 and a free port, prints
"port N" once listening, and writes each message (as received, headers and body) to
DIR/NNNN.eml, atomically (a temporary name, then a rename), after three headers of its own:
X-Envelope-From, X-Envelope-To and X-Accepted-At (Unix time in seconds, when DATA completed;
bench/alarm/email_latency.py reads it).

Options make it behave like the servers a client has to cope with; without them it behaves as
above and nothing more. When the session was encrypted the message file also gets
X-Session-Tls (the TLS version), and when the client authenticated, X-Session-Auth (the user).

  --starttls CERT KEY       offer STARTTLS with this certificate chain and key
  --implicit-tls CERT KEY   TLS from the first byte (smtps://)
  --auth USER:PASSWORD      require AUTH (also without TLS) and accept only this user; a
                            refusal repeats the user and password it got
  --auth-mechanisms LIST    offer only these AUTH mechanisms (comma-separated, e.g. LOGIN)
  --rcpt-reply REPLY        answer every RCPT TO with REPLY ("550 5.1.1 No such user")
  --multiline               a three-line greeting and a two-line reply to DATA
  --no-ehlo                 refuse EHLO with 502, as a pre-ESMTP server does

Usage: /usr/bin/python3 tests/peers/smtp_sink.py [options] DIR
"""
import argparse
import asyncio
import logging
import os
import signal
import ssl
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, syntax


class Sink:
    def __init__(self, directory, rcpt_reply=None, multiline=False):
        self.directory = directory
        self.count = 0
        self.rcpt_reply = rcpt_reply
        self.multiline = multiline

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        accepted_at = time.time()
        self.count += 1
        name = os.path.join(self.directory, "%04d.eml" % self.count)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        header = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Accepted-At: %.6f\r\n"
                  % (envelope.mail_from, ", ".join(envelope.rcpt_tos), accepted_at))
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        if ssl_object is not None:
            header += "X-Session-Tls: %s\r\n" % ssl_object.version()
        if session.authenticated:
            header += "X-Session-Auth: %s\r\n" % session.auth_data.login.decode("utf-8")
        with open(name + ".tmp", "wb") as f:
            f.write(header.encode("utf-8") + content)
        os.rename(name + ".tmp", name)
        if self.multiline:
            return "250-Message accepted for delivery\r\n250 Queued as %04d" % self.count
        return "250 Message accepted for delivery"


class SinkSMTP(SMTP):
    """aiosmtpd's server with the oddities the options ask for."""

    def __init__(self, handler, *, multiline=False, no_ehlo=False, **kwargs):
        super().__init__(handler, **kwargs)
        self._multiline = multiline
        self._no_ehlo = no_ehlo
        self._greeted = False

    async def push(self, status):
        if not self._greeted:
            self._greeted = True
            if self._multiline:
                await super().push("220-pictor-test-sink ESMTP")
                await super().push("220-Tests multi-line replies.")
        await super().push(status)

    @syntax("EHLO hostname")
    async def smtp_EHLO(self, hostname):
        if self._no_ehlo:
            await self.push("502 5.5.2 Error: command not recognized")
            return
        await super().smtp_EHLO(hostname)


def authenticator_for(credentials):
    user, _, password = credentials.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode("utf-8")
              and auth_data.password == password.encode("utf-8"))
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # Like a careless server, the refusal repeats what it was sent: tests check that it goes
        # no further than the reply.
        got = "%s:%s" % (auth_data.login.decode("utf-8", "replace"),
                         auth_data.password.decode("utf-8", "replace"))
        return AuthResult(success=False, handled=False,
                          message="535 5.7.8 Authentication credentials invalid: " + got)

    return authenticate


def server_tls_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def main(args):
    os.makedirs(args.dir, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = Sink(args.dir, rcpt_reply=args.rcpt_reply, multiline=args.multiline)
    options = {"hostname": "pictor-test-sink", "multiline": args.multiline,
               "no_ehlo": args.no_ehlo}
    if args.starttls:
        options["tls_context"] = server_tls_context(*args.starttls)
    if args.auth:
        # aiosmtpd warns, on every connection, about AUTH without TLS (asked for here) and
        # about its own deprecated login_data; errors still show.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        options.update(auth_required=True, auth_require_tls=False,
                       authenticator=authenticator_for(args.auth))
        if args.auth_mechanisms:
            offered = {m.strip().upper() for m in args.auth_mechanisms.split(",")}
            options["auth_exclude_mechanism"] = {"PLAIN", "LOGIN"} - offered
    server_ssl = server_tls_context(*args.implicit_tls) if args.implicit_tls else None
    server = await loop.create_server(lambda: SinkSMTP(handler, **options), "127.0.0.1", 0,
                                      ssl=server_ssl)
    port = server.sockets[0].getsockname()[1]
    print("port %d" % port, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


def parse_args():
    parser = argparse.ArgumentParser(description="An SMTP server for tests.")
    parser.add_argument("dir", help="where received messages are written")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    parser.add_argument("--auth-mechanisms", metavar="LIST")
    parser.add_argument("--rcpt-reply", metavar="REPLY")
    parser.add_argument("--multiline", action="store_true")
    parser.add_argument("--no-ehlo", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    # AUTH without TLS is what --auth asks for: the warning saying so is noise here.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    asyncio.run(main(parse_args()))
