"""The mail boundary: SMTP settings from ``MODERATO_SMTP_URL``, and the one class that sends.

``smtp://user:pass@host:587`` sends with STARTTLS (required: a server that does not offer
it is an error, never a silent fall back to plain text); ``smtps://user:pass@host:465``
speaks TLS from the first byte; ``smtp://host:25?starttls=no`` sends in the clear, for a
relay on the same host or network only. User and password are percent-decoded.

Errors, as the worker reads them::

    MailError                 one attempt failed
    ├── TemporaryMailError    connection refused or lost, timeout, 4xx, authentication:
    │                         retried with backoff
    └── PermanentMailError    the server refused the message or the recipient (5xx):
                              not retried

Failure mode: with the server away, mails wait in the outbox (``mail_outbox``) and are
retried with backoff for half a day or so (``MAIL_*``); nothing is lost meanwhile.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from service.clock import utcnow
from service.masking import masked

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


class MailConfigError(ValueError):
    """``MODERATO_SMTP_URL`` or ``MODERATO_MAIL_FROM`` cannot be used as given."""


class MailError(Exception):
    """One attempt at sending a mail failed."""


class TemporaryMailError(MailError):
    """A failure that may pass: try again later."""


class PermanentMailError(MailError):
    """The server refused the mail for good: trying again would not help."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to hand mail over."""

    host: str
    port: int
    tls: str  # starttls | implicit | none
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


def parse_smtp_url(url: str, timeout: float = 30.0) -> SmtpSettings:
    """Read ``smtp://`` / ``smtps://`` URLs; raise ``MailConfigError`` saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise MailConfigError(
            f"MODERATO_SMTP_URL must look like smtp://user:pass@host:587 (STARTTLS) or "
            f"smtps://user:pass@host:465 (TLS), not {masked(url.strip())!r}"
        )
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise MailConfigError(f"MODERATO_SMTP_URL has a bad port: {masked(url.strip())!r}") from exc
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    tls = "implicit" if parts.scheme == "smtps" else "starttls"
    if query.get("starttls") in ("no", "false", "0", "off"):
        if parts.scheme == "smtps":
            raise MailConfigError("MODERATO_SMTP_URL: starttls=no makes no sense with smtps://")
        tls = "none"
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        timeout=timeout,
    )


def check_sender(value: str) -> str:
    """Return ``MODERATO_MAIL_FROM`` if it holds an address (``Name <a@b.example>``)."""
    _, address = parseaddr(value)
    if "@" not in address or any(c in value for c in "\r\n"):
        raise MailConfigError(
            f"MODERATO_MAIL_FROM must be an address such as "
            f"'Daily News <comments@news.example>', not {value!r}"
        )
    return value.strip()


def configured(cfg: Any) -> bool:
    """Tell whether the app's settings turn reply notifications on (an SMTP URL is set)."""
    return bool(cfg.get("SMTP_URL"))


class Mailer(Protocol):
    """Something that hands one message over for delivery and says when the server accepted
    it, or raises ``MailError``."""

    def send(self, message: EmailMessage) -> datetime: ...


class SmtpMailer:
    """Send each message over a new SMTP connection (a few mails a minute at most)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "implicit":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.tls == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                smtp.close()
                raise TemporaryMailError(f"{s.host}:{s.port} does not offer STARTTLS")
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        return smtp

    def send(self, message: EmailMessage) -> datetime:
        """Hand ``message`` to the server and return when it accepted it (its 250 to the
        message's end, before we say goodbye), or raise a ``MailError`` saying whether to
        retry."""
        try:
            smtp = self._connect()
            try:
                if self.settings.username:
                    smtp.login(self.settings.username, self.settings.password or "")
                # Written with the message's own policy (compose.POLICY): the headers
                # compose stores as written (List-Unsubscribe on one line) go out so.
                smtp.send_message(message)
                accepted = utcnow()
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        except smtplib.SMTPRecipientsRefused as exc:
            # The server's answer without the address (it goes to logs and the outbox row).
            code, answer = min(exc.recipients.values())
            raise _by_code(code, f"recipient refused: {code} {_text(answer)}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            # An address that needs SMTPUTF8 and a server without it: it will not change.
            raise PermanentMailError(f"not supported by the server: {exc}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            # The operator's credentials: fixable, so the mail waits for them.
            raise TemporaryMailError(f"authentication failed: {exc.smtp_code}") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TemporaryMailError(f"{type(exc).__name__}: {exc}") from exc
        return accepted


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _by_code(code: int, message: str) -> MailError:
    """Return the error an SMTP reply code means: 5xx for good, anything else for now."""
    return PermanentMailError(message) if 500 <= code < 600 else TemporaryMailError(message)
