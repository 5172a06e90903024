"""Featured comments in the thread listing: the ``featured`` field, the ``featured=1``
filter with its own cursors, ``featured_total``, the ETag, and what take-downs and privacy
erasures do to the flag."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service import featured, privacy
from service.lifecycle import Change, transition
from service.status import Rejection, State
from service.store import Database
from service.store.tables import Comment
from tests.factories import stored
from tests.service.test_reads import _spread, _thread


def feature(db: Database, *comments: Comment) -> None:
    """Feature ``comments`` as a moderator does."""
    with db.session() as session:
        for comment in comments:
            assert featured.set_featured(session, comment.id, "feature", "user:1") is not None


def take_down(db: Database, comment: Comment) -> None:
    """Take a published comment down as a moderator does."""
    with db.session() as session:
        change = Change(
            State.PUBLISHED, State.REJECTED, "user:1", "takedown", rejection=Rejection.MODERATOR
        )
        assert transition(session, comment.id, change) is not None


def seed(db: Database, n: int = 8, picks: tuple[int, ...] = (1, 2, 4, 6, 7)) -> list[Comment]:
    """Store ``n`` published comments of thread ``t`` a second apart (the fourth a reply to
    the second) and feature those at the ``picks`` indexes."""
    rows = [stored(db, state=State.PUBLISHED, thread="t", text=f"c{i}") for i in range(4)]
    rows.append(stored(db, state=State.PUBLISHED, thread="t", text="c4", parent=rows[2].id))
    rows += [stored(db, state=State.PUBLISHED, thread="t", text=f"c{i}") for i in range(5, n)]
    stored(db, state=State.PUBLISHED, thread="other", text="elsewhere")
    _spread(db, rows)
    feature(db, *(rows[i] for i in picks))
    return rows


def pages(client: FlaskClient, query: str) -> list[dict[str, Any]]:
    """Follow ``next_cursor`` from the first page; return every page."""
    found = [_thread(client, query)]
    while found[-1]["next_cursor"]:
        found.append(_thread(client, f"{query}&cursor={found[-1]['next_cursor']}"))
    return found


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_the_featured_filter_pages_through_only_featured_comments(
    client: FlaskClient, db: Database, order: str
) -> None:
    """``featured=1`` lists exactly the featured comments (a featured reply too), in order,
    across cursor pages; ``total`` stays the whole thread's and ``featured_total`` the
    featured count on every page."""
    rows = seed(db)
    got = pages(client, f"thread=t&featured=1&limit=2&order={order}")
    texts = [i["text"] for p in got for i in p["items"]]
    expected = ["c1", "c2", "c4", "c6", "c7"]
    assert texts == (expected if order == "oldest" else expected[::-1])
    assert len(got) == 3
    assert all(i["featured"] for p in got for i in p["items"])
    assert {(p["total"], p["featured_total"]) for p in got} == {(len(rows), 5)}


def test_every_listing_item_says_whether_it_is_featured(client: FlaskClient, db: Database) -> None:
    """Without the filter every published comment is listed with its flag, and the counts
    are the same whether the thread fits one page or needs several."""
    seed(db)
    whole = _thread(client, "thread=t")
    assert [i["text"] for i in whole["items"] if i["featured"]] == ["c1", "c2", "c4", "c6", "c7"]
    assert (whole["total"], whole["featured_total"]) == (8, 5)
    paged = pages(client, "thread=t&limit=3")
    assert {(p["total"], p["featured_total"]) for p in paged} == {(8, 5)}
    empty = _thread(client, "thread=other")
    assert (empty["featured_total"], empty["items"][0]["featured"]) == (0, False)


def test_a_cursor_belongs_to_its_list(client: FlaskClient, db: Database) -> None:
    """A cursor of the featured list is refused by the whole thread's list and the other way
    round (422 invalid_cursor), rather than answering a wrong page."""
    seed(db)
    picks = _thread(client, "thread=t&featured=1&limit=2")["next_cursor"]
    every = _thread(client, "thread=t&limit=2")["next_cursor"]
    for query in (f"thread=t&limit=2&cursor={picks}", f"thread=t&featured=1&cursor={every}"):
        rv = client.get(f"/api/v1/comments?{query}")
        assert rv.status_code == 422, query
        assert rv.get_json()["error"]["fields"]["cursor"]["code"] == "invalid_cursor"


def test_a_bad_featured_value_is_a_field_error(client: FlaskClient, db: Database) -> None:
    """``featured=yes`` is a 422 naming the field; ``true`` and ``0`` are accepted."""
    seed(db)
    rv = client.get("/api/v1/comments?thread=t&featured=yes")
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["featured"]["code"] == "invalid_choice"
    assert len(_thread(client, "thread=t&featured=true")["items"]) == 5
    assert len(_thread(client, "thread=t&featured=0")["items"]) == 8


def test_featuring_changes_the_etag(client: FlaskClient, db: Database) -> None:
    """A listing cached by its ETag is answered 304 until a comment in it is featured; then
    200 with a new ETag and the flag."""
    comment = stored(db, state=State.PUBLISHED, thread="t")
    first = client.get("/api/v1/comments?thread=t")
    etag = first.headers["ETag"]
    assert (
        client.get("/api/v1/comments?thread=t", headers={"If-None-Match": etag}).status_code == 304
    )
    feature(db, comment)
    changed = client.get("/api/v1/comments?thread=t", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["items"][0]["featured"] is True


def test_the_status_of_a_featured_comment_says_so(client: FlaskClient, db: Database) -> None:
    """``GET /api/v1/comments/<id>`` of a featured comment carries ``featured: true`` in its
    rendered comment."""
    comment = stored(db, state=State.PUBLISHED, thread="t")
    feature(db, comment)
    assert client.get(f"/api/v1/comments/{comment.id}").get_json()["comment"]["featured"] is True


def test_a_comment_taken_down_leaves_the_featured_list(client: FlaskClient, db: Database) -> None:
    """A featured comment taken down is no longer featured nor listed; the counts follow."""
    rows = seed(db)
    take_down(db, rows[2])
    picks = _thread(client, "thread=t&featured=1")
    assert [i["text"] for i in picks["items"]] == ["c1", "c4", "c6", "c7"]
    assert (picks["total"], picks["featured_total"]) == (7, 4)
    with db.session() as session:
        assert session.get(Comment, rows[2].id).featured_at is None  # type: ignore[union-attr]


def test_erasing_the_author_removes_the_flag_with_the_comment(
    client: FlaskClient, db: Database
) -> None:
    """A privacy erasure of a featured comment's author takes it down and clears the flag,
    who featured it included: it is gone from the featured list and its count."""
    kept = stored(db, state=State.PUBLISHED, thread="t", email="kept@example.org")
    gone = stored(db, state=State.PUBLISHED, thread="t", email="erase-me@example.org")
    feature(db, kept, gone)
    assert _thread(client, "thread=t&featured=1")["featured_total"] == 2
    with db.session() as session:
        done = privacy.erase(session, "erase-me@example.org", "user:1")
    assert (done.comments, done.taken_down) == (1, 1)
    with db.session() as session:
        row = session.get(Comment, gone.id)
        assert row is not None
        assert (row.state, row.featured_at, row.featured_by) == ("rejected", None, None)
    picks = _thread(client, "thread=t&featured=1")
    assert [i["id"] for i in picks["items"]] == [kept.id] and picks["featured_total"] == 1
