"""What an erasure or an export must not keep or show (found in an integrator's review):
a classifier error's message, an edited event's non-personal fields (real SQLite file,
real Redis)."""

from __future__ import annotations

from flask.testing import FlaskClient

from service import privacy
from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.factories import stored
from tests.helpers import outbox_bodies
from tests.service.test_edits import edit, posted, subscribe, withdraw

ADA = "ada@example.org"
WORDS = "Ada's words from 12 Byron Road"
ERROR = f"ValueError: cannot score {WORDS!r} on host scorer.internal:8500"


def _held_after_errors(db: Database) -> str:
    """Store Ada's comment held as the worker holds one after classifier errors: the
    message in the decision's ``error_detail`` and in the audit entry's ``error``."""
    comment_id = stored(db, email=ADA, text=WORDS).id
    decision = {
        "action": "hold",
        "error": "classifier_error",
        "error_type": "ValueError",
        "summary": ["classifier_error: the classifier failed (ValueError)"],
        "error_detail": ERROR[:300],
        "reasons": [],
    }
    change = Change(State.PENDING, State.HELD, "system:worker", "classifier_error",
                    values={"decision": decision}, details={"error": ERROR})  # fmt: skip
    with db.session() as session:
        assert transition(session, comment_id, change) is not None
    return comment_id


def test_the_export_leaves_out_a_classifier_errors_message(db: Database) -> None:
    """The export shows the decision as a ``read`` key sees it: the stable summary, not the
    operator's error text (it showed ``error_detail``)."""
    comment_id = _held_after_errors(db)
    with db.session() as session:
        [comment] = privacy.export(session, ADA)["comments"]
    assert comment["id"] == comment_id
    assert comment["decision"]["summary"] == [
        "classifier_error: the classifier failed (ValueError)"
    ]
    assert "error_detail" not in comment["decision"] and "scorer.internal" not in str(comment)


def test_an_erasure_drops_a_classifier_errors_message(db: Database) -> None:
    """The decision's ``error_detail`` and the audit entry's ``error`` may quote the text:
    an erasure leaves neither (it kept both)."""
    comment_id = _held_after_errors(db)
    with db.session() as session:
        assert privacy.erase(session, ADA, "cli").comments == 1
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None and row.decision is not None
        assert "error_detail" not in row.decision and "Byron" not in str(row.decision)
        assert row.decision["error_type"] == "ValueError"
        details = [e.details for e in session.query(AuditEntry).filter_by(comment_id=comment_id)]
    assert "Byron" not in str(details) and "scorer.internal" not in str(details)
    assert [d["error"] for d in details if "error" in d] == ["[erased]"]


def test_a_withdrawal_drops_a_classifier_errors_message(client: FlaskClient, db: Database) -> None:
    """An author's withdrawal erases as an erasure does: the error's message goes too."""
    body = posted(client, db, State.PENDING, email=ADA, text=WORDS)
    change = Change(State.PENDING, State.HELD, "system:worker", "classifier_error",
                    values={"decision": {"error": "classifier_error", "error_type": "ValueError",
                                         "error_detail": ERROR, "summary": [ERROR],
                                         "reasons": []}},
                    details={"error": ERROR})  # fmt: skip
    with db.session() as session:
        assert transition(session, body["id"], change) is not None
    assert withdraw(client, body).status_code in (200, 204)
    with db.session() as session:
        row = session.get(Comment, body["id"])
        assert row is not None
        entries = session.query(AuditEntry).filter_by(comment_id=body["id"]).all()
        stored_text = str(row.decision) + str([e.details for e in entries])
    assert "Byron" not in stored_text and "scorer.internal" not in stored_text


def test_an_erased_edit_event_keeps_its_previous_status(client: FlaskClient, db: Database) -> None:
    """A ``comment.edited`` event in the outbox, rewritten by an erasure, keeps the state
    the edit took the comment out of (it lost ``previous_status``) and its revision, but
    not the words."""
    subscribe(db, "comment.edited")
    body = posted(client, db, email=ADA)
    assert edit(client, body, text=WORDS).status_code == 202
    with db.session() as session:
        assert privacy.erase(session, ADA, "cli").comments == 1
    [event] = [e for e in outbox_bodies(db) if e["type"] == "comment.edited"]
    assert event["data"]["previous_status"] == "published"
    assert event["data"]["status"] == "pending" and event["data"]["revision"] == 1
    assert event["data"]["text"] == "" and event["data"]["author_name"] == "[erased]"
    assert "Byron" not in str(event)
