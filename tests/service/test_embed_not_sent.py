"""A refused no-JS comment post: its form comes back filled in, errors beside the fields."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import antibot
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import BENIGN, count_comments, stored
from tests.service.test_threads import _set

HTML = {"Accept": "text/html,application/xhtml+xml"}
ARTICLE = "http://127.0.0.1:8000/article?id=7"
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


class FormReader(HTMLParser):
    """Read what a browser would send from the page's comment form: inputs and textarea."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.tags: dict[str, dict[str, str | None]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.tags[str(found["id"])] = found
        if tag == "input" and found.get("name"):
            self.fields[str(found["name"])] = found.get("value") or ""
        elif tag == "textarea":
            self._textarea = str(found["name"])
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            # an HTML parser drops the newline right after <textarea>
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    return reader


def send(client: FlaskClient, referer: str = ARTICLE, **form: str) -> Any:
    """Post the no-JS comment form as a browser without JavaScript does."""
    return client.post("/api/v1/comments", data=form, headers={**HTML, "Referer": referer})


def test_bad_fields_come_back_filled_in_with_each_error_beside_its_field(
    client: FlaskClient, db: Database
) -> None:
    """A 422 gives the form again, in the reader's language, with everything they typed,
    each bad field marked invalid and described by its message, and an error summary whose
    links lead to the fields; the back link to the article stays; nothing is stored."""
    typed = {"name": "Ada", "email": "ada@", "url": "ftp://ada.example", "text": "Mon avis."}
    rv = send(client, thread="t", lang="fr", **typed)
    assert rv.status_code == 422 and rv.mimetype == "text/html"
    assert rv.headers["Cache-Control"] == "no-store"  # it holds the reader's email address
    page = rv.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page
    assert "<h1>Votre commentaire n’a pas été envoyé</h1>" in page
    form = read_form(page)
    assert {k: form.fields[k] for k in typed} == typed
    for name in ("email", "url"):
        field = form.tags[f"mf-{name}"]
        assert field["aria-invalid"] == "true"
        assert field["aria-describedby"] == f"mf-{name}-err"
        assert f'id="mf-{name}-err"' in page
    assert "aria-invalid" not in form.tags["mf-name"] and "aria-invalid" not in form.tags["mf-text"]
    summary = re.search(r'<div class="mf-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary and 'role="alert" tabindex="-1" autofocus' in summary.group(0)
    assert "Champs à corriger : 2." in summary.group(1)
    assert re.findall(r'<a href="#(mf-\w+)">', summary.group(1)) == ["mf-email", "mf-url"]
    assert '<a href="#mf-email">E-mail: Saisissez une adresse e-mail valide' in page
    assert f'<a href="{ARTICLE.replace("&", "&amp;")}#respond">Retour aux commentaires</a>' in page
    assert form.fields["return_to"] == ARTICLE
    assert form.fields[antibot.HONEYPOT_FIELD] == ""
    assert count_comments(db) == 0


def test_what_the_reader_typed_is_never_echoed_as_markup(client: FlaskClient) -> None:
    """Naughty strings in every field (an attribute break-out, a closing textarea, a
    script) come back as text: escaped in attributes and in the textarea."""
    rv = send(
        client,
        thread=XSS,
        name=XSS,
        email=XSS,
        url=XSS,
        text=f"</textarea>{XSS}",
        lang=XSS,
        parent=XSS,
        return_to=f"javascript:alert(1)//{XSS}",
    )
    assert rv.status_code == 422
    page = rv.get_data(as_text=True)
    assert "<script>" not in page and "<img" not in page and "</textarea><" not in page
    assert "javascript:" not in page
    form = read_form(page)
    assert form.fields["name"] == form.fields["email"] == form.fields["url"] == XSS
    assert form.fields["thread"] == XSS
    assert form.fields["text"] == f"</textarea>{XSS}"
    assert "parent" not in form.fields


def test_the_form_comes_back_with_a_fresh_token_and_posts_back_to_the_article(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The form comes back with a new form token (never the one sent), for the same site
    and thread; sent again, fixed, it is accepted with a valid token and goes back to the
    article it came from, not to the intake URL the refused post answered at."""
    app.config["FORM_TOKEN_MIN_SECONDS"] = 0
    sent = client.get("/embed/token?site=default&thread=t").get_json()["token"]
    first = send(client, thread="t", name="Ada", email="", text=BENIGN, form_token=sent)
    form = read_form(first.get_data(as_text=True)).fields
    assert form[antibot.TOKEN_FIELD] != sent
    secret = app.config["SECRET_KEY"]
    assert antibot.claim_key(secret, form[antibot.TOKEN_FIELD]) != antibot.claim_key(secret, sent)
    form["email"] = "ada@example.org"
    again = send(client, referer="http://localhost/api/v1/comments", **form)
    assert again.status_code == 303
    assert again.headers["Location"] == f"{ARTICLE}&moderato=pending#comments"
    with db.session() as session:
        (row,) = session.scalars(select(Comment)).all()
    assert (row.author_email, row.text) == ("ada@example.org", BENIGN)
    assert row.signals["form_token"] == "valid"


def test_a_reply_stays_a_reply_and_a_vanished_parent_is_explained(
    client: FlaskClient, db: Database
) -> None:
    """The reply's parent comes back (heading "Replying to …", hidden field); a parent no
    longer published is dropped, with the reason in the summary, so the next post goes in
    as a comment instead of failing again."""
    parent = stored(db, state=State.PUBLISHED, thread="t", name="Grace")
    rv = send(client, thread="t", name="Ada", email="nope", text="Agreed.", parent=parent.id)
    page = rv.get_data(as_text=True)
    # the name in a <bdi>: its own direction inside the sentence (found in review)
    assert '<h3 id="mf-form-title">Replying to <bdi>Grace</bdi></h3>' in page
    assert read_form(page).fields["parent"] == parent.id
    # and a way out of the reply: the article without reply_to (it had none)
    replying = send(
        client, f"{ARTICLE}&reply_to={parent.id}", thread="t", name="Ada", email="nope",
        text="Agreed.", parent=parent.id,
    ).get_data(as_text=True)  # fmt: skip
    assert 'href="http://127.0.0.1:8000/article?id=7#respond"' in replying
    held = stored(db, state=State.HELD, thread="t", name="Hidden")
    page = send(
        client, thread="t", name="Ada", email="nope", text="Agreed.", parent=held.id
    ).get_data(as_text=True)
    assert "parent" not in read_form(page).fields and "Hidden" not in page
    assert "<p>The comment you reply to is no longer available.</p>" in page
    assert '<h3 id="mf-form-title">Leave a Reply</h3>' in page


def test_a_closed_thread_or_a_rate_limit_gives_the_form_back_with_the_reason(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """Refused as a whole (the thread closed meanwhile, too many posts) the reader still
    gets their text back, with the reason in the summary and the status kept."""
    _set(db, "shut", closed=True)
    rv = send(client, thread="shut", name="Ada", email="ada@example.org", text="Late.", lang="ar")
    assert rv.status_code == 403
    page = rv.get_data(as_text=True)
    assert read_form(page).fields["text"] == "Late."
    assert "<p>التعليقات مغلقة على هذا المقال.</p>" in page
    app.config.update(ANON_RATE_PER_MINUTE=1, ANON_RATE_BURST=1)
    ada = {"thread": "t", "name": "Ada", "email": "ada@example.org"}
    assert send(client, **ada, text="One.").status_code == 303
    rv = send(client, **ada, text="Two.")
    assert rv.status_code == 429 and rv.headers["Retry-After"]
    assert read_form(rv.get_data(as_text=True)).fields["text"] == "Two."
    assert count_comments(db) == 1


def test_a_page_the_site_refuses_gets_no_form_to_post_again(client: FlaskClient) -> None:
    """A post from an origin the site does not accept gets the plain page (no form, none
    of its values): re-sent from our own origin, the form would slip past that check."""
    foreign = {**HTML, "Origin": "https://evil.example", "Referer": "https://evil.example/"}
    for email in ("nope", "ada@example.org"):
        rv = client.post(
            "/api/v1/comments",
            data={"thread": "t", "name": "Ada", "email": email, "text": "Spam, spam."},
            headers=foreign,
        )
        assert rv.status_code in (403, 422) and rv.mimetype == "text/html"
        page = rv.get_data(as_text=True)
        assert "<form" not in page and "Spam, spam." not in page


def test_a_rate_limited_post_says_how_long_to_wait(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The 429 page says when to try again, from its Retry-After, in the reader's language:
    seconds under a minute, whole minutes above (Arabic's dual included); the report
    form's plain page says it too."""
    ada = {"thread": "t", "name": "Ada", "email": "ada@example.org", "text": "Hello."}
    app.config.update(ANON_RATE_PER_MINUTE=0.5, ANON_RATE_BURST=1)  # one post per 2 minutes
    assert send(client, **ada).status_code == 303
    said = {}
    for lang in ("en", "fr", "ar"):
        rv = send(client, **ada, lang=lang)
        assert rv.status_code == 429 and rv.headers["Retry-After"] in ("119", "120")
        said[lang] = re.search(r'<div class="mf-summary".*?<p>(.*?)</p>', rv.text, re.S)[1]
    assert said == {
        "en": "You are commenting too quickly. Try again in 2 minutes.",
        "fr": "Vous commentez trop vite. Réessayez dans 2 minutes.",
        "ar": "أنت تعلّق بسرعة كبيرة. حاول مجددًا خلال دقيقتين.",
    }
    other = {"REMOTE_ADDR": "192.0.2.7"}  # another reader: a bucket of their own
    app.config.update(ANON_RATE_PER_MINUTE=1.5)  # one post per 40 seconds
    for expected in (303, 429):
        rv = client.post("/api/v1/comments", data=ada, headers=HTML, environ_base=other)
        assert rv.status_code == expected
    assert re.search(r"Try again in (39|40) seconds\.</p>", rv.text)
    comment = stored(db, state=State.PUBLISHED, thread="t")
    rv = client.post(
        f"/api/v1/comments/{comment.id}/reports",
        data={"reason": "spam", "lang": "fr"},
        headers=HTML,
        environ_base=other,
    )
    assert rv.status_code == 429
    assert re.search(
        r"<p>Vous envoyez des signalements trop vite\. Réessayez dans (39|40) secondes\.</p>",
        rv.text,
    )  # a report's page speaks of reports (it said "Vous commentez trop vite")
    assert "<h1>Votre signalement n’a pas été envoyé</h1>" in rv.text


def test_a_reply_sent_goes_back_to_a_plain_form(client: FlaskClient, db: Database) -> None:
    """After a no-JS reply is accepted, the page comes back without its reply_to (the form
    stayed "Replying to …"; found in review)."""
    parent = stored(db, state=State.PUBLISHED, thread="t", name="Grace")
    form = {"thread": "t", "name": "Ada", "email": "ada@example.org", "text": "Agreed."}
    rv = send(client, f"{ARTICLE}&reply_to={parent.id}", **form, parent=parent.id)
    assert rv.status_code == 303
    assert rv.headers["Location"] == "http://127.0.0.1:8000/article?id=7&moderato=pending#comments"


def test_a_report_on_a_comment_taken_down_meanwhile_gets_a_page(
    client: FlaskClient, db: Database
) -> None:
    """A no-JS report on a comment taken down since the page loaded answered raw JSON; it
    is a page saying the comment can no longer be reported, in the reader's language."""
    gone = stored(db, state=State.REJECTED, thread="t")
    rv = client.post(
        f"/api/v1/comments/{gone.id}/reports",
        data={"reason": "spam", "lang": "en"},
        headers={**HTML, "Referer": ARTICLE},
    )
    assert rv.status_code == 404 and rv.mimetype == "text/html"
    assert "<h1>Your report was not sent</h1>" in rv.text
    assert "This comment can no longer be reported." in rv.text
    missing = client.post(
        f"/api/v1/comments/{stored(db, state=State.PUBLISHED, thread='t').id}/reports",
        data={"lang": "en"},
        headers={**HTML, "Referer": ARTICLE},
    )
    assert missing.status_code == 422
    assert "<strong>Why should a moderator look at this comment?</strong>" in missing.text


def test_the_no_js_report_form_names_its_site(client: FlaskClient, db: Database) -> None:
    """The report form carries its site, so a refusal on another site than the default
    links back to the article (its origin was checked against the default site's)."""
    from service import sites as site_ops

    with db.session() as session:
        slug = site_ops.create(session, "City Desk", ["https://city.example"]).site.slug
    comment = stored(db, state=State.PUBLISHED, site=slug, thread="t")
    page = client.get(f"/embed/thread?site={slug}&thread=t", headers=HTML).text
    assert f'<input type="hidden" name="site" value="{slug}">' in page
    rv = client.post(
        f"/api/v1/comments/{comment.id}/reports",
        data={"site": slug, "lang": "en", "return_to": "https://city.example/a?x=1"},
        headers={**HTML, "Origin": "https://city.example"},
    )
    assert rv.status_code == 422
    assert 'href="https://city.example/a?x=1#respond"' in rv.text
