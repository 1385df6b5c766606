#!/usr/bin/python3
"""An SMTP server for tests: accepts every message on 127.0.0.1 and a free port, prints
"port N" once listening, and writes each message (as received, headers and body) to
DIR/NNNN.eml, atomically (a temporary name, then a rename), after three headers of its own:
X-Envelope-From, X-Envelope-To and X-Accepted-At (Unix time in seconds, when DATA completed;
bench/alarm/email_latency.py reads it).

Usage: /usr/bin/python3 tests/peers/smtp_sink.py DIR
"""
import asyncio
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        accepted_at = time.time()
        self.count += 1
        name = os.path.join(self.directory, "%04d.eml" % self.count)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        header = ("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Accepted-At: %.6f\r\n"
                  % (envelope.mail_from, ", ".join(envelope.rcpt_tos), accepted_at)
                  ).encode("utf-8")
        with open(name + ".tmp", "wb") as f:
            f.write(header + content)
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"


async def main(directory):
    os.makedirs(directory, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = Sink(directory)
    server = await loop.create_server(lambda: SMTP(handler, hostname="pictor-test-sink"),
                                      "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("port %d" % port, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: smtp_sink.py DIR")
    asyncio.run(main(sys.argv[1]))
