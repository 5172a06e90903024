"""A real SMTP server for tests (aiosmtpd) on 127.0.0.1: it collects what it is sent, can be
stopped and started again on the same port, can refuse recipients with a 5xx, put off
messages with a 4xx and take its time to accept one, and offers SMTPUTF8 (RFC 6531: mail to
and from a non-ASCII local part) when asked to (``MailServer(smtputf8=True)``; aiosmtpd's
default, as many relays', is not to). It keeps each message as received too (``raw``):
what a reader's mail client would parse, and when it accepted each."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from service.clock import utcnow
from service.embedded_redis import free_port
from tests.helpers import wait_for

SENDER = "Daily News comments <comments@news.example>"
PUBLIC_URL = "http://localhost"


class Collector:
    """aiosmtpd's handler: keeps each message it accepts, parsed and raw, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.smtputf8: list[bool] = []  # whether each message came with MAIL FROM's SMTPUTF8
        self.refuse: set[str] = set()  # recipients answered 550
        self.defer = 0  # how many messages to come are answered 451 (try again later)
        self.accept_after = 0.0  # seconds a message waits before the server accepts it
        self.accepted_at: list[datetime] = []  # when each message was accepted (the 250)
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.defer:
                self.defer -= 1
                return "451 4.3.0 try again later"
        await asyncio.sleep(self.accept_after)
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        if envelope.smtp_utf8:  # RFC 6532: its headers are UTF-8, as a mail client reads them
            parsed = email.message_from_string(raw.decode(), policy=email.policy.default)
        else:
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
            self.raw.append(raw)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
            self.smtputf8.append(bool(envelope.smtp_utf8))
            self.accepted_at.append(utcnow())
        return "250 Message accepted"


class MailServer:
    """An SMTP server on a fixed free port of 127.0.0.1, in aiosmtpd's own thread, offering
    SMTPUTF8 if ``smtputf8``; ``options`` go to aiosmtpd (``tls_context``, ``ssl_context``,
    ``authenticator``…)."""

    def __init__(self, *, smtputf8: bool = False, **options: Any) -> None:
        self.port = free_port()
        self.handler = Collector()
        self.options = {"enable_SMTPUTF8": smtputf8, **options}
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        """The ``MODERATO_SMTP_URL`` that reaches it (plain SMTP: a relay on this host)."""
        return f"smtp://127.0.0.1:{self.port}?starttls=no"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def raw(self) -> list[bytes]:
        """The messages as received, byte for byte (CRLF line ends, dots unstuffed)."""
        with self.handler.lock:
            return list(self.handler.raw)

    def start(self) -> MailServer:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until ``count`` messages arrived; return them all."""
        wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages


def mail_settings(settings: dict[str, Any], server: MailServer) -> dict[str, Any]:
    """Return ``settings`` with mail on, sending to ``server``, retrying quickly."""
    return {
        **settings,
        "SMTP_URL": server.url,
        "MAIL_FROM": SENDER,
        "PUBLIC_URL": PUBLIC_URL,
        "MAIL_TIMEOUT": 5.0,
        "MAIL_RETRY_BASE": 1.0,
        "MAIL_RETRY_FACTOR": 2.0,
    }


def text_of(message: EmailMessage) -> str:
    """Return the plain-text body of a message, with its lines ending in LF (SMTP sends CRLF)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def raw_headers(raw: bytes) -> list[str]:
    """Return the header lines of a raw message as they came, folded lines kept apart
    (a line starting with white space continues the header above it)."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.decode("utf-8", "surrogateescape").split("\r\n")
