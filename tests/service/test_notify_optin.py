"""Reply notifications, the reader's side: the opt-in at intake, the checkbox offered only
when mail is configured, and the settings that turn it on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import ConfigError
from service.mailer import parse_smtp_url
from service.store import Database
from service.store.tables import Comment
from tests.factories import payload, post
from tests.mail_server import MailServer, mail_settings

HTML = {"Accept": "text/html"}


def comment_row(db: Database, comment_id: str) -> Comment:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row


@pytest.fixture
def mail_app(settings: dict[str, Any], mail_server: MailServer) -> Iterator[Flask]:
    """The app with mail configured (a real SMTP server on 127.0.0.1)."""
    application = create_app({**mail_settings(settings, mail_server), "TESTING": True})
    yield application
    application.extensions["moderato.db"].dispose()
    application.extensions["moderato.redis"].close()


def test_the_opt_in_is_stored_with_the_comment_and_its_language(mail_app: Flask) -> None:
    """With mail on, `notify_replies` is kept on the comment (JSON true, or a checkbox's
    "on" in a form) with the reader's language; a comment without it is not opted in."""
    client = mail_app.test_client()
    db = mail_app.extensions["moderato.db"]
    json_id = post(client, notify_replies=True, lang="fr-CA").get_json()["id"]
    form = {**payload(text="Second comment, from the plain form."), "notify_replies": "on"}
    form_id = client.post("/api/v1/comments", data=form).get_json()["id"]
    plain_id = post(client, text="A comment with no opt-in at all.").get_json()["id"]
    assert (comment_row(db, json_id).notify_replies, comment_row(db, json_id).lang) == (True, "fr")
    assert (comment_row(db, form_id).notify_replies, comment_row(db, form_id).lang) == (True, "en")
    assert (comment_row(db, plain_id).notify_replies, comment_row(db, plain_id).lang) == (
        False,
        None,
    )


def test_an_opt_in_that_is_not_yes_or_no_is_a_field_error(mail_app: Flask) -> None:
    """`notify_replies` takes true/false (or a form's 1/0, on/off, yes/no); anything else is
    a 422 in the one error shape, listed with every other failing field."""
    rv = post(mail_app.test_client(), notify_replies="maybe", name="")
    assert rv.status_code == 422
    fields = rv.get_json()["error"]["fields"]
    assert fields["notify_replies"] == {
        "code": "invalid_boolean",
        "message": "This field must be true or false.",
    }
    assert fields["name"]["code"] == "required"


def test_an_opt_in_without_an_email_fails_on_the_email_field(mail_app: Flask) -> None:
    """The address is required on every comment, so a ticked box without one is answered
    by the email field's own `required` error, and nothing is stored."""
    rv = post(mail_app.test_client(), notify_replies=True, email=None)
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"] == {
        "email": {"code": "required", "message": "This field is required."}
    }


def test_with_mail_off_the_opt_in_is_ignored_and_nothing_offers_it(
    client: FlaskClient, db: Database
) -> None:
    """Without MODERATO_SMTP_URL the token says `notify: false`, the no-JS form has no
    checkbox, and an opt-in sent anyway is accepted (202) but not kept."""
    token = client.get("/embed/token?site=default&thread=article-1").get_json()
    assert token["notify"] is False
    html = client.get("/embed/thread?site=default&thread=article-1").get_data(as_text=True)
    assert 'name="notify_replies"' not in html and "Email me when someone replies" not in html
    rv = post(client, notify_replies=True)
    assert rv.status_code == 202
    assert comment_row(db, rv.get_json()["id"]).notify_replies is False


def test_with_mail_on_the_token_and_the_no_js_form_offer_an_unchecked_box(
    mail_app: Flask,
) -> None:
    """With mail on, the widget learns it from the token (`notify: true`) and the no-JS form
    shows the checkbox, unchecked, labelled and described; a refused post brings it back
    as the reader left it (ticked)."""
    client = mail_app.test_client()
    assert client.get("/embed/token?site=default&thread=article-1").get_json()["notify"] is True
    html = client.get("/embed/thread?site=default&thread=article-1&lang=fr").get_data(as_text=True)
    box = html[html.index('<input id="mf-notify"') :].split(">", 1)[0]
    assert 'type="checkbox"' in box and 'name="notify_replies"' in box and "checked" not in box
    assert '<label for="mf-notify">Me prévenir par e-mail des réponses</label>' in html
    refused = client.post(
        "/api/v1/comments",
        data={**payload(email="not an address"), "notify_replies": "1"},
        headers=HTML,
    )
    assert refused.status_code == 422
    again = refused.get_data(as_text=True)
    box = again[again.index('<input id="mf-notify"') :].split(">", 1)[0]
    assert box.endswith(" checked")


def test_mail_settings_are_checked_when_the_app_starts(settings: dict[str, Any]) -> None:
    """An SMTP URL without a sender or a public URL, or with another scheme, stops the app
    with a message saying what to set; a password never appears in it."""
    base = {**settings, "PUBLIC_URL": "https://comments.example"}
    cases = [
        ({"SMTP_URL": "smtp://mail.example"}, "MODERATO_MAIL_FROM is required"),
        (
            {"SMTP_URL": "smtp://mail.example", "MAIL_FROM": "x@y.example", "PUBLIC_URL": None},
            "MODERATO_PUBLIC_URL is required",
        ),
        ({"SMTP_URL": "http://u:hunter2@mail.example", "MAIL_FROM": "x@y.example"}, "smtps://"),
        ({"SMTP_URL": "smtp://mail.example", "MAIL_FROM": "no address"}, "MODERATO_MAIL_FROM"),
        # numbers from the environment arrive as text when they are not numbers (review)
        (
            {
                "SMTP_URL": "smtp://mail.example",
                "MAIL_FROM": "x@y.example",
                "MAIL_MAX_ATTEMPTS": "abc",
            },
            "MODERATO_MAIL_MAX_ATTEMPTS='abc' must be a whole number of attempts of at least 1",
        ),
        (
            {"SMTP_URL": "smtp://mail.example", "MAIL_FROM": "x@y.example", "MAIL_TIMEOUT": 0},
            "MODERATO_MAIL_TIMEOUT=0 must be a number of seconds above 0",
        ),
    ]
    for extra, words in cases:
        with pytest.raises(ConfigError) as caught:
            create_app({**base, **extra})
        assert words in str(caught.value) and "hunter2" not in str(caught.value)


def test_smtp_urls_say_how_to_secure_the_connection() -> None:
    """smtp:// means STARTTLS on 587, smtps:// TLS on 465, `?starttls=no` plain text; user
    and password are percent-decoded."""
    starttls = parse_smtp_url("smtp://ada%40news.example:p%2Fss@mail.example")
    assert (starttls.host, starttls.port, starttls.tls) == ("mail.example", 587, "starttls")
    assert (starttls.username, starttls.password) == ("ada@news.example", "p/ss")
    implicit = parse_smtp_url("smtps://mail.example")
    assert (implicit.port, implicit.tls, implicit.username) == (465, "implicit", None)
    plain = parse_smtp_url("smtp://127.0.0.1:2525?starttls=no")
    assert (plain.port, plain.tls) == (2525, "none")
