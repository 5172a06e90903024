"""Intake of embed posts: bot-trap signals, API keys, the no-JS form's redirects and errors."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import antibot, sites
from service.store import Database
from service.store.tables import Comment
from tests.factories import count_comments, payload

HTML = {"Accept": "text/html,application/xhtml+xml"}


def token(client: FlaskClient, thread: str = "article-1") -> str:
    rv = client.get(f"/embed/token?site=default&thread={thread}")
    assert rv.status_code == 200
    assert rv.headers["Cache-Control"] == "no-store"
    return str(rv.get_json()["token"])


def signals_of(db: Database, comment_id: str) -> dict[str, Any]:
    with db.session() as session:
        comment = session.scalars(select(Comment).where(Comment.id == comment_id)).one()
        return dict(comment.signals)


def post(client: FlaskClient, **fields: Any) -> Any:
    rv = client.post("/api/v1/comments", json=payload(**fields))
    assert rv.status_code == 202, rv.get_json()
    return rv.get_json()["id"]


def test_a_valid_token_is_recorded_valid(app: Flask, client: FlaskClient, db: Database) -> None:
    """A token from /embed/token, sent after the minimum fill time, is recorded 'valid'."""
    app.config["FORM_TOKEN_MIN_SECONDS"] = 0
    comment_id = post(client, **{antibot.TOKEN_FIELD: token(client)})
    assert signals_of(db, comment_id) == {"source": "json", "form_token": "valid"}


def test_a_token_serves_one_accepted_comment_only(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A second comment with the same token is recorded 'reused'; a 422 does not use it up."""
    app.config["FORM_TOKEN_MIN_SECONDS"] = 0
    tok = token(client)
    bad = client.post("/api/v1/comments", json=payload(email="", **{antibot.TOKEN_FIELD: tok}))
    assert bad.status_code == 422
    first = post(client, **{antibot.TOKEN_FIELD: tok})
    second = post(client, **{antibot.TOKEN_FIELD: tok})
    assert signals_of(db, first)["form_token"] == "valid"
    assert signals_of(db, second)["form_token"] == "reused"
    assert signals_of(db, post(client, **{antibot.TOKEN_FIELD: token(client)}))["form_token"] == (
        "valid"
    )


def test_bots_get_202_while_their_traps_are_recorded(client: FlaskClient, db: Database) -> None:
    """Too-fast, forged and honeypot submissions all get 202; each trap lands in the signals."""
    fast = post(client, **{antibot.TOKEN_FIELD: token(client)})
    forged = post(client, **{antibot.TOKEN_FIELD: token(client, thread="other-thread")})
    honey = post(client, **{antibot.HONEYPOT_FIELD: "http://seo.example"})
    missing = post(client)
    assert signals_of(db, fast)["form_token"] == "too_fast"
    assert signals_of(db, forged)["form_token"] == "invalid"
    assert signals_of(db, honey) == {"source": "json", "form_token": "missing", "honeypot": True}
    assert signals_of(db, missing) == {"source": "json", "form_token": "missing"}
    assert "seo.example" not in repr(signals_of(db, honey))


def test_api_key_submissions_skip_the_token_check(client: FlaskClient, db: Database) -> None:
    """A server-to-server post with a Bearer key records no form-token verdict."""
    with db.session() as session:
        key = sites.add_key(
            session, sites.by_slug(session, "default"), name="cms", scopes=["submit"]
        )
    rv = client.post("/api/v1/comments", json=payload(), headers={"Authorization": f"Bearer {key}"})
    assert rv.status_code == 202
    assert signals_of(db, rv.get_json()["id"]) == {"source": "api"}


