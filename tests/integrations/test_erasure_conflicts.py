"""An erasure that keeps losing races to concurrent changes of a comment: the API answers
``409 erasure_conflict`` with ``Retry-After``, the command line and the dashboard say so,
and what could be erased is erased, committed and audited; the next run finishes. An
author's withdrawal that keeps losing is a ``409 conflict`` that changed nothing. Real
SQLite file and Redis; the race is provoked in the repository layer (below)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service import privacy
from service.lifecycle import Change, Outcome, transition
from service.privacy import erasure
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from service.store.tables_integrations import Check
from tests.factories import post, published, stored
from tests.integrations.conftest import SiteKeys, bearer

ADA = "ada@example.org"
SECRET = "Ada Lovelace of 12 Byron Road wrote this"
ERASE = "/api/v1/privacy/erase"


def keeps_moving(monkeypatch: pytest.MonkeyPatch, contested: str) -> list[str]:
    """Make ``contested`` change state between each read of the erasure and its conditional
    update, as a moderator or the worker acting on it at that moment would (published and
    held in turn), so each take-down finds its expected state gone; return the states the
    take-downs expected. The change is made in the erasure's own transaction: on SQLite,
    another connection cannot write once the erasure's has (one writer), which is why the
    erasure loses at most once in practice and this is how to lose every time."""
    expected: list[str] = []

    def racing(session: Any, comment_id: str, change: Change) -> Outcome | None:
        if comment_id == contested:
            expected.append(change.expected.value)
            moved = "held" if change.expected is State.PUBLISHED else "published"
            session.execute(update(Comment).where(Comment.id == comment_id).values(state=moved))
        return transition(session, comment_id, change)

    monkeypatch.setattr(erasure, "transition", racing)
    return expected


def _ada_on(db: Database, site: str) -> list[str]:
    """Three comments of Ada's on ``site`` (published, held, published) and a check record."""
    ids = [
        published(db, site=site, email=ADA, text=f"{SECRET} #1").id,
        stored(db, site=site, state=State.HELD, email=ADA, text=f"{SECRET} #2").id,
        published(db, site=site, email=ADA, text=f"{SECRET} #3").id,
    ]
    with db.session() as session:
        site_id = session.get(Comment, ids[0]).site_id  # type: ignore[union-attr]
        session.add(Check(id="chk_ada", site_id=site_id, source="akismet", fingerprint="f",
                          text=SECRET, author_email=ADA, spam=0.1, toxicity=0.0,
                          verdict="ham"))  # fmt: skip
    return ids


def _texts_and_states(db: Database, ids: list[str]) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = [session.get(Comment, i) for i in ids]
        return [(r.text, r.state) for r in rows if r is not None]


def _erase_entries(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_erase").order_by(AuditEntry.id)
        )
        return [dict(e.details or {}) for e in entries]


