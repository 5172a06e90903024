"""Reply notifications: the confirmation mail (double opt-in), received by a real SMTP server,
and the signed links of our mails followed against the app, forged ones refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from service import privacy
from service.notify import tokens
from service.store import Database
from service.store.tables_notify import MailSubscription
from tests.factories import post
from tests.mail_server import SENDER, MailServer, mail_settings, text_of
from tests.notify_helpers import links, path_of, publish, send_outbox, subscription

NOT_VALID = "This link is not valid"
EXPIRED = "This confirmation link has expired"


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app sends mail to a real SMTP server on 127.0.0.1."""
    return mail_settings(settings, mail_server)


def ask(client: FlaskClient, db: Database, **fields: Any) -> str:
    """Post a comment that opts in, publish it, send the outbox; return the comment id."""
    comment_id = str(post(client, notify_replies=True, **fields).get_json()["id"])
    assert len(publish(db, comment_id)) == 1
    return comment_id


def test_the_confirmation_mail_confirms_the_address_on_a_post_only(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Publishing an opted-in comment sends one confirmation mail (plain text and HTML, in
    the reader's language) whose signed link shows a question on GET, changing nothing (mail
    scanners follow links), and confirms on POST; a second POST says the same."""
    ask(client, db, lang="fr", name="Ada Lovelace")
    assert send_outbox(app) == ["sent"]
    [mail] = mail_server.wait_for(1)
    assert mail["To"] == "ada@example.org" and mail["From"] == SENDER
    assert mail["Subject"] == "Confirmez les notifications de réponses de Default site"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Content-Language"] == "fr"
    assert mail["Message-ID"].endswith("@news.example>") and mail["List-Unsubscribe"] is None
    assert text_of(mail).startswith("Bonjour Ada Lovelace,")
    assert mail.get_body(preferencelist=("html",)) is not None
    [link] = links(mail)
    assert link.startswith("http://localhost/mail/confirm?token=")

    page = client.get(path_of(link))
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert "ada@example.org" in html and "Oui, prévenez-moi" in html and 'method="post"' in html
    assert subscription(db).state == "pending"  # type: ignore[union-attr]

    done = client.post(path_of(link))
    assert done.status_code == 200
    assert "C’est fait" in done.get_data(as_text=True)
    sub = subscription(db)
    assert sub is not None and sub.state == "confirmed" and sub.confirmed_at is not None
    again = client.post(path_of(link))
    assert again.status_code == 200 and "C’est fait" in again.get_data(as_text=True)


def _altered(token: str) -> str:
    """Change one character of the signature (the token's last part)."""
    return token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]


def test_forged_or_altered_links_are_refused_with_a_clear_page(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A confirmation or unsubscribe link whose token was altered, signed with another
    secret, cut, swapped between the two pages, missing, or (unsubscribe) naming no
    address answers 400 with a page saying the link is not valid, on GET and POST (the
    one-click POST included), and changes nothing."""
    ask(client, db)
    send_outbox(app)
    [link] = links(mail_server.wait_for(1)[0])
    good = link.split("token=", 1)[1]
    sub = subscription(db)
    assert sub is not None
    foreign = tokens.confirm_token("another-secret", sub.id, sub.nonce)
    bad_confirms = [_altered(good), foreign, good[: len(good) // 2], "", "x" * 300]
    for bad in bad_confirms:
        for method in (client.get, client.post):
            rv = method(f"/mail/confirm?token={bad}")
            assert rv.status_code == 400, bad
            assert NOT_VALID in rv.get_data(as_text=True)
    assert subscription(db).state == "pending"  # type: ignore[union-attr]

    assert client.post(path_of(link)).status_code == 200  # confirmed by the real link
    real_unsub = tokens.unsubscribe_token(app.config["SECRET_KEY"], sub.id, sub.email)
    bad_unsubs = [
        _altered(real_unsub),
        tokens.unsubscribe_token("another-secret", sub.id, sub.email),
        good,  # a confirmation token is not an unsubscribe token
        URLSafeSerializer(app.config["SECRET_KEY"], salt=tokens.UNSUBSCRIBE_SALT).dumps(
            {"s": sub.id}
        ),  # ours, but without the address it was mailed to
        "",
    ]
    for bad in bad_unsubs:
        rv = client.post(
            f"/mail/unsubscribe?token={bad}",
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert rv.status_code == 400 and NOT_VALID in rv.get_data(as_text=True)
    assert subscription(db).state == "confirmed"  # type: ignore[union-attr]


def test_an_expired_or_replaced_confirmation_link_says_so(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A confirmation link past MAIL_CONFIRM_MAX_AGE answers 410 saying it expired; so does
    a link whose address unsubscribed since (its nonce changed), so an old mail cannot
    subscribe an address again."""
    ask(client, db)
    send_outbox(app)
    [link] = links(mail_server.wait_for(1)[0])
    sub = subscription(db)
    assert sub is not None

    app.config["MAIL_CONFIRM_MAX_AGE"] = -1  # every link is older than that
    expired = client.post(path_of(link))
    assert expired.status_code == 410 and EXPIRED in expired.get_data(as_text=True)
    app.config["MAIL_CONFIRM_MAX_AGE"] = 7 * 24 * 3600

    unsub = tokens.unsubscribe_token(app.config["SECRET_KEY"], sub.id, sub.email)
    assert client.post(f"/mail/unsubscribe?token={unsub}").status_code == 200
    replaced = client.post(path_of(link))
    assert replaced.status_code == 410 and EXPIRED in replaced.get_data(as_text=True)
    assert subscription(db).state == "unsubscribed"  # type: ignore[union-attr]


def test_the_unsubscribe_page_asks_on_get_and_the_one_click_post_unsubscribes(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """GET on an unsubscribe link shows a button and changes nothing; RFC 8058's POST
    (`List-Unsubscribe=One-Click`, no cookie) unsubscribes, and repeating it says the same."""
    ask(client, db)
    send_outbox(app)
    client.post(path_of(links(mail_server.wait_for(1)[0])[0]))
    sub = subscription(db)
    assert sub is not None and sub.state == "confirmed"
    token = tokens.unsubscribe_token(app.config["SECRET_KEY"], sub.id, sub.email)
    url = f"/mail/unsubscribe?token={token}"

    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe</button>" in page.get_data(as_text=True)
    assert subscription(db).state == "confirmed"  # type: ignore[union-attr]
    for _ in range(2):
        rv = client.post(
            url,
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert rv.status_code == 200
        assert "You are unsubscribed" in rv.get_data(as_text=True)
    assert subscription(db).state == "unsubscribed"  # type: ignore[union-attr]


def test_an_unsubscribe_link_stops_only_the_address_it_was_mailed_to(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """An unsubscribe link names the address it was mailed to, not only a subscription id:
    should the id come to hold another address (a database restored from a backup, a
    sequence reset), the old link answers that it is unsubscribed and stops no one, while
    the other address's own link works."""
    ada = ask(client, db)
    send_outbox(app)
    client.post(path_of(links(mail_server.wait_for(1)[0])[0]))
    publish(db, post(client, parent=ada, name="Bob", email="bob@example.org").get_json()["id"])
    assert send_outbox(app) == ["sent"]
    old_link = str(mail_server.wait_for(2)[1]["List-Unsubscribe"]).strip("<>")
    sub = subscription(db)
    assert sub is not None
    privacy.erase_in_batches(db, "ada@example.org", "test")
    with db.session() as session:  # Erin's subscription, under Ada's old id
        session.add(
            MailSubscription(
                id=sub.id, site_id=sub.site_id, email="erin@example.org", state="confirmed"
            )
        )
    one_click = {
        "data": "List-Unsubscribe=One-Click",
        "content_type": "application/x-www-form-urlencoded",
    }
    rv = client.post(path_of(old_link), **one_click)
    assert rv.status_code == 200 and "You are unsubscribed" in rv.get_data(as_text=True)
    assert subscription(db, "erin@example.org").state == "confirmed"  # type: ignore[union-attr]

    token = tokens.unsubscribe_token(app.config["SECRET_KEY"], sub.id, "erin@example.org")
    assert client.post(f"/mail/unsubscribe?token={token}", **one_click).status_code == 200
    assert subscription(db, "erin@example.org").state == "unsubscribed"  # type: ignore[union-attr]


def test_ticking_the_box_again_after_unsubscribing_asks_for_a_new_confirmation(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """An unsubscribe lifts the limit of one confirmation a week: the next opt-in brings a
    new confirmation mail at once, whose link subscribes the address again. The limit still
    holds for an address that has not acted since: another opt-in before it confirms
    sends nothing."""
    ask(client, db)
    send_outbox(app)
    client.post(path_of(links(mail_server.wait_for(1)[0])[0]))
    sub = subscription(db)
    assert sub is not None and sub.state == "confirmed"
    token = tokens.unsubscribe_token(app.config["SECRET_KEY"], sub.id, sub.email)
    assert client.post(f"/mail/unsubscribe?token={token}").status_code == 200
    assert subscription(db).state == "unsubscribed"  # type: ignore[union-attr]

    ask(client, db, text="Back again: please tell me about replies to this one.")
    assert send_outbox(app) == ["sent"]
    again = mail_server.wait_for(2)[1]
    assert again["Subject"].startswith("Confirm reply notifications")
    ask(client, db, text="And one more comment, the box ticked once more.")
    assert send_outbox(app) == ["cancelled"]
    [link] = links(again)
    assert client.post(path_of(link)).status_code == 200
    assert subscription(db).state == "confirmed"  # type: ignore[union-attr]
    assert len(mail_server.messages) == 2


def test_a_bad_link_is_a_page_for_a_reader_and_the_json_shape_for_a_script(
    client: FlaskClient,
) -> None:
    """A browser gets the page; a client asking for JSON (or nothing in particular, as mail
    clients' one-click posts do) gets the one error shape naming the token field."""
    for path in ("/mail/confirm?token=bad", "/mail/unsubscribe?token=bad"):
        page = client.post(path, headers={"Accept": "text/html"})
        assert page.status_code == 400 and page.content_type.startswith("text/html")
        assert NOT_VALID in page.get_data(as_text=True)
        script = client.post(path, headers={"Accept": "application/json"})
        assert script.status_code == 400
        error = script.get_json()["error"]
        assert error["code"] == "invalid_link"
        assert error["fields"]["token"]["code"] == "invalid_token"