def test_no_js_form_redirects_back_to_its_page_with_the_status(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A no-JS form post from an allowed page gets 303 back to it with ?moderato=pending."""
    app.config["FORM_TOKEN_MIN_SECONDS"] = 0
    form = payload(**{antibot.TOKEN_FIELD: token(client)})
    rv = client.post(
        "/api/v1/comments",
        data=form,
        headers={**HTML, "Referer": "http://127.0.0.1:8000/article?x=1"},
    )
    assert rv.status_code == 303
    assert rv.headers["Location"] == "http://127.0.0.1:8000/article?x=1&moderato=pending#comments"
    with db.session() as session:
        (comment,) = session.scalars(select(Comment)).all()
        assert comment.signals == {"source": "form", "form_token": "valid"}


def test_no_js_form_prefers_its_return_to_page_when_the_site_allows_it(
    client: FlaskClient,
) -> None:
    """return_to (e.g. for a server-side include) beats the Referer, but only on allowed origins."""
    form = payload(return_to="http://localhost:8000/news/42")
    rv = client.post("/api/v1/comments", data=form, headers={**HTML, "Referer": "http://x.test/"})
    assert rv.headers["Location"] == "http://localhost:8000/news/42?moderato=pending#comments"
    form = payload(return_to="https://evil.example/phish")
    rv = client.post("/api/v1/comments", data=form, headers=HTML)
    assert rv.headers["Location"].startswith("http://localhost/status?moderato=pending")


def test_no_js_form_field_errors_come_back_as_a_translated_page(
    client: FlaskClient, db: Database
) -> None:
    """A no-JS form with bad fields gets a 422 HTML page naming each field, in its language
    (tests/service/test_embed_not_sent.py has the form that comes back with it)."""
    form = {"thread": "t", "name": "", "email": "nope", "text": "", "lang": "fr"}
    rv = client.post(
        "/api/v1/comments",
        data=form,
        headers={**HTML, "Referer": "http://127.0.0.1:8000/article"},
    )
    assert rv.status_code == 422
    assert rv.mimetype == "text/html"
    page = rv.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page
    assert "Votre commentaire n’a pas été envoyé" in page
    assert '<a href="#mf-name">Nom: Ce champ est obligatoire.</a>' in page
    assert '<a href="#mf-email">E-mail: Saisissez une adresse e-mail valide' in page
    assert 'href="http://127.0.0.1:8000/article#respond"' in page
    assert count_comments(db) == 0


def test_json_clients_still_get_json_errors(client: FlaskClient) -> None:
    """A form post that asks for JSON (the widget) still gets the contract's JSON 422."""
    rv = client.post(
        "/api/v1/comments", data={"thread": "t"}, headers={"Accept": "application/json"}
    )
    assert rv.status_code == 422
    assert rv.get_json()["error"]["code"] == "validation_failed"


def test_no_js_thread_reports_a_comment_and_comes_back(client: FlaskClient, db: Database) -> None:
    """Without JavaScript, each comment has a Report disclosure with a plain form; sending
    it comes back to the page with a thanks line; a missing reason is a translated page."""
    from service.status import State
    from service.store.tables import Report
    from tests.factories import stored

    comment_id = stored(db, state=State.PUBLISHED, thread="nojs-report").id
    page = client.get("/embed/thread?site=default&thread=nojs-report&lang=fr")
    html = page.get_data(as_text=True)
    assert '<details class="mf-report">' in html and "Signaler" in html
    assert f'action="http://localhost/api/v1/comments/{comment_id}/reports"' in html
    back = "http://127.0.0.1:8000/article?x=1"
    rv = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        data={"reason": "abusive", "note": "", "lang": "fr"},
        headers={**HTML, "Referer": back},
    )
    assert rv.status_code == 303
    assert rv.headers["Location"] == "http://127.0.0.1:8000/article?x=1&moderato=reported#comments"
    with db.session() as session:
        assert [r.reason for r in session.scalars(select(Report))] == ["abusive"]
    thanks = client.get("/embed/thread?site=default&thread=nojs-report&lang=fr&moderato=reported")
    assert "Merci. Un modérateur examinera ce commentaire." in thanks.get_data(as_text=True)
    missing = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        data={"note": "", "lang": "fr"},
        headers={**HTML, "Referer": back},
    )
    assert missing.status_code == 422 and missing.mimetype == "text/html"


def test_the_error_pages_link_back_never_says_thank_you(client: FlaskClient) -> None:
    """After an accepted comment the page's URL carries ?moderato=pending; a later post with
    a bad field links back without it, so the reader does not land on "thank you" for a
    comment that was not sent (found in review)."""
    rv = client.post(
        "/api/v1/comments",
        data={
            "thread": "t",
            "name": "Ada",
            "email": "ada@example.org",
            "text": "x",
            "url": "ftp://x.org",
        },
        headers={**HTML, "Referer": "http://127.0.0.1:8000/article?x=1&moderato=pending"},
    )
    assert rv.status_code == 422
    page = rv.get_data(as_text=True)
    assert 'href="http://127.0.0.1:8000/article?x=1#respond"' in page
    assert "moderato=pending" not in page
