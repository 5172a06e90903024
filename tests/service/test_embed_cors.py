"""CORS and origins: a site's pages call the API from its configured origins only."""

from __future__ import annotations

from flask.testing import FlaskClient

from service import sites
from service.status import State
from service.store import Database
from tests.factories import count_comments, payload, stored

ALLOWED = "http://127.0.0.1:8000"
FOREIGN = "https://evil.example"


def test_preflight_from_an_allowed_origin_is_answered(client: FlaskClient) -> None:
    """An OPTIONS preflight from one of the site's origins gets 204 and the CORS headers."""
    rv = client.options(
        "/api/v1/comments?site=default",
        headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"},
    )
    assert rv.status_code == 204
    assert rv.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in rv.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in rv.headers["Access-Control-Allow-Headers"]
    assert "Authorization" not in rv.headers["Access-Control-Allow-Headers"]


def test_a_page_may_send_its_own_request_id(client: FlaskClient) -> None:
    """docs/integrations.md, "Request ids": a page on the site's origins may send its own
    id, so the preflight allows the header (a browser refused the request before)."""
    rv = client.options(
        "/api/v1/comments?site=default",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-request-id",
        },
    )
    assert rv.status_code == 204
    allowed = {h.strip().lower() for h in rv.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-request-id"} <= allowed
    rv = client.post(
        "/api/v1/comments?site=default",
        json=payload(thread="cors-rid"),
        headers={"Origin": ALLOWED, "X-Request-Id": "page-trace-1"},
    )
    assert rv.status_code == 202, rv.get_json()
    assert rv.headers["X-Request-Id"] == "page-trace-1"
    assert "X-Request-Id" in rv.headers["Access-Control-Expose-Headers"]


def test_preflight_from_a_foreign_origin_is_refused(client: FlaskClient) -> None:
    """A preflight from an origin the site lacks gets 403 origin_not_allowed and no CORS header."""
    rv = client.options(
        "/api/v1/comments",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
    )
    assert rv.status_code == 403
    assert rv.get_json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in rv.headers


def test_post_from_a_foreign_origin_is_refused_and_nothing_stored(
    client: FlaskClient, db: Database
) -> None:
    """A browser POST whose Origin the site does not allow is 403 and stores nothing."""
    for send in ({"json": payload()}, {"data": payload()}):
        rv = client.post("/api/v1/comments", headers={"Origin": FOREIGN}, **send)
        assert rv.status_code == 403
        assert rv.get_json()["error"]["code"] == "origin_not_allowed"
    assert count_comments(db) == 0


def test_post_from_an_allowed_origin_is_accepted_with_cors(client: FlaskClient) -> None:
    """A POST from an allowed origin gets 202 and may read it (ACAO, exposed Location)."""
    rv = client.post("/api/v1/comments", json=payload(), headers={"Origin": ALLOWED})
    assert rv.status_code == 202
    assert rv.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Location" in rv.headers["Access-Control-Expose-Headers"]
    assert "Origin" in rv.headers["Vary"]


def test_a_validation_error_is_readable_by_an_allowed_origin(client: FlaskClient) -> None:
    """A 422 to an allowed origin carries ACAO, so the widget can show the field errors."""
    rv = client.post("/api/v1/comments", data={"thread": "t"}, headers={"Origin": ALLOWED})
    assert rv.status_code == 422
    assert rv.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert set(rv.get_json()["error"]["fields"]) == {"name", "email", "text"}


def test_requests_without_origin_and_from_our_own_origin_are_not_refused(
    client: FlaskClient,
) -> None:
    """No Origin (curl, servers) and our own origin (demo, iframe) post as before."""
    assert client.post("/api/v1/comments", json=payload()).status_code == 202
    own = client.post("/api/v1/comments", json=payload(), headers={"Origin": "http://localhost"})
    assert own.status_code == 202


def test_thread_reads_answer_cors_only_to_the_sites_origins(
    client: FlaskClient, db: Database
) -> None:
    """GET list and GET one comment carry ACAO for the comment's site's origins; another
    origin gets a 403 it can read (the reason), and nothing else."""
    comment = stored(db, state=State.PUBLISHED, thread="cors")
    for url in ("/api/v1/comments?site=default&thread=cors", f"/api/v1/comments/{comment.id}"):
        ok = client.get(url, headers={"Origin": ALLOWED})
        assert ok.status_code == 200
        assert ok.headers["Access-Control-Allow-Origin"] == ALLOWED
        foreign = client.get(url, headers={"Origin": FOREIGN})
        # Refused, and only the refusal is readable there: the widget can say why.
        assert foreign.status_code == 403
        assert foreign.get_json()["error"]["code"] == "origin_not_allowed"
        assert foreign.headers["Access-Control-Allow-Origin"] == FOREIGN
        assert "Origin" in foreign.headers["Vary"]
        assert "items" not in foreign.get_json() and "status" not in foreign.get_json()


def test_each_site_has_its_own_origins(client: FlaskClient, db: Database) -> None:
    """A post to another site from the default site's origin is refused; from its own, accepted."""
    with db.session() as session:
        site = sites.create(session, "Paper", ["https://paper.example"]).site
    body = payload(site=site.slug)
    assert (
        client.post("/api/v1/comments", json=body, headers={"Origin": ALLOWED}).status_code == 403
    )
    rv = client.post("/api/v1/comments", json=body, headers={"Origin": "https://paper.example"})
    assert rv.status_code == 202
    assert rv.headers["Access-Control-Allow-Origin"] == "https://paper.example"


def test_a_no_js_form_from_a_foreign_origin_gets_a_page_saying_so(
    client: FlaskClient, db: Database
) -> None:
    """A browser form post (no JavaScript) from an origin the site lacks is answered with a
    translated page, not raw JSON, and stores nothing."""
    rv = client.post(
        "/api/v1/comments",
        data={**payload(), "lang": "fr"},
        headers={"Origin": FOREIGN, "Accept": "text/html"},
    )
    assert rv.status_code == 403
    assert rv.mimetype == "text/html"
    html = rv.get_data(as_text=True)
    assert "Cette page n’est pas autorisée à publier des commentaires dans ce fil." in html
    assert count_comments(db) == 0


def test_counts_answer_the_sites_origins_and_refuse_others(client: FlaskClient) -> None:
    """An index page on one of the site's origins reads counts; a foreign page gets 403."""
    ok = client.get("/api/v1/counts?thread=a", headers={"Origin": ALLOWED})
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == ALLOWED
    refused = client.get("/api/v1/counts?thread=a", headers={"Origin": FOREIGN})
    assert refused.status_code == 403


def test_a_browsers_permalink_is_kept_only_on_the_sites_origins(
    client: FlaskClient, db: Database
) -> None:
    """The widget sends its page's URL as ``permalink``: kept (without a fragment) when it is
    on one of the site's origins or ours; a URL elsewhere, or not a URL, is dropped, and the
    comment is accepted all the same."""
    from sqlalchemy import select

    from service.store.tables import Comment

    sent = {
        f"{ALLOWED}/news/river-path?x=1#comments": f"{ALLOWED}/news/river-path?x=1",
        "http://localhost/demo": "http://localhost/demo",
        "https://evil.example/phish": None,
        "javascript:alert(1)": None,
        f"{ALLOWED}/a b": None,
    }
    for i, url in enumerate(sent):
        body = payload(thread="a-slug", text=f"Comment number {i}.", permalink=url)
        rv = client.post("/api/v1/comments", data=body, headers={"Origin": ALLOWED})
        assert rv.status_code == 202, rv.get_json()
        with db.session() as session:
            kept = session.get(Comment, rv.get_json()["id"])
            assert kept is not None
            assert kept.permalink == sent[url], url
    with db.session() as session:
        assert len(session.scalars(select(Comment)).all()) == len(sent)
