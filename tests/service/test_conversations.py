"""GET /api/v1/comments?by=conversation: pages of top-level comments with all their replies."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from service import conversations
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import stored


def _page(client: FlaskClient, query: str) -> dict[str, Any]:
    rv = client.get(f"/api/v1/comments?thread=t&by=conversation&{query}")
    assert rv.status_code == 200, rv.get_json()
    return rv.get_json()  # type: ignore[no-any-return]


def _texts(body: dict[str, Any]) -> list[str]:
    return [i["text"] for i in body["items"]]


def _timeline(db: Database, *specs: tuple[str, str | None]) -> dict[str, Comment]:
    """Store published comments (text, parent text) one minute apart, in the given order."""
    made: dict[str, Comment] = {}
    for text, parent in specs:
        parent_id = made[parent].id if parent else None
        made[text] = stored(db, state=State.PUBLISHED, thread="t", text=text, parent=parent_id)
    with db.session() as session:
        base = made[specs[0][0]].created_at
        for i, (text, _) in enumerate(specs):
            session.execute(
                update(Comment)
                .where(Comment.id == made[text].id)
                .values(created_at=base + timedelta(minutes=i))
            )
    return made


def test_a_late_reply_comes_with_its_conversation_not_on_the_first_page(
    client: FlaskClient, db: Database
) -> None:
    """Newest first, two conversations a page: a late reply (at any depth) to the oldest
    comment arrives with it on the last page, under it, never alone at the top."""
    _timeline(
        db,
        ("old", None),
        ("middle", None),
        ("new", None),
        ("reply to old", "old"),
        ("reply to the reply", "reply to old"),
    )
    first = _page(client, "order=newest&limit=2")
    assert _texts(first) == ["new", "middle"]
    assert first["by"] == "conversation" and first["total"] == 5
    second = _page(client, f"order=newest&limit=2&cursor={first['next_cursor']}")
    assert _texts(second) == ["old", "reply to old", "reply to the reply"]
    assert second["next_cursor"] is None
    by_comment = client.get("/api/v1/comments?thread=t&order=newest&limit=2").get_json()
    assert [i["text"] for i in by_comment["items"]] == ["reply to the reply", "reply to old"]


def test_pages_cover_every_published_comment_once(client: FlaskClient, db: Database) -> None:
    """Walking the cursors, oldest first, gives each published comment exactly once, each
    conversation whole and in order (root, then its replies oldest first); a held reply stays
    out, and a published reply to it is a conversation of its own, in its time's place."""
    made = _timeline(
        db,
        ("a", None),
        ("b", None),
        ("a1", "a"),
        ("c", None),
        ("b1", "b"),
        ("a2", "a"),
        ("a1x", "a1"),
    )
    held = stored(db, state=State.HELD, thread="t", text="held reply", parent=made["a"].id)
    stored(db, state=State.PUBLISHED, thread="t", text="below held", parent=held.id)
    seen: list[str] = []
    cursor = ""
    while True:
        body = _page(client, f"limit=1{cursor}")
        seen += _texts(body)
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert seen == ["a", "a1", "a2", "a1x", "below held", "b", "b1", "c"]


def test_a_reply_whose_parent_is_not_published_is_a_conversation_of_its_own(
    client: FlaskClient, db: Database
) -> None:
    """A reply to a comment taken down (or still held) is shown as a root, with its own
    replies, instead of disappearing with its parent."""
    made = _timeline(db, ("root", None), ("orphan", "root"), ("under orphan", "orphan"))
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == made["root"].id).values(state="rejected")
        )
    body = _page(client, "")
    assert _texts(body) == ["orphan", "under orphan"]
    assert body["items"][0]["parent"] == made["root"].id  # still says what it answered


def test_a_cursor_of_one_paging_is_refused_by_the_other(client: FlaskClient, db: Database) -> None:
    """A by-comment cursor used by conversation (or the reverse) is a 422 field error, and
    an unknown ``by`` is too."""
    _timeline(db, ("one", None), ("two", None))
    by_comment = client.get("/api/v1/comments?thread=t&limit=1").get_json()["next_cursor"]
    rv = client.get(f"/api/v1/comments?thread=t&by=conversation&cursor={by_comment}")
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["cursor"]["code"] == "invalid_cursor"
    by_talk = _page(client, "limit=1")["next_cursor"]
    rv = client.get(f"/api/v1/comments?thread=t&cursor={by_talk}")
    assert rv.status_code == 422
    rv = client.get("/api/v1/comments?thread=t&by=thread")
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["by"]["code"] == "invalid_choice"


