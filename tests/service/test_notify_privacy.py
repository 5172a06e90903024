"""Reply notifications in a commenter's data request: the export lists the address's
subscriptions and their mails; erasure removes them, and no mail goes out after it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from service import privacy
from service.clock import rfc3339, utcnow
from service.store import Database
from service.store.tables_notify import MailMessage
from tests.factories import post
from tests.mail_server import MailServer, mail_settings
from tests.notify_helpers import links, outbox_rows, path_of, publish, send_outbox, subscription
from tests.privacy_helpers import _every_stored_value

ADA = "ada@example.org"


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app sends mail to a real SMTP server on 127.0.0.1."""
    return mail_settings(settings, mail_server)


def confirmed_ada_with_a_reply_waiting(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> dict[str, str]:
    """Ada opts in (typing her address in capitals) and confirms; Bob's reply to her is
    published, its mail written but not sent yet. Return the comment ids."""
    ada = post(client, notify_replies=True, email="  ADA@Example.org").get_json()["id"]
    publish(db, ada)
    send_outbox(app)
    client.post(path_of(links(mail_server.wait_for(1)[0])[0]))
    bob = post(client, parent=ada, name="Bob", email="bob@example.org").get_json()["id"]
    assert len(publish(db, bob)) == 1
    return {"ada": ada, "bob": bob}


def test_the_export_lists_the_subscription_its_mails_and_each_opt_in(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A data export of the address holds its subscription on each site (state, language,
    times) with the mails sent or waiting for it, and each comment's opt-in; it is JSON."""
    ids = confirmed_ada_with_a_reply_waiting(app, client, db, mail_server)
    with db.session() as session:
        found = privacy.export(session, ADA)
    [sub] = found["reply_notifications"]
    assert (sub["site"], sub["email"], sub["state"], sub["language"]) == (
        "default", ADA, "confirmed", "en"
    )  # fmt: skip
    assert sub["confirmed_at"] and sub["confirmation_sent_at"] and sub["unsubscribed_at"] is None
    assert [(m["kind"], m["comment"], m["status"]) for m in sub["mails"]] == [
        ("confirm", ids["ada"], "sent"),
        ("reply", ids["bob"], "pending"),
    ]
    assert [c["notify_replies"] for c in found["comments"]] == [True]
    json.dumps(found)


def test_erasure_removes_the_subscriptions_and_no_mail_goes_out_after_it(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Erasing the address deletes its subscription and its outbox rows (the reply mail
    waiting is never sent), clears its comments' opt-in, counts the subscription in the
    audit entry, and leaves the address nowhere in the database."""
    confirmed_ada_with_a_reply_waiting(app, client, db, mail_server)
    done = privacy.erase_in_batches(db, ADA, "test")
    assert done.subscriptions == 1
    assert subscription(db, ADA) is None
    assert [r.kind for r in outbox_rows(db)] == []
    assert send_outbox(app) == []
    assert len(mail_server.messages) == 1  # the confirmation, before the erasure
    with db.session() as session:
        assert privacy.export(session, ADA)["reply_notifications"] == []
    assert ADA not in _every_stored_value(db)


def test_erasure_on_one_site_keeps_the_subscription_of_another(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """`erase --site S` removes the address's subscription on S only."""
    from service import sites

    with db.session() as session:
        sites.create(session, "Other", ["https://other.example"], slug="other")
    for site in ("default", "other"):
        publish(db, post(client, notify_replies=True, site=site).get_json()["id"])
    assert len(outbox_rows(db)) == 2
    done = privacy.erase_in_batches(db, ADA, "test", site_slug="other")
    assert done.subscriptions == 1
    with db.session() as session:
        left = privacy.export(session, ADA)["reply_notifications"]
    assert [s["site"] for s in left] == ["default"]


def test_an_erased_readers_old_unsubscribe_link_reaches_no_later_subscriber(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Dave confirms and gets a reply mail, then is erased; Erin opts in and confirms
    after him. Her subscription gets a new id (SQLite would hand out the erased row's id
    again), and a one-click POST of Dave's old unsubscribe link leaves her subscribed."""
    dave, erin = "dave@example.org", "erin@example.org"
    asked = post(client, notify_replies=True, name="Dave", email=dave).get_json()["id"]
    publish(db, asked)
    send_outbox(app)
    client.post(path_of(links(mail_server.wait_for(1)[0])[0]))
    publish(db, post(client, parent=asked, name="Bob", email="bob@example.org").get_json()["id"])
    assert send_outbox(app) == ["sent"]
    old_link = str(mail_server.wait_for(2)[1]["List-Unsubscribe"]).strip("<>")
    dave_sub = subscription(db, dave)
    assert dave_sub is not None and dave_sub.state == "confirmed"
    assert privacy.erase_in_batches(db, dave, "test").subscriptions == 1

    publish(db, post(client, notify_replies=True, name="Erin", email=erin).get_json()["id"])
    assert send_outbox(app) == ["sent"]
    client.post(path_of(links(mail_server.wait_for(3)[2])[0]))
    erin_sub = subscription(db, erin)
    assert erin_sub is not None and erin_sub.state == "confirmed"
    assert erin_sub.id != dave_sub.id
    rv = client.post(
        path_of(old_link),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert rv.status_code == 200  # Dave's subscription is gone: as unsubscribed as can be
    assert subscription(db, erin).state == "confirmed"  # type: ignore[union-attr]


def test_the_export_says_a_mail_was_sent_when_the_server_accepted_it(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """The SMTP server puts Ada's confirmation off the first time (451) and takes its time
    to accept the retry. After the failed attempt the export shows no confirmation sent and
    the mail pending without a send time; after the retry, the mail's ``sent_at`` and the
    subscription's ``confirmation_sent_at`` are when the server accepted it, not when the
    attempt began (both were: the failed attempt's start, then the retry's)."""
    mail_server.handler.defer = 1
    mail_server.handler.accept_after = 0.3
    ada = post(client, notify_replies=True, email=ADA).get_json()["id"]
    publish(db, ada)
    assert send_outbox(app) == ["retry"]
    with db.session() as session:
        [sub] = privacy.export(session, ADA)["reply_notifications"]
    assert sub["confirmation_sent_at"] is None
    assert [(m["status"], m["sent_at"]) for m in sub["mails"]] == [("pending", None)]

    with db.session() as session:  # the retry is due now
        session.execute(update(MailMessage).values(next_attempt_at=utcnow()))
    assert send_outbox(app) == ["sent"]
    [accepted] = mail_server.handler.accepted_at
    with db.session() as session:
        [sub] = privacy.export(session, ADA)["reply_notifications"]
    [mail] = sub["mails"]
    assert mail["status"] == "sent" and mail["sent_at"] == sub["confirmation_sent_at"]
    assert rfc3339(accepted) <= mail["sent_at"] <= rfc3339(utcnow())
    assert len(mail_server.messages) == 1
