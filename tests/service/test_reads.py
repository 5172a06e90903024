"""GET /api/v1/comments (thread listing) and GET /api/v1/comments/<id> (status)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import update

from service import sites
from service.comments import cursor_scope
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import post, stored


def _thread(client: FlaskClient, query: str) -> dict:  # type: ignore[type-arg]
    rv = client.get(f"/api/v1/comments?{query}")
    assert rv.status_code == 200, rv.get_json()
    return rv.get_json()  # type: ignore[no-any-return]


def _spread(db: Database, comments: list[Comment]) -> None:
    """Give comments distinct creation times, one second apart, in list order."""
    with db.session() as session:
        base = comments[0].created_at
        for i, comment in enumerate(comments):
            session.execute(
                update(Comment)
                .where(Comment.id == comment.id)
                .values(created_at=base + timedelta(seconds=i))
            )


def test_lists_only_published_comments_oldest_first(client: FlaskClient, db: Database) -> None:
    """The thread shows published comments only, oldest first by default; newest on request."""
    first = stored(db, state=State.PUBLISHED, thread="t", text="first")
    stored(db, state=State.HELD, thread="t", text="held")
    stored(db, state=State.PENDING, thread="t", text="pending")
    stored(db, state=State.REJECTED, thread="t", text="rejected")
    second = stored(db, state=State.PUBLISHED, thread="t", text="second")
    stored(db, state=State.PUBLISHED, thread="other", text="elsewhere")
    _spread(db, [first, second])
    assert [i["text"] for i in _thread(client, "thread=t")["items"]] == ["first", "second"]
    newest = _thread(client, "site=default&thread=t&order=newest")["items"]
    assert [i["text"] for i in newest] == ["second", "first"]


def test_items_have_the_contract_fields_and_an_avatar_hash_not_the_email(
    client: FlaskClient, db: Database
) -> None:
    """Each item carries id, parent, author, avatar (SHA-256 of the e-mail), time, when it was
    edited (null: never), text, html and whether it is featured."""
    parent = stored(db, state=State.PUBLISHED, thread="t", email=" Ada@Example.org ")
    reply = stored(db, state=State.PUBLISHED, thread="t", parent=parent.id)
    _spread(db, [parent, reply])
    items = _thread(client, "thread=t")["items"]
    assert set(items[0]) == {
        "id", "parent", "author_name", "author_url", "avatar", "created_at", "edited_at", "text",
        "html", "featured", "revision",
    }  # fmt: skip
    assert items[0]["avatar"] == hashlib.sha256(b"ada@example.org").hexdigest()
    assert items[1]["parent"] == parent.id
    assert items[0]["created_at"].endswith("Z")
    assert items[0]["edited_at"] is None


def test_text_is_plain_and_html_is_sanitised(client: FlaskClient, db: Database) -> None:
    """Markup in a comment is escaped in html; links get rel="nofollow ugc noopener"."""
    stored(
        db,
        state=State.PUBLISHED,
        thread="t",
        text="<script>alert(1)</script> *hi* [x](javascript:alert(1)) https://example.org",
    )
    item = _thread(client, "thread=t")["items"][0]
    assert item["text"].startswith("<script>alert(1)</script>")
    assert "<script>" not in item["html"]
    assert "&lt;script&gt;" in item["html"]
    assert "<em>hi</em>" in item["html"]
    assert 'href="javascript' not in item["html"]
    assert 'rel="nofollow ugc noopener"' in item["html"]


def test_cursor_pagination_walks_the_thread_without_gaps_or_repeats(
    client: FlaskClient, db: Database
) -> None:
    """Following next_cursor yields every published comment exactly once, in order, and
    every page gives the thread's total."""
    comments = [stored(db, state=State.PUBLISHED, thread="long", text=f"c{i}") for i in range(7)]
    _spread(db, comments)
    stored(db, state=State.HELD, thread="long", text="held")
    seen: list[str] = []
    query = "thread=long&limit=3"
    while True:
        page = _thread(client, query)
        assert page["total"] == 7  # the whole thread's published comments, on every page
        seen += [i["text"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        query = f"thread=long&limit=3&cursor={page['next_cursor']}"
    assert seen == [f"c{i}" for i in range(7)]


def test_etag_answers_304_until_the_thread_changes(client: FlaskClient, db: Database) -> None:
    """A repeated request with If-None-Match gets 304; a new published comment changes the ETag."""
    stored(db, state=State.PUBLISHED, thread="t")
    first = client.get("/api/v1/comments?thread=t")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/comments?thread=t", headers={"If-None-Match": etag})
    assert again.status_code == 304
    stored(db, state=State.PUBLISHED, thread="t", text="new")
    changed = client.get("/api/v1/comments?thread=t", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_listing_rejects_bad_parameters_with_field_errors(client: FlaskClient) -> None:
    """A missing thread, a bad order, limit or cursor answer 422 naming each parameter."""
    rv = client.get("/api/v1/comments?order=random&limit=0&cursor=%%%")
    assert rv.status_code == 422
    assert set(rv.get_json()["error"]["fields"]) == {"thread", "order", "limit", "cursor"}
    assert client.get("/api/v1/comments?thread=t&site=nope").status_code == 404


def test_status_of_a_pending_comment_is_public_without_scores(
    client: FlaskClient, db: Database
) -> None:
    """Anyone may poll a comment's status; scores and decision are not shown to them."""
    comment = stored(db, state=State.HELD)
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(spam=0.7, toxicity=0.1, decision={"summary": ["x"], "reasons": []})
        )
    body = client.get(f"/api/v1/comments/{comment.id}").get_json()
    assert set(body) == {"id", "status", "created_at", "revision"}
    assert body["status"] == "held"


def test_a_site_key_with_read_scope_sees_scores_and_decision(
    client: FlaskClient, db: Database
) -> None:
    """The comment's own site key (read scope) sees scores and decision; another site's does not."""
    comment = stored(db, state=State.HELD)
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(spam=0.7, toxicity=0.1, decision={"summary": ["spam 0.70"], "reasons": []})
        )
        default = sites.by_slug(session, "default")
        assert default is not None
        own = sites.add_key(session, default, name="t", scopes=["read"])
        other = sites.create(session, "Other", ["https://other.example"]).api_key
    url = f"/api/v1/comments/{comment.id}"
    mine = client.get(url, headers={"Authorization": f"Bearer {own}"}).get_json()
    assert mine["scores"] == {"spam": 0.7, "toxicity": 0.1}
    assert mine["decision"]["summary"] == ["spam 0.70"]
    theirs = client.get(url, headers={"Authorization": f"Bearer {other}"}).get_json()
    assert "scores" not in theirs
    bad = client.get(url, headers={"Authorization": "Bearer mod_000000000000_nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "invalid_api_key"


def test_unknown_comment_is_404_in_the_error_shape(client: FlaskClient) -> None:
    """An unknown or malformed id answers 404 comment_not_found."""
    for cid in ("AAAAAAAAAAAAAAAAAAAAAA", "bad.id!"):
        rv = client.get(f"/api/v1/comments/{cid}")
        assert rv.status_code == 404
        assert rv.get_json()["error"]["code"] == "comment_not_found"


def test_the_email_address_never_appears_in_a_public_response(
    client: FlaskClient, db: Database
) -> None:
    """The author's e-mail is in no public answer: intake, status, published status, listing."""
    email = "secret.person@example.org"
    rv = post(client, thread="privacy", email=email)
    answers = [rv.get_data(as_text=True)]
    cid = rv.get_json()["id"]
    answers.append(client.get(f"/api/v1/comments/{cid}").get_data(as_text=True))
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == cid).values(state=State.PUBLISHED.value)
        )
    answers.append(client.get(f"/api/v1/comments/{cid}").get_data(as_text=True))
    answers.append(client.get("/api/v1/comments?thread=privacy").get_data(as_text=True))
    for text in answers:
        assert email not in text and "secret.person" not in text
    assert cid in answers[-1]


def test_a_moderator_session_sees_scores_until_the_session_is_no_longer_valid(
    client: FlaskClient, db: Database
) -> None:
    """A logged-in moderator sees scores through the API; after a password change the old session does not."""
    from service.passwords import hash_password
    from service.store.tables import User
    from tests.dashboard import logged_in

    comment = stored(db, state=State.HELD)
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == comment.id).values(spam=0.6, toxicity=0.2)
        )
    logged_in(client, db, "mod@example.org", role="moderator", sites=["default"])
    url = f"/api/v1/comments/{comment.id}"
    assert client.get(url).get_json()["scores"] == {"spam": 0.6, "toxicity": 0.2}
    with db.session() as session:
        session.execute(
            update(User)
            .where(User.email == "mod@example.org")
            .values(password_hash=hash_password("another long pass"))
        )
    assert "scores" not in client.get(url).get_json()


