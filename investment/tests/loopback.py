"""Real servers on the loopback for the tests of sending: an SMTP server (aiosmtpd on a free
port) that keeps what it is given, and a group robot (``http.server`` in a thread) that answers
as told and checks DingTalk's signature. The fixtures ``smtp`` and ``robot`` (registered in
``conftest.py``) start one for a test and point the settings at it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

# The secret of the robots that sign (a department's ``webhook_secret`` in the tests).
SECRET = "SEC-robot-secret"


class Inbox:
    """aiosmtpd's handler: keeps each message it is given, (recipients, parsed message)."""

    def __init__(self):
        self.messages: list[tuple[list[str], object]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for recipients, message in self.messages if address in recipients]


def free_port() -> int:
    """A port nothing listens on now (aiosmtpd 1.4 cannot be given port 0: its start connects
    to the port it was given to see the server up)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 and a free port; the settings send to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "reminders@example.invalid"
    yield inbox
    controller.stop()


class Robot:
    """A group robot on the loopback: answers each post with ``status`` (200 with errcode 0
    unless told otherwise) and keeps what it was posted, with the signature's verdict."""

    def __init__(self):
        self.posts: list[dict] = []
        self.status = 200
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                robot.posts.append(
                    {
                        "path": urllib.parse.urlsplit(self.path).path,
                        "json": json.loads(body),
                        "content_type": self.headers["Content-Type"],
                        "signed": robot.verify(query),
                        "status": robot.status,
                    }
                )
                answer = json.dumps(robot.answer).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def verify(query: dict) -> bool | None:
        """DingTalk's check: the sign is base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"));
        None when the request carries no signature."""
        if "sign" not in query:
            return None
        timestamp = query["timestamp"][0]
        digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode(), query["sign"][0])


@pytest.fixture
def robot():
    robot = Robot()
    robot.thread.start()
    yield robot
    robot.server.shutdown()
    robot.server.server_close()
