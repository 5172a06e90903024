"""Reply-notification subscriptions match an address on the key every other match uses
(``service.addresses.email_key``: trimmed, lower case, NFC): opting in again, a reply to
one's own comment, unsubscribing, and a privacy request typed in another spelling all
find the same subscription; the ``notify2`` upgrade keys (and merges) the rows stored
before. Real SMTP server, SQLite file and Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from service import create_app, privacy, sites
from service.clock import utcnow
from service.notify import subscriptions, tokens
from service.store import Database
from service.store.migrate import alembic_config, upgrade
from service.store.tables_notify import MailMessage, MailSubscription, MailSubscriptionMerge
from tests.factories import post
from tests.mail_server import MailServer, mail_settings
from tests.notify_helpers import links, outbox_rows, path_of, publish, send_outbox
from tests.service.test_migrations import schema_drift

#: ``J`` and a combining caron (no composed capital exists) lowers to ``j`` and the caron,
#: which NFC composes into ``ǰ``: ``strip().lower()`` and the key disagree on it.
JOHN, JOHN_LOWER = "J\u030cohn@example.org", "\u01f0ohn@example.org"
SPELLINGS = [
    pytest.param(JOHN, JOHN_LOWER, id="decomposed"),
    pytest.param("İnci@Example.org", "i\u0307NCI@example.ORG", id="dotted-capital-i"),
    pytest.param("\u212aelvin@example.org", "kelvin@example.org", id="kelvin-sign"),
]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 that offers SMTPUTF8: ``İnci@…`` gets her mail."""
    server = MailServer(smtputf8=True).start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app sends mail to that server."""
    return mail_settings(settings, mail_server)


def _subscriptions(db: Database) -> list[MailSubscription]:
    with db.session() as session:
        return list(session.scalars(select(MailSubscription).order_by(MailSubscription.id)))


def _confirmed(app: Flask, mail_server: MailServer, email: str) -> str:
    """Opt in with ``email`` and confirm with the link of the confirmation mail (sent over
    SMTPUTF8 where the local part is not ASCII); return the comment id."""
    client, db = app.test_client(), app.extensions["moderato.db"]
    first = post(client, notify_replies=True, email=email).get_json()["id"]
    assert len(publish(db, first)) == 1  # its confirmation mail
    assert send_outbox(app) == ["sent"]
    [confirm] = links(mail_server.wait_for(1)[-1])
    assert client.post(path_of(confirm)).status_code == 200
    assert [s.state for s in _subscriptions(db)] == ["confirmed"]
    return str(first)


@pytest.mark.parametrize(("stored", "typed"), SPELLINGS)
def test_one_subscription_per_address_however_it_is_spelled(
    app: Flask,
    client: FlaskClient,
    db: Database,
    mail_server: MailServer,
    stored: str,
    typed: str,
) -> None:
    """A reader confirmed as ``stored`` who opts in again as ``typed`` has the one
    subscription, already confirmed (no second confirmation mail), and a reply of theirs
    to their own comment mails nobody (``J̌ohn`` and ``ǰohn`` were two subscriptions, and
    he was told of his own reply)."""
    first = _confirmed(app, mail_server, stored)
    again = post(client, notify_replies=True, email=typed).get_json()["id"]
    assert publish(db, again) == []
    own = post(client, parent=first, email=typed, text="A reply to myself.").get_json()["id"]
    assert publish(db, own) == []
    assert [(s.state, s.email_key) for s in _subscriptions(db)] == [
        ("confirmed", privacy.normalise(typed))
    ]
    other = post(client, parent=first, email="bob@example.org", name="Bob").get_json()["id"]
    assert len(publish(db, other)) == 1  # someone else's reply is told, to the one address


@pytest.mark.parametrize(("stored", "typed"), SPELLINGS)
def test_a_privacy_request_typed_another_way_finds_the_subscription(
    app: Flask,
    client: FlaskClient,
    db: Database,
    mail_server: MailServer,
    stored: str,
    typed: str,
) -> None:
    """The export and the erasure of ``typed`` list and delete the subscription of
    ``stored`` with its mails (the erasure of ``ǰohn@…`` kept ``J̌ohn@…``'s, the address
    with it, and answered ``complete``)."""
    first = _confirmed(app, mail_server, stored)
    reply = post(client, parent=first, email="bob@example.org", name="Bob").get_json()["id"]
    assert len(publish(db, reply)) == 1
    with db.session() as session:
        [listed] = privacy.export(session, typed)["reply_notifications"]
    assert [m["kind"] for m in listed["mails"]] == ["confirm", "reply"]
    assert privacy.erase_in_batches(db, typed, "test").subscriptions == 1
    assert _subscriptions(db) == [] and outbox_rows(db) == []


@pytest.mark.parametrize(("stored", "typed"), SPELLINGS)
def test_unsubscribing_compares_the_key(
    app: Flask,
    client: FlaskClient,
    db: Database,
    mail_server: MailServer,
    stored: str,
    typed: str,
) -> None:
    """``subscriptions.unsubscribe`` ends the subscription of the address however it is
    spelled, and still refuses another address."""
    _confirmed(app, mail_server, stored)
    [sub] = _subscriptions(db)
    with db.session() as session:
        assert not subscriptions.unsubscribe(session, sub.id, "someone@example.org")
        assert subscriptions.unsubscribe(session, sub.id, typed)
    assert [s.state for s in _subscriptions(db)] == ["unsubscribed"]


Row = tuple[int, int, str, str, datetime]


def _before_notify2(url: str, rows: Callable[[int, int], list[Row]]) -> tuple[int, int]:
    """Migrate ``url`` to the revision before ``notify2`` with two sites, and store the
    subscriptions ``rows(default, other)`` names (id, site, email as then stored:
    ``strip().lower()``, state, decided), each with a pending reply mail; return the sites."""
    upgrade(url, "hooks2")
    old = Database(url)
    now = utcnow()
    with old.session() as session:
        site = sites.ensure_default(session).id
        other = sites.create(session, "Other", ["https://other.example"], slug="other").site.id
    with old.engine.begin() as conn:
        for sub_id, site_id, email, state, when in rows(site, other):
            conn.execute(
                text(
                    "INSERT INTO mail_subscriptions (id, site_id, email, state, nonce, lang,"
                    " created_at, confirmed_at, unsubscribed_at) VALUES (:id, :site, :email,"
                    " :state, '', 'en', :created, :confirmed, :unsubscribed)"
                ),
                {"id": sub_id, "site": site_id, "email": email, "state": state,
                 "created": (when - timedelta(hours=1)).replace(tzinfo=None),
                 "confirmed": when.replace(tzinfo=None) if state == "confirmed" else None,
                 "unsubscribed": when.replace(tzinfo=None) if state != "confirmed" else None},
            )  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO mail_outbox (id, site_id, subscription_id, kind, comment_id,"
                    " status, attempts, created_at) VALUES (:id, :site, :sub, 'reply', :c,"
                    " 'pending', 0, :now)"
                ),
                {"id": f"mail_{sub_id}", "site": site_id, "sub": sub_id, "c": f"c{sub_id}",
                 "now": now.replace(tzinfo=None)},
            )  # fmt: skip
    old.dispose()
    return site, other


def test_notify2_keys_the_subscriptions_and_merges_one_readers_two(tmp_path: Path) -> None:
    """Upgrading past ``notify2`` keys every subscription; two of one site whose keys meet
    (``ǰohn@…`` confirmed, ``ǰohn@…`` unsubscribed later) become the one of the later
    decision, with both rows' mails, while the same address on another site stays its own;
    a downgrade and upgrade leave the models' schema."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    now = utcnow()
    site, other = _before_notify2(
        url,
        lambda site, other: [  # id, site, email (as stored before: strip().lower()), ...
            (1, site, JOHN.lower(), "confirmed", now - timedelta(days=2)),
            (2, site, JOHN_LOWER, "unsubscribed", now - timedelta(days=1)),
            (3, other, JOHN.lower(), "confirmed", now - timedelta(days=3)),
        ],
    )
    upgrade(url)
    command.downgrade(alembic_config(url), "hooks2")
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.session() as session:
            subs = session.scalars(select(MailSubscription).order_by(MailSubscription.id)).all()
            mails = session.scalars(select(MailMessage).order_by(MailMessage.id)).all()
            keys = {(s.id, s.site_id, s.state, s.email_key) for s in subs}
            assert keys == {
                (2, site, "unsubscribed", JOHN_LOWER),
                (3, other, "confirmed", JOHN_LOWER),
            }
            assert [(m.id, m.subscription_id) for m in mails] == [
                ("mail_1", 2), ("mail_2", 2), ("mail_3", 3)
            ]  # fmt: skip
            erased = privacy.erase(session, JOHN_LOWER, "test")
        assert erased.subscriptions == 2
    finally:
        new.dispose()


