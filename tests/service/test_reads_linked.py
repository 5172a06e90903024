"""The listing API's ``comment=<id>``: the page of the listing that holds one comment (the
widget's ``#comment-<id>``), in one request, for every paging, order and view."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from service.status import State
from service.store import Database
from tests.factories import stored
from tests.service.test_comment_pages import SPECS, build, roots
from tests.service.test_reads_featured import feature, pages

BASE = "site=default&thread=t&limit=2"


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


@pytest.mark.parametrize("order", ["oldest", "newest"])
@pytest.mark.parametrize("by", ["conversation", "comment"])
def test_a_comment_opens_the_page_next_cursor_reaches(
    client: FlaskClient, db: Database, order: str, by: str
) -> None:
    """For every published comment, ``comment=<id>`` answers the page that following
    ``next_cursor`` from the first page reaches with it on it (by conversation: its
    root's page), the same items and cursor, ``located`` saying it was found and whether
    the page is the first."""
    made = build(db, SPECS)
    query = f"{BASE}&order={order}&by={by}"
    walked = pages(client, query)
    assert len(walked) >= 4
    for cid, root in roots(made).items():
        at = next(
            i for i, p in enumerate(walked) if (root if by == "conversation" else cid) in ids(p)
        )
        rv = client.get(f"/api/v1/comments?{query}&comment={cid}")
        assert rv.status_code == 200
        body = rv.get_json()
        assert cid in ids(body)
        assert (ids(body), body["next_cursor"]) == (ids(walked[at]), walked[at]["next_cursor"])
        assert body["located"] == {"id": cid, "found": True, "first_page": at == 0}


@pytest.mark.parametrize("which", ["unknown", "held", "rejected", "other thread"])
def test_a_comment_the_thread_does_not_hold_gets_the_first_page(
    client: FlaskClient, db: Database, which: str
) -> None:
    """An id that is no published comment of the thread answers the first page, with
    ``found: false`` (held and unknown alike: nothing tells them apart)."""
    made = build(db, SPECS)
    elsewhere = stored(db, state=State.PUBLISHED, thread="other", text="elsewhere")
    rejected = stored(db, state=State.REJECTED, thread="t", text="gone")
    cid = {
        "unknown": "A" * 22,
        "held": made["held"].id,
        "rejected": rejected.id,
        "other thread": elsewhere.id,
    }[which]
    query = f"{BASE}&by=conversation"
    first = client.get(f"/api/v1/comments?{query}").get_json()
    body = client.get(f"/api/v1/comments?{query}&comment={cid}").get_json()
    assert body.pop("located") == {"id": cid, "found": False, "first_page": True}
    assert body == first


def test_in_the_featured_view_only_a_featured_comment_is_found(
    client: FlaskClient, db: Database
) -> None:
    """With ``featured=1`` the featured list's page holding a pick is answered; a
    published comment that is not featured is not in that list: the first page, not
    found (the widget then asks the whole thread)."""
    made = build(db, SPECS)
    picks = [made[t] for t in ("r0", "r2-a", "r4", "r5", "r7")]
    feature(db, *picks)
    query = f"{BASE}&featured=1"
    walked = pages(client, query)
    assert [len(p["items"]) for p in walked] == [2, 2, 1]
    body = client.get(f"/api/v1/comments?{query}&comment={made['r5'].id}").get_json()
    assert ids(body) == ids(walked[1])
    assert body["located"] == {"id": made["r5"].id, "found": True, "first_page": False}
    plain = client.get(f"/api/v1/comments?{query}&comment={made['r6'].id}").get_json()
    assert ids(plain) == ids(walked[0])
    assert plain["located"]["found"] is False


def test_a_bad_comment_or_one_beside_a_cursor_is_refused(client: FlaskClient, db: Database) -> None:
    """An id of the wrong shape, or a comment with a cursor, is ``422`` with the field
    named (one page or the other: the API does not guess which was meant); an empty
    ``comment=`` is none, as an empty cursor is."""
    made = build(db, SPECS)
    cursor = client.get(f"/api/v1/comments?{BASE}").get_json()["next_cursor"]
    for query, code in (
        ("comment=%3Cb%3E", "invalid_id"),
        (f"comment=A{'A' * 60}", "invalid_id"),
        (f"cursor={cursor}&comment={made['r0'].id}", "not_with_cursor"),
    ):
        rv = client.get(f"/api/v1/comments?{BASE}&{query}")
        assert rv.status_code == 422
        assert rv.get_json()["error"]["fields"]["comment"]["code"] == code
    empty = client.get(f"/api/v1/comments?{BASE}&comment=").get_json()
    assert "located" not in empty and empty == client.get(f"/api/v1/comments?{BASE}").get_json()
