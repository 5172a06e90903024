"""Where reply notifications go, and what their links name. A subscription keeps the
address in its key's form (lower case, composed: ``J̌ohn@…`` is mailed at ``ǰohn@…``).
Internationalised addresses (RFC 6531, SMTPUTF8): with a server that offers SMTPUTF8, the
confirmation and the reply reach a non-ASCII local part, their links work and the
one-click unsubscribe header arrives as written; with one that does not, the mail fails
at once (never retried) and its outbox row says why. An address whose only non-ASCII
part is its domain needs no SMTPUTF8: it goes out to the domain's ASCII (IDNA) form. Rows
kept in the older form keep working links. Real SMTP server (aiosmtpd), SQLite file and
Redis."""

from __future__ import annotations

import hashlib
import hmac
import re
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from service import sites
from service.clock import utcnow
from service.notify import tokens
from service.store import Database
from service.store.tables_notify import MailSubscription
from tests.factories import post
from tests.mail_server import MailServer, mail_settings, raw_headers
from tests.notify_helpers import links, outbox_rows, path_of, publish, send_outbox

#: ``J`` and a combining caron (no composed capital exists) lowers to ``j`` and the caron,
#: which NFC composes into ``ǰ``.
JOHN, JOHN_LOWER = "J\u030cohn@example.org", "\u01f0ohn@example.org"
ZOE = "Zo\u00eb@example.org"  # what the form stores (NFC); mail goes to the lower case


@pytest.fixture
def smtputf8() -> bool:
    """Whether the test's SMTP server offers SMTPUTF8 (a test parametrizes it off)."""
    return True


@pytest.fixture
def mail_server(smtputf8: bool) -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1, offering SMTPUTF8 as ``smtputf8`` says."""
    server = MailServer(smtputf8=smtputf8).start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app sends mail to that server."""
    return mail_settings(settings, mail_server)


def _subscriptions(db: Database) -> list[MailSubscription]:
    with db.session() as session:
        return list(session.scalars(select(MailSubscription).order_by(MailSubscription.id)))


def _header(raw: bytes, name: str) -> str:
    [line] = [h for h in raw_headers(raw) if h.lower().startswith(name.lower() + ":")]
    return line


@pytest.mark.parametrize(
    ("typed", "mailed"),
    [
        pytest.param(" Zoe\u0308@Example.org", "zo\u00eb@example.org", id="decomposed-diaeresis"),
        pytest.param(JOHN, JOHN_LOWER, id="combining-caron"),
        pytest.param("İnci@example.org", "i\u0307nci@example.org", id="dotted-capital-i"),
    ],
)
def test_confirmation_and_reply_reach_a_non_ascii_local_part(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer, typed: str, mailed: str
) -> None:
    """An author who typed a non-ASCII local part gets the confirmation over SMTPUTF8, to
    the address in its composed lower case (``J̌ohn`` went to ``j`` + a combining caron,
    which no mailbox spells so), confirms with its link, and gets the reply's mail with
    ``List-Unsubscribe`` on one line, whose link unsubscribes."""
    zoe = post(client, notify_replies=True, email=typed).get_json()["id"]
    assert len(publish(db, zoe)) == 1
    assert send_outbox(app) == ["sent"]
    [confirmation] = mail_server.wait_for(1)
    assert mail_server.handler.envelopes[0][1] == [mailed]
    assert mail_server.handler.smtputf8 == [True]
    assert confirmation["To"].addresses[0].addr_spec == mailed
    assert _header(mail_server.raw[0], "To") == f"To: {mailed}"  # raw UTF-8, as RFC 6532 has it
    [confirm] = links(confirmation)
    assert client.post(path_of(confirm)).status_code == 200
    reply = post(client, parent=zoe, name="Bob", email="bob@example.org").get_json()["id"]
    assert len(publish(db, reply)) == 1
    assert send_outbox(app) == ["sent"]
    notice = mail_server.wait_for(2)[1]
    assert mail_server.handler.envelopes[1][1] == [mailed]
    unsubscribe = _header(mail_server.raw[1], "List-Unsubscribe")
    found = re.fullmatch(
        r"List-Unsubscribe: <(http://localhost/mail/unsubscribe\?\S+)>", unsubscribe
    )
    assert found is not None and found.group(1) in links(notice)
    assert client.post(path_of(found.group(1))).status_code == 200
    assert [(r.kind, r.status) for r in outbox_rows(db)] == [("confirm", "sent"), ("reply", "sent")]
    again = post(client, parent=zoe, name="Bob", email="bob@example.org").get_json()["id"]
    assert publish(db, again) == []  # unsubscribed


