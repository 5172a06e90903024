"""Reply notifications: the mails as a reader's mail client receives them, byte for byte, from a
real SMTP server: the one-click unsubscribe headers, a subject holding a commenter's name,
and which parts of the HTML twin are links."""

from __future__ import annotations

import email
import email.policy
import re
from email.header import decode_header, make_header
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.status import State
from service.store import Database
from tests.factories import post, stored
from tests.mail_server import MailServer, mail_settings, raw_headers, text_of
from tests.notify_helpers import links, path_of, publish, send_outbox, subscription

PUBLIC_URL = "https://comments.news.example"
PHISH = "Prize desk http://phish.example/login"
ENCODED_NAME = "=?utf-8?q?PayPal_Security_Team?="


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app sends mail to a real SMTP server, with links on a real public URL."""
    return {**mail_settings(settings, mail_server), "PUBLIC_URL": PUBLIC_URL}


class Anchors(HTMLParser):
    """Collect the targets of an HTML document's links."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")


def hrefs(message: Any) -> list[str]:
    """Return the link targets of a mail's HTML part, in order."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    parser = Anchors()
    parser.feed(part.get_content())
    return parser.hrefs


def header(raw: bytes, name: str) -> list[str]:
    """Return the raw lines of header ``name`` (its first line and any folded ones)."""
    lines = raw_headers(raw)
    starts = [i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + ":")]
    assert len(starts) == 1, (name, lines)
    end = starts[0] + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    return lines[starts[0] : end]


def reply_mail(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer, **reply: Any
) -> bytes:
    """Ada opts in and confirms; a reply with ``reply``'s fields is published and its mail
    sent. Return the notification as the SMTP server received it."""
    ada = post(client, notify_replies=True).get_json()["id"]
    publish(db, ada)
    assert send_outbox(app) == ["sent"]
    [confirm] = links(mail_server.wait_for(1)[0])
    assert client.post(path_of(confirm)).status_code == 200
    fields = {"name": "Bob", "email": "bob@example.org", **reply}
    assert len(publish(db, post(client, parent=ada, **fields).get_json()["id"])) == 1
    assert send_outbox(app) == ["sent"]
    mail_server.wait_for(2)
    return mail_server.raw[1]


def test_the_one_click_unsubscribe_headers_arrive_on_one_line_unencoded(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """With a real public URL the `List-Unsubscribe` header is longer than 78 characters,
    and still arrives as `<https://…>` on one line, not RFC 2047 encoded (an encoded-word
    is not allowed there, and mail clients then show no unsubscribe button), with
    `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; its link is the one in the text,
    and a one-click POST to it unsubscribes."""
    raw = reply_mail(app, client, db, mail_server)
    [unsubscribe] = header(raw, "List-Unsubscribe")
    assert len(unsubscribe) > 78
    found = re.fullmatch(r"List-Unsubscribe: <(https://comments\.news\.example/\S+)>", unsubscribe)
    assert found is not None, unsubscribe
    assert header(raw, "List-Unsubscribe-Post") == [
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    ]
    url = found.group(1)
    assert url.startswith(f"{PUBLIC_URL}/mail/unsubscribe?token=")
    assert url in links(mail_server.messages[1])
    rv = client.post(
        path_of(url),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert rv.status_code == 200
    assert subscription(db).state == "unsubscribed"  # type: ignore[union-attr]


def test_a_name_written_as_an_encoded_word_shows_literally_in_the_subject(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A replier named `=?utf-8?q?PayPal_Security_Team?=` (shown literally in the thread)
    is shown literally in the subject too: a mail client decoding the raw header, the
    modern parser or the legacy one, reads the name as typed, not "PayPal Security Team"."""
    raw = reply_mail(app, client, db, mail_server, name=ENCODED_NAME)
    expected = f"{ENCODED_NAME} replied to your comment on Default site"
    folded = header(raw, "Subject")
    assert all(len(line) <= 78 for line in folded)
    unfolded = " ".join(line.strip() for line in folded).removeprefix("Subject: ")
    assert str(make_header(decode_header(unfolded))) == expected
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == expected
    assert text_of(parsed).startswith(f"{ENCODED_NAME} replied to your comment:")


def test_an_ordinary_subject_is_sent_as_it_reads(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A subject with nothing that looks like an encoded-word goes out as plain text."""
    raw = reply_mail(app, client, db, mail_server, name="Bob")
    assert header(raw, "Subject") == ["Subject: Bob replied to your comment on Default site"]


def test_only_the_links_the_service_writes_are_links_in_the_html(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """In the HTML twin of a reply mail, a URL in the replier's name or in the reply is
    escaped text; the only links are the conversation and the unsubscribe link. The
    plain-text part and the subject carry the name as typed."""
    text = "Claim it at http://phish.example/claim before Friday."
    raw = reply_mail(app, client, db, mail_server, name=PHISH, text=text)
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    thread = f"{PUBLIC_URL}/embed/thread?site=default&thread=article-1&format=page"
    unsubscribe = str(mail["List-Unsubscribe"]).strip("<>")
    conversation, unsubscribed = hrefs(mail)
    assert re.fullmatch(re.escape(thread) + r"&comment=([\w-]+)#comment-\1", conversation)
    assert unsubscribed == unsubscribe
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Prize desk http://phish.example/login replied" in html
    assert "http://phish.example/claim" in html
    assert mail["Subject"].strip() == f"{PHISH} replied to your comment on Default site"
    body = text_of(mail)
    assert body.startswith(f"{PHISH} replied to your comment:") and f"> {text}" in body


def test_the_confirmation_links_only_its_confirm_link(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """The confirmation greets the commenter by name: a URL in that name stays text in the
    HTML twin, whose one link is the confirmation link."""
    publish(db, post(client, notify_replies=True, name=PHISH).get_json()["id"])
    assert send_outbox(app) == ["sent"]
    [mail] = mail_server.wait_for(1)
    confirm = [u for u in links(mail) if u.startswith(PUBLIC_URL)]
    assert len(confirm) == 1 and confirm[0].startswith(f"{PUBLIC_URL}/mail/confirm?token=")
    assert hrefs(mail) == confirm
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Hello Prize desk http://phish.example/login," in html
    assert text_of(mail).startswith(f"Hello {PHISH},")


def test_the_conversation_link_opens_our_page_that_holds_the_reply(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A thread without an article URL: the mail links our no-JS page with ``comment=``
    the reply, which opens the page holding its conversation (three pages in here, a
    conversation a page), where the link's anchor is."""
    app.config["LIST_MAX_PAGE_SIZE"] = 1
    for text in ("An earlier comment.", "Another earlier comment."):
        stored(db, state=State.PUBLISHED, thread="article-1", text=text)
    raw = reply_mail(app, client, db, mail_server, text="Bob answers Ada.")
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    conversation = hrefs(mail)[0]
    found = re.fullmatch(r"[^#]+&comment=([\w-]+)#comment-\1", conversation)
    assert found is not None, conversation
    html = client.get(path_of(conversation)).get_data(as_text=True)
    assert f'id="comment-{found[1]}"' in html and "Bob answers Ada." in html
    assert "An earlier comment." not in html