def test_the_api_answers_409_with_retry_after_and_keeps_what_it_erased(
    client: FlaskClient,
    db: Database,
    make_site: Callable[..., SiteKeys],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One of Ada's comments changes under each of the erasure's five attempts: the answer
    is ``409 erasure_conflict`` in the contract's error shape with ``Retry-After`` (a 500
    before), saying what was erased and what remains; her other comments and her check
    record are erased (committed), the contested one is untouched (not left half-erased in
    its thread), and the audit entry counts it as remaining. The same request once the
    races stop erases it and answers ``complete``."""
    site = make_site(privacy=["privacy"])
    ids = _ada_on(db, site.slug)
    expected = keeps_moving(monkeypatch, ids[1])
    key = bearer(site.tokens["privacy"])

    rv = client.post(ERASE, json={"email": ADA}, headers=key)
    assert rv.status_code == 409
    assert rv.headers["Retry-After"] == "1"
    assert rv.get_json() == {
        "error": {
            "code": "erasure_conflict",
            "message": "Some of the address's comments kept changing while they were erased "
            "(a moderator or the classifier acting on them): 2 erased, 1 remaining. Send the "
            "same request again.",
        }
    }
    assert expected == ["held", "published", "held", "published", "held"]  # every attempt lost
    assert _texts_and_states(db, ids) == [
        ("", "rejected"), (f"{SECRET} #2", "held"), ("", "rejected")
    ]  # fmt: skip
    with db.session() as session:
        assert session.get(Check, "chk_ada") is None
    assert _erase_entries(db) == [
        {"comments": 2, "taken_down": 2, "checks": 1, "reply_notifications": 0,
         "remaining": 1, "complete": False}
    ]  # fmt: skip

    monkeypatch.undo()  # the moderator (or the worker) is done with it
    again = client.post(ERASE, json={"email": ADA}, headers=key)
    assert again.status_code == 200
    assert again.get_json() == {
        "site": site.slug,
        "complete": True,
        "erased": {"comments": 1, "taken_down": 1, "checks": 0, "reply_notifications": 0},
        "remaining": {"comments": 0},
    }
    assert _texts_and_states(db, ids) == [("", "rejected")] * 3
    assert _erase_entries(db)[1]["complete"] is True
    assert ADA not in json.dumps(_erase_entries(db))


def test_a_batched_erasure_keeps_the_batches_around_the_contested_comment(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In batches of one, the batches before and after the contested comment are committed;
    ``ErasureConflict`` carries what was done (with ``remaining``), after the audit entry
    was written; ``erase`` in one transaction raises it too, having done nothing."""
    ids = _ada_on(db, "default")
    keeps_moving(monkeypatch, ids[1])
    with pytest.raises(privacy.ErasureConflict) as one, db.session() as session:
        privacy.erase(session, ADA, "cli")
    assert one.value.comment_id == ids[1] and one.value.done is None
    assert [t for t, _ in _texts_and_states(db, ids)] == [f"{SECRET} #{n}" for n in (1, 2, 3)]

    with pytest.raises(privacy.ErasureConflict) as batched:
        privacy.erase_in_batches(db, ADA, "cli", batch=1)
    done = batched.value.done
    assert done is not None
    assert (done.comments, done.taken_down, done.checks, done.remaining) == (2, 2, 1, 1)
    assert len(done.deliveries) == 0  # no webhook endpoint: nothing to enqueue
    assert [t for t, _ in _texts_and_states(db, ids)] == ["", f"{SECRET} #2", ""]
    assert _erase_entries(db)[-1]["remaining"] == 1


def test_the_command_line_and_the_dashboard_say_what_remains(
    client: FlaskClient,
    db: Database,
    moderato: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``moderato comments erase`` prints what it erased, then fails (exit 1) saying how
    many comments kept changing and to run it again (a traceback before); the dashboard
    shows both messages after its redirect (a 500 page before)."""
    from tests.dashboard import csrf_token, logged_in

    ids = _ada_on(db, "default")
    keeps_moving(monkeypatch, ids[1])
    result = moderato("comments", "erase", "--email", ADA, "--yes")
    assert result.exit_code == 1
    assert "erased 2 comments (2 taken down), 1 check record" in result.output
    assert (
        f"1 comment of {ADA} kept changing while they were erased (a moderator or the "
        "classifier acting on them) and are not erased yet: run the command again"
    ) in " ".join(result.output.split())

    logged_in(client, db)
    done = client.post(
        "/moderation/privacy/erase",
        data={"csrf_token": csrf_token(client, "/moderation/privacy"), "email": ADA,
              "confirm": "yes"},
        headers={"Accept": "text/html"},
    )  # fmt: skip
    assert done.status_code == 303
    page = client.get(done.headers["Location"], headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert "Erased 0 comments (0 taken down)" in html
    assert "1 comment kept changing while they were erased" in html
    assert [e["remaining"] for e in _erase_entries(db)] == [1, 1]


def test_a_withdrawal_that_keeps_losing_is_a_409_that_changed_nothing(
    client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An author's withdrawal shares the erasure's take-down: when its comment changes under
    every attempt the answer is ``409 conflict`` ("try again"), not a 500, and the comment
    keeps its text (the erasure rolled back with the request's transaction)."""
    body = post(client, text="A comment its author will withdraw.").get_json()
    with db.session() as session:
        change = Change(State.PENDING, State.PUBLISHED, "system:worker", "classify")
        assert transition(session, body["id"], change) is not None
    keeps_moving(monkeypatch, body["id"])
    rv = client.delete(
        f"/api/v1/comments/{body['id']}", headers={"Moderato-Edit-Token": body["edit_token"]}
    )
    assert rv.status_code == 409
    assert rv.get_json()["error"] == {
        "code": "conflict",
        "message": "The comment kept changing while it was withdrawn; try again.",
    }
    assert _texts_and_states(db, [body["id"]]) == [
        ("A comment its author will withdraw.", "published")
    ]