@pytest.mark.parametrize("smtputf8", [False])
def test_without_smtputf8_the_mail_fails_for_good_and_says_why(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A server that does not offer SMTPUTF8 cannot take mail for ``zoë@…``: the attempt
    fails permanently (no retry is scheduled: the server will not change its mind), the
    outbox row names SMTPUTF8, and nothing reaches the server."""
    zoe = post(client, notify_replies=True, email=ZOE).get_json()["id"]
    assert len(publish(db, zoe)) == 1
    assert send_outbox(app) == ["failed"]
    [row] = outbox_rows(db)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 1, None)
    assert row.last_error is not None and "SMTPUTF8" in row.last_error
    assert send_outbox(app) == []  # nothing left to try
    assert mail_server.messages == []


@pytest.mark.parametrize("smtputf8", [False, True])
def test_a_non_ascii_domain_alone_needs_no_smtputf8(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """``ada@exämple.org`` goes out to the domain's ASCII form (``xn--…``), which every
    server takes, with SMTPUTF8 or without (it failed without, as a non-ASCII local part
    does)."""
    ada = post(client, notify_replies=True, email="ada@Ex\u00e4mple.org").get_json()["id"]
    assert len(publish(db, ada)) == 1
    assert send_outbox(app) == ["sent"]
    [confirmation] = mail_server.wait_for(1)
    assert mail_server.handler.envelopes[0][1] == ["ada@xn--exmple-cua.org"]
    assert mail_server.handler.smtputf8 == [False]
    assert confirmation["To"].addresses[0].addr_spec == "ada@xn--exmple-cua.org"


def test_links_mailed_for_a_row_kept_in_the_older_form_keep_working(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """An unsubscribe link's tag hashes its subscription's own ``email``, which a row keeps
    for good: a row older code kept as ``strip().lower()`` made it (``j`` + a combining
    caron for ``J̌ohn@…``; rows are kept in the key's form now) answers the link mailed
    for it, and the reply mailed to it now carries a link that works too. (Hashing the
    key instead would have turned every link already mailed for such a row into one
    that silently unsubscribes nobody.)"""
    with db.session() as session:
        site = sites.by_slug(session, "default")
        assert site is not None
        row = MailSubscription(
            site_id=site.id, email=JOHN.lower(), state="confirmed", confirmed_at=utcnow()
        )
        session.add(row)
        session.flush()
        mailed = _mailed_token(app.config["SECRET_KEY"], row.id, JOHN.lower())
    before = tokens.link("http://localhost", tokens.UNSUBSCRIBE_PATH, mailed)
    john = post(client, notify_replies=True, email=JOHN_LOWER).get_json()["id"]
    assert publish(db, john) == []  # the row of his key, confirmed already
    reply = post(client, parent=john, email="bob@example.org", name="Bob").get_json()["id"]
    assert len(publish(db, reply)) == 1
    assert send_outbox(app) == ["sent"]
    assert mail_server.handler.envelopes[-1][1] == [JOHN.lower()]  # where the row says
    *_, now = links(mail_server.wait_for(1)[-1])
    html = {"Accept": "text/html"}
    for link in (before, now):
        asked = client.get(path_of(link), headers=html)
        assert asked.status_code == 200 and b"<form" in asked.data  # the tag is its row's
    assert client.post(path_of(before), headers=html).status_code == 200
    assert [s.state for s in _subscriptions(db)] == ["unsubscribed"]


def _mailed_token(secret: str, sub_id: int, email: str) -> str:
    """Return an unsubscribe token as the links already mailed carry it, made here and
    not by ``tokens`` (whose making may change; what was mailed cannot): the subscription
    id and a keyed SHA-256 of the address ``strip().lower()``, signed with itsdangerous."""
    key = hmac.new(secret.encode(), tokens.ADDRESS_SALT, hashlib.sha256).digest()
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256).digest()
    claims = {"s": sub_id, "a": urlsafe_b64encode(digest[:12]).decode()}
    return URLSafeSerializer(secret, salt=tokens.UNSUBSCRIBE_SALT).dumps(claims)
