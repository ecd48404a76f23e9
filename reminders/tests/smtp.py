"""An SMTP server on 127.0.0.1, in a thread of the test process, for tests that send real email.

Just enough SMTP for Django's backend; it counts its conversations (connections) and keeps each
message, and can stall after its greeting, as a hung server does.
"""

import contextlib
import socketserver
import threading

from reminders.tests.workers import WAIT_SECONDS


class SMTPConversation(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: one-line replies, no extensions, no authentication."""

    timeout = WAIT_SECONDS  # no conversation outlives the test's longest wait

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server
        with server.lock:
            server.conversations += 1
        # A conversation begun while the server stalls stays stalled, as a hung server's does.
        stalling = not server.behaving.is_set()
        self.reply("220 smtp.test ESMTP")
        with contextlib.suppress(OSError):  # a timeout or a client gone: the conversation is over
            while line := self.rfile.readline():
                if stalling:
                    server.stalled.set()  # read the client's command, and never answer it
                    continue
                command = line[:4].upper()
                if command in (b"EHLO", b"HELO"):
                    self.reply("250 smtp.test")
                elif command == b"DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = b""
                    while not data.endswith(b"\r\n.\r\n"):
                        chunk = self.rfile.readline()
                        if not chunk:
                            return  # cut off mid-message: not received
                        data += chunk
                    with server.lock:
                        server.messages.append(data[: -len(b".\r\n")])
                    self.reply("250 OK")
                elif command == b"QUIT":
                    self.reply("221 Bye")
                    return
                else:  # MAIL FROM, RCPT TO, RSET, NOOP
                    self.reply("250 OK")


class SMTPServer(socketserver.ThreadingTCPServer):
    """Stalls every conversation after its greeting until `behaving` is set; then keeps each message.

    Started behaving unless told `stalling=True`."""

    daemon_threads = True

    def __init__(self, stalling=False):
        super().__init__(("127.0.0.1", 0), SMTPConversation)
        self.behaving = threading.Event()
        if not stalling:
            self.behaving.set()
        self.stalled = threading.Event()  # a client spoke and got no answer
        self.messages = []  # each DATA transaction completed, as the raw message
        self.conversations = 0  # connections accepted
        self.lock = threading.Lock()

    @property
    def port(self):
        return self.server_address[1]


@contextlib.contextmanager
def running_smtp_server(stalling=False):
    server = SMTPServer(stalling)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