def test_replies_past_the_bound_end_the_page_before_the_conversation_that_passed_it(
    client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page brings at most MAX_REPLIES replies: it ends before the conversation that
    passes the bound, which starts the next page whole (no reply of another conversation
    is lost; found in review)."""
    monkeypatch.setattr(conversations, "MAX_REPLIES", 3)
    _timeline(
        db,
        ("A", None),
        ("B", None),
        ("a1", "A"),
        ("b1", "B"),
        ("b2", "B"),
        ("b3", "B"),
    )
    first = _page(client, "")
    assert _texts(first) == ["A", "a1"] and "replies_truncated" not in first
    second = _page(client, f"cursor={first['next_cursor']}")
    assert _texts(second) == ["B", "b1", "b2", "b3"] and second["next_cursor"] is None


def test_a_conversation_alone_past_the_bound_shows_its_earliest_replies(
    client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conversation with more replies than the bound, first on its page, shows its
    earliest ones and the answer says ``replies_truncated``; the next page goes on with
    the next conversation, and the total counts every published comment."""
    monkeypatch.setattr(conversations, "MAX_REPLIES", 2)
    _timeline(db, ("root", None), ("r1", "root"), ("r2", "root"), ("r3", "root"), ("next", None))
    body = _page(client, "")
    assert _texts(body) == ["root", "r1", "r2"]
    assert body["replies_truncated"] is True and body["total"] == 5
    rest = _page(client, f"cursor={body['next_cursor']}")
    assert _texts(rest) == ["next"] and "replies_truncated" not in rest
    monkeypatch.setattr(conversations, "MAX_REPLIES", 3)
    whole = _page(client, "")
    assert "replies_truncated" not in whole and _texts(whole)[:4] == ["root", "r1", "r2", "r3"]


def test_the_no_js_thread_pages_by_conversation(
    client: FlaskClient, db: Database, app: Any
) -> None:
    """The server-rendered thread (newest first) keeps a late reply under its parent on
    the parent's page rather than on the first page."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    _timeline(
        db,
        ("first of all", None),
        ("in between", None),
        ("most recent", None),
        ("a late reply", "first of all"),
    )
    page = client.get("/embed/thread?site=default&thread=t&order=newest").get_data(as_text=True)
    assert "most recent" in page and "in between" in page
    assert "first of all" not in page and "a late reply" not in page
    cursor = re.search(r"cursor=([\w-]+)", page)
    assert cursor is not None
    rest = client.get(f"/embed/thread?site=default&thread=t&order=newest&cursor={cursor[1]}")
    later = rest.get_data(as_text=True)
    assert later.index("first of all") < later.index("a late reply")


def test_the_featured_list_stays_flat_under_conversation_paging(
    client: FlaskClient, db: Database
) -> None:
    """featured=1 lists the picks one by one (a featured reply without its parent) and
    says so in ``by``, whatever paging was asked for."""
    made = _timeline(db, ("root", None), ("picked reply", "root"))
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == made["picked reply"].id)
            .values(featured_at=made["root"].created_at, featured_by="user:1")
        )
    body = _page(client, "featured=1")
    assert _texts(body) == ["picked reply"] and body["by"] == "comment"
    assert body["featured_total"] == 1 and body["total"] == 2


def test_a_no_js_reply_to_a_comment_on_a_later_page_keeps_its_parent(
    client: FlaskClient, db: Database, app: Any
) -> None:
    """Reply on the second page leads to a form that replies to that comment (its parent
    field and "Replying to"), though the comment is not on the page the link opens."""
    app.config["LIST_MAX_PAGE_SIZE"] = 1
    made = _timeline(db, ("first of all", None), ("second one", None))
    page = client.get("/embed/thread?site=default&thread=t").get_data(as_text=True)
    cursor = re.search(r"cursor=([\w-]+)", page)
    assert cursor is not None
    later = client.get(f"/embed/thread?site=default&thread=t&cursor={cursor[1]}")
    link = re.search(r'href="(\?[^"]*reply_to=[^"#]+)', later.get_data(as_text=True))
    assert link is not None and made["second one"].id in link[1]
    form = client.get("/embed/thread" + link[1].replace("&amp;", "&")).get_data(as_text=True)
    assert f'name="parent" value="{made["second one"].id}"' in form
    assert "second one" not in form.split('id="respond"')[0]  # not on this page's list
