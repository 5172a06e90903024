"""The dashboard and an author's edits: an edited card says so and shows the text before;
a withdrawn comment offers no action and no moderator can publish it again."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from tests.dashboard import state_of
from tests.factories import BENIGN, post

JSON = {"Accept": "application/json"}
EDITED = "Actually, visit my blog http://myblog.example for the real figures."


def posted_held(client: FlaskClient, db: Database, **fields: Any) -> dict[str, Any]:
    """Post a comment through the API and hold it, as the worker would; return the 202 body."""
    body: dict[str, Any] = post(client, **fields).get_json()
    with db.session() as session:
        change = Change(State.PENDING, State.HELD, "system:worker", "classify")
        assert transition(session, body["id"], change) is not None
    return body


def with_token(body: dict[str, Any]) -> dict[str, str]:
    return {"Moderato-Edit-Token": body["edit_token"]}


def test_an_edited_card_says_edited_and_shows_the_text_before(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A held comment its author edited: the card (queue and history page) says "edited by
    its author" with when, and shows the text before the edit beside the new one."""
    body = posted_held(client, db)
    client.patch(f"/api/v1/comments/{body['id']}", json={"text": EDITED}, headers=with_token(body))
    with db.session() as session:
        change = Change(State.PENDING, State.HELD, "system:worker", "classify", revision=1)
        assert transition(session, body["id"], change) is not None
    for path in ("/moderation/queue/held", f"/moderation/comments/{body['id']}"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "edited by its author" in html
        assert (
            "Text before the author&#39;s edit" in html or "Text before the author's edit" in html
        )
        assert BENIGN in html and "myblog.example" in html
    history = client.get(f"/moderation/comments/{body['id']}").get_data(as_text=True)
    assert "edited" in history and "author" in history


def test_a_withdrawn_comment_offers_nothing_and_cannot_be_restored(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The Rejected queue shows a withdrawn comment with no action; Approve and Not spam,
    from the dashboard or from a site's tools, answer 409 withdrawn with the reason."""
    body = posted_held(client, db)
    assert (
        client.delete(f"/api/v1/comments/{body['id']}", headers=with_token(body)).status_code == 200
    )
    html = client.get("/moderation/queue/rejected", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    card = html[html.index(f'id="c-{body["id"]}"') :].split("</li>")[0]
    assert "Withdrawn by its author" in card
    assert 'name="action"' not in card
    for action in ("approve", "ham"):
        rv = client.post(
            f"/moderation/comments/{body['id']}/act",
            json={"action": action, "expected": "rejected"},
            headers={**JSON, "X-CSRF-Token": admin_csrf},
        )
        assert rv.status_code == 409
        assert rv.get_json()["error"]["code"] == "withdrawn"
        assert "cannot be published again" in rv.get_json()["error"]["message"]
    assert state_of(db, body["id"]) == ("rejected", "withdrawn")


def test_approving_a_card_whose_text_was_edited_since_is_a_conflict(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A card shows the text at its revision: if the author edited a pending comment since
    (it stays pending), approving it from the card publishes nothing the moderator did not
    read (409, the card redrawn); with the current revision it goes through."""
    body: dict[str, Any] = post(client).get_json()
    seen = client.get("/moderation/queue/pending", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert 'name="revision" value="0"' in seen.split(f'id="c-{body["id"]}"')[1].split("</li>")[0]
    client.patch(f"/api/v1/comments/{body['id']}", json={"text": EDITED}, headers=with_token(body))

    def approve(revision: int) -> Any:
        return client.post(
            f"/moderation/comments/{body['id']}/act",
            json={"action": "approve", "expected": "pending", "revision": str(revision)},
            headers={**JSON, "X-CSRF-Token": admin_csrf},
        )

    stale = approve(0)
    assert stale.status_code == 409
    assert "edited this comment since you loaded the page" in stale.get_json()["error"]["message"]
    assert state_of(db, body["id"]) == ("pending", None)
    assert approve(1).status_code == 200
    assert state_of(db, body["id"]) == ("published", None)


def test_a_bulk_approve_leaves_a_comment_edited_since_the_page_was_drawn(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The held queue is drawn; the author edits a held comment and the worker holds the new
    text again; the moderator ticks the card and bulk-approves: the box names the text
    revision its card showed, so the new text (never seen) is a conflict, not published."""
    body = posted_held(client, db)
    page = client.get("/moderation/queue/held", headers={"Accept": "text/html"})
    item = re.search(rf'name="item" value="({body["id"]}[^"]*)"', page.get_data(as_text=True))
    assert item is not None
    rv = client.patch(
        f"/api/v1/comments/{body['id']}", json={"text": EDITED}, headers=with_token(body)
    )
    assert rv.status_code == 202
    with db.session() as session:
        change = Change(State.PENDING, State.HELD, "system:worker", "classify", revision=1)
        assert transition(session, body["id"], change) is not None
    for sent in (
        {"data": {"csrf_token": admin_csrf, "action": "approve", "item": [item.group(1)]}},
        {
            "json": {
                "action": "approve",
                "items": [
                    dict(zip(("id", "state", "revision"), item.group(1).split(":"), strict=True))
                ],
            },
            "headers": {"X-CSRF-Token": admin_csrf},
        },
    ):
        client.post("/moderation/bulk", **sent)
        assert state_of(db, body["id"]) == ("held", None)


def test_a_filter_wide_approve_leaves_a_comment_edited_after_its_confirmation_page(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The moderator reviews "Approve all held" (its sample shows the text); the author then
    edits the comment and the worker holds the new text again; confirming leaves it held,
    counted as changed meanwhile: the action covers the texts as of the confirmation page."""
    from tests.service.moderation.test_bulk import _confirm_form

    body = posted_held(client, db)
    html = client.get(
        "/moderation/queue/held/bulk?action=approve", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    form = _confirm_form(html)
    assert form["count"] == "1"
    rv = client.patch(
        f"/api/v1/comments/{body['id']}", json={"text": EDITED}, headers=with_token(body)
    )
    assert rv.status_code == 202
    with db.session() as session:
        change = Change(State.PENDING, State.HELD, "system:worker", "classify", revision=1)
        assert transition(session, body["id"], change) is not None
    resp = client.post("/moderation/queue/held/bulk", data=form)
    assert resp.status_code == 303
    assert state_of(db, body["id"]) == ("held", None)
