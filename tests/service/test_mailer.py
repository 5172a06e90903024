"""The SMTP boundary against real servers (aiosmtpd): STARTTLS with a login, implicit TLS,
a server without STARTTLS refused, and which failures are retried."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from service.mailer import (
    PermanentMailError,
    SmtpMailer,
    TemporaryMailError,
    parse_smtp_url,
)
from tests.mail_server import MailServer, text_of


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command), and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """Trust the certificate as a CA would be (SSL_CERT_FILE); return the server's context."""
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def serving(**options: Any) -> Iterator[MailServer]:
    """Run a real SMTP server with aiosmtpd ``options`` for the block."""
    server = MailServer(**options).start()
    try:
        yield server
    finally:
        server.stop()


def message(to: str = "ada@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "comments@news.example", to, "Hello"
    msg.set_content("A reply to your comment.")
    return msg


def test_smtp_urls_send_with_starttls_and_log_in_over_it(trusted: ssl.SSLContext) -> None:
    """`smtp://user:pass@host` upgrades the connection with STARTTLS, checks the server's
    certificate, logs in over TLS (the percent-encoded password decoded) and sends."""
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        assert isinstance(auth, LoginPassword)
        logins.append((auth.login, auth.password))
        return AuthResult(success=auth.password == b"s@cret")

    with serving(
        tls_context=trusted, require_starttls=True, authenticator=authenticator,
        auth_require_tls=True,
    ) as server:  # fmt: skip
        url = f"smtp://ada:s%40cret@127.0.0.1:{server.port}"
        SmtpMailer(parse_smtp_url(url, timeout=5)).send(message())
        [got] = server.wait_for(1)
        assert text_of(got).strip() == "A reply to your comment."
    assert logins == [(b"ada", b"s@cret")]


def test_smtps_urls_speak_tls_from_the_first_byte(trusted: ssl.SSLContext) -> None:
    """`smtps://` connects with TLS at once (implicit TLS) and sends."""
    with serving(ssl_context=trusted) as server:
        SmtpMailer(parse_smtp_url(f"smtps://127.0.0.1:{server.port}", timeout=5)).send(message())
        assert len(server.wait_for(1)) == 1


def test_a_server_without_starttls_is_refused_not_used_in_the_clear(
    mail_server: MailServer,
) -> None:
    """`smtp://` to a server that offers no STARTTLS fails (to be retried) and sends nothing."""
    mailer = SmtpMailer(parse_smtp_url(f"smtp://127.0.0.1:{mail_server.port}", timeout=5))
    with pytest.raises(TemporaryMailError, match="does not offer STARTTLS"):
        mailer.send(message())
    assert mail_server.messages == []


def test_failures_say_whether_to_retry(mail_server: MailServer) -> None:
    """A refused recipient (5xx) is permanent; a server that is down is temporary."""
    mailer = SmtpMailer(parse_smtp_url(mail_server.url, timeout=5))
    mail_server.handler.refuse.add("gone@example.org")
    with pytest.raises(PermanentMailError, match="550"):
        mailer.send(message("gone@example.org"))
    mail_server.stop()
    with pytest.raises(TemporaryMailError):
        mailer.send(message())