def test_an_unsubscribe_link_of_a_merged_away_subscription_ends_the_kept_one(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    """Two confirmed subscriptions of one reader (``J̌ohn@…``, ``ǰohn@…``) become one at
    ``notify2``; the unsubscribe link mailed for the deleted one asks, then unsubscribes
    the kept one and cancels its waiting mails (it said "unsubscribed" and mails went on);
    erasing the reader leaves no merge row, and the link then changes nothing."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    now = utcnow()
    _before_notify2(
        url,
        lambda site, _other: [
            (1, site, JOHN.lower(), "confirmed", now - timedelta(days=2)),
            (2, site, JOHN_LOWER, "confirmed", now - timedelta(days=1)),
        ],
    )
    upgrade(url)
    app = create_app({**settings, "DATABASE_URL": url, "TESTING": True})
    db: Database = app.extensions["moderato.db"]
    try:
        with db.session() as session:
            merges = session.execute(select(MailSubscriptionMerge)).scalars().all()
            assert [(m.merged_id, m.subscription_id) for m in merges] == [(1, 2)]
        link = tokens.link(
            "http://localhost",
            tokens.UNSUBSCRIBE_PATH,
            tokens.unsubscribe_token(settings["SECRET_KEY"], 1, JOHN.lower()),
        )
        client = app.test_client()
        html = {"Accept": "text/html"}
        asked = client.get(link, headers=html)
        assert asked.status_code == 200 and b"<form" in asked.data
        assert [(s.id, s.state) for s in _subscriptions(db)] == [(2, "confirmed")]
        done = client.post(link, headers=html)
        assert done.status_code == 200
        assert [(s.id, s.state) for s in _subscriptions(db)] == [(2, "unsubscribed")]
        assert {(m.subscription_id, m.status) for m in _mails(db)} == {(2, "cancelled")}
        with db.session() as session:
            assert privacy.erase(session, JOHN_LOWER, "test").subscriptions == 1
            assert session.execute(select(MailSubscriptionMerge)).scalars().all() == []
        assert client.post(link, headers=html).status_code == 200  # erased: nothing to end
        assert _subscriptions(db) == []
    finally:
        db.dispose()
        app.extensions["moderato.redis"].close()


def _mails(db: Database) -> list[MailMessage]:
    with db.session() as session:
        return list(session.scalars(select(MailMessage).order_by(MailMessage.id)))