def test_counts_give_each_named_threads_published_comments(
    client: FlaskClient, db: Database
) -> None:
    """/api/v1/counts counts published comments (replies included) per thread, 0 for a
    thread without any, each name once; held and rejected ones do not count."""
    parent = stored(db, state=State.PUBLISHED, thread="river").id
    stored(db, state=State.PUBLISHED, thread="river", parent=parent)
    stored(db, state=State.HELD, thread="river")
    stored(db, state=State.REJECTED, thread="river")
    stored(db, state=State.PUBLISHED, thread="https://news.example/a?b=1")
    rv = client.get(
        "/api/v1/counts?thread=river&thread=https%3A%2F%2Fnews.example%2Fa%3Fb%3D1"
        "&thread=quiet&thread=river"
    )
    assert rv.status_code == 200
    assert rv.get_json() == {
        "site": "default",
        "counts": {"river": 2, "https://news.example/a?b=1": 1, "quiet": 0},
    }
    assert rv.headers["Cache-Control"] == "public, max-age=30"
    again = client.get(rv.request.full_path, headers={"If-None-Match": rv.headers["ETag"]})
    assert again.status_code == 304


def test_counts_report_bad_parameters(client: FlaskClient) -> None:
    """No thread, too many, a too long one, or an unknown site: the usual error shape."""
    for query, code in (
        ("", "required"),
        ("thread=", "required"),
        ("&".join(f"thread=t{n}" for n in range(101)), "too_many"),
        ("thread=" + "x" * 513, "too_long"),
    ):
        rv = client.get(f"/api/v1/counts?{query}")
        assert rv.status_code == 422, query
        assert rv.get_json()["error"]["fields"]["thread"]["code"] == code
    rv = client.get("/api/v1/counts?site=nope&thread=a")
    assert rv.status_code == 404
    assert rv.get_json()["error"]["code"] == "site_not_found"


