"""An SMTP server on 127.0.0.1, in a thread of the test process, for tests that send real email.

Just enough SMTP for Django's backend; it counts its conversations (connections) and keeps each
message. It can stall after its greeting, as a hung server does, or hang up right after accepting
a message, as a server that drops the connection does: the message is delivered (250) and the
client's next command meets a closed connection.
"""

import contextlib
import email
import email.policy
import socketserver
import threading

WAIT_SECONDS = 60  # no conversation outlives a test's longest wait


class SMTPConversation(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: one-line replies, no extensions, no authentication."""

    timeout = WAIT_SECONDS

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
                    if server.hanging_up:
                        return  # delivered; the connection is closed under the client
                elif command == b"QUIT":
                    self.reply("221 Bye")
                    return
                else:  # MAIL FROM, RCPT TO, RSET, NOOP
                    self.reply("250 OK")


class SMTPServer(socketserver.ThreadingTCPServer):
    """Stalls every conversation after its greeting until `behaving` is set; then keeps each message.
    With `hanging_up`, each conversation ends right after the message it accepted.

    Started behaving unless told `stalling=True`."""

    daemon_threads = True

    def __init__(self, stalling=False, hanging_up=False):
        super().__init__(("127.0.0.1", 0), SMTPConversation)
        self.behaving = threading.Event()
        if not stalling:
            self.behaving.set()
        self.hanging_up = hanging_up
        self.stalled = threading.Event()  # a client spoke and got no answer
        self.messages = []  # each DATA transaction completed, as the raw message
        self.conversations = 0  # connections accepted
        self.lock = threading.Lock()

    @property
    def port(self):
        return self.server_address[1]

    def received(self):
        """Each message accepted, parsed."""
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.messages]

    def addressees(self):
        """The address each message accepted went to, once per message, sorted."""
        return sorted(address for message in self.received() for address in message["To"].split(", "))


@contextlib.contextmanager
def running_smtp_server(stalling=False, hanging_up=False):
    server = SMTPServer(stalling, hanging_up)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextlib.contextmanager
def sending_to_smtp_server(settings, **options):
    """Django sends over SMTP to a server of the test's own (running_smtp_server's options)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    with running_smtp_server(**options) as server:
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server