def test_a_cursor_belongs_to_its_thread_and_order(client: FlaskClient, db: Database) -> None:
    """A cursor used with another thread or order is a 422 invalid_cursor (it silently
    answered an empty or wrong page; found in review); with its own it pages on."""
    for i in range(3):
        stored(db, state=State.PUBLISHED, thread="paged", text=f"Paged {i}")
    page = client.get("/api/v1/comments?thread=paged&limit=2").get_json()
    cursor = page["next_cursor"]
    assert client.get(f"/api/v1/comments?thread=paged&limit=2&cursor={cursor}").status_code == 200
    for other in ("thread=elsewhere", "thread=paged&order=newest"):
        rv = client.get(f"/api/v1/comments?{other}&limit=2&cursor={cursor}")
        assert rv.status_code == 422, other
        assert rv.get_json()["error"]["fields"]["cursor"]["code"] == "invalid_cursor"


def test_a_cursor_whose_time_does_not_exist_in_utc_is_refused(
    client: FlaskClient, db: Database
) -> None:
    """A cursor holding a time at the calendar's edge in a far offset (it has no UTC
    equivalent) is a 422 invalid_cursor, on the listing (the queue decodes its cursors alike); it was
    a 500 when the query compared it."""
    stored(db, state=State.PUBLISHED, thread="edge", text="On the edge")
    for stamp in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        scope = cursor_scope("default", "edge", "oldest")
        raw = json.dumps([stamp, "x", scope]).encode()
        cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        rv = client.get(f"/api/v1/comments?thread=edge&cursor={cursor}")
        assert rv.status_code == 422, stamp
        assert rv.get_json()["error"]["fields"]["cursor"]["code"] == "invalid_cursor"
