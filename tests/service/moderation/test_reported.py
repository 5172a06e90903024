"""The Reported queue: published comments readers reported, why, and the moderator's answer."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service import reports
from service.status import State
from service.store import Database
from service.store.tables import Comment, Report
from tests.dashboard import audit_of, card_ids, labels_of, state_of
from tests.factories import stored
from tests.service.moderation.test_actions import act

HTML = {"Accept": "text/html"}


def _reported(db: Database, text: str, *found: tuple[str, str | None]) -> str:
    """Store a published comment with one report per (reason, note) from distinct readers."""
    comment_id = stored(db, state=State.PUBLISHED, text=text).id
    with db.session() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        for n, (reason, note) in enumerate(found):
            reports.add(session, comment, reason, note, f"{n:064x}")
    return comment_id


def _open(db: Database, comment_id: str) -> list[Report]:
    with db.session() as session:
        query = select(Report).where(Report.comment_id == comment_id)
        return [r for r in session.scalars(query) if r.resolved_at is None]


def test_the_reported_queue_lists_reported_published_comments_and_why(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Only published comments with an open report are listed; the card says how many
    readers reported it, for what, and their notes; the count shows in the tabs."""
    hot = _reported(
        db,
        "You are all idiots.",
        ("abusive", "Insults everyone"),
        ("abusive", None),
        ("spam", None),
    )
    stored(db, state=State.PUBLISHED, text="Nobody minds this one.")
    held_one = stored(db, state=State.HELD, text="Held, never reported.").id
    page = client.get("/moderation/queue/reported", headers=HTML)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert card_ids(html) == [hot]
    assert "Reported 3 times by readers:" in html
    assert "abusive or harassing ×2, spam" in html and "“Insults everyone”" in html
    assert 'value="dismiss"' in html and 'data-key="d"' in html
    poll = client.get("/moderation/queue/reported/poll", headers={"Accept": "application/json"})
    assert poll.get_json()["counts"]["reported"] == 1
    assert held_one not in card_ids(client.get("/moderation/queue/published").get_data(True))


def test_keeping_a_reported_comment_dismisses_its_reports(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """ "Keep" leaves the comment published, closes its reports (kept, by whom), records an
    audit entry and no label; done twice, the second is a conflict."""
    comment_id = _reported(db, "A sharp but fair comment.", ("abusive", None), ("other", None))
    rv = act(client, admin_csrf, comment_id, action="dismiss", expected="published", note="fair")
    assert rv.status_code == 200, rv.get_json()
    body: dict[str, Any] = rv.get_json()
    assert body["status"] == "published" and body["action"] == "reports_dismissed"
    assert "2 reports dismissed" in body["message"] and "Reported" not in body["card"]
    assert state_of(db, comment_id) == ("published", None)
    assert _open(db, comment_id) == []
    with db.session() as session:
        closed = session.scalars(select(Report).where(Report.comment_id == comment_id)).all()
    assert {(r.resolution, r.resolved_by.startswith("user:")) for r in closed} == {("kept", True)}
    (entry,) = [e for e in audit_of(db, comment_id) if e.action == "reports_dismissed"]
    assert entry.note == "fair" and entry.details == {"reports": 2}
    assert labels_of(db, comment_id) == []
    again = act(client, admin_csrf, comment_id, action="dismiss", expected="published")
    assert again.status_code == 409
    assert card_ids(client.get("/moderation/queue/reported").get_data(True)) == []


def test_taking_a_reported_comment_down_answers_its_reports(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A take-down from the Reported queue rejects the comment and closes its reports."""
    comment_id = _reported(db, "You are all idiots.", ("abusive", None))
    rv = act(client, admin_csrf, comment_id, action="toxic", expected="published")
    assert rv.status_code == 200, rv.get_json()
    assert state_of(db, comment_id) == ("rejected", "toxic")
    assert _open(db, comment_id) == []
    assert card_ids(client.get("/moderation/queue/reported").get_data(True)) == []


def test_the_keep_shortcut_is_offered_only_on_reported_cards(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A published comment nobody reported has no Keep button, and "dismiss" on it is a
    conflict (there is nothing to dismiss)."""
    plain = stored(db, state=State.PUBLISHED, text="Nobody minds this one.").id
    html = client.get("/moderation/queue/published").get_data(True)
    assert plain in card_ids(html) and 'value="dismiss"' not in html
    assert act(client, admin_csrf, plain, action="dismiss", expected="published").status_code == 409


def test_keep_closes_only_the_reports_the_moderator_saw(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A report made while the card was open stays open after Keep, and the comment stays
    in the Reported queue with it (review finding: Keep closed reports nobody had seen)."""
    comment_id = _reported(db, "A sharp but fair comment.", ("abusive", None))
    html = client.get("/moderation/queue/reported").get_data(True)
    seen = re.search(r'name="reports_seen" value="(\d+)"', html)
    assert seen
    with db.session() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        reports.add(session, comment, "other", "he posted my home address", "f" * 64)
    rv = act(client, admin_csrf, comment_id, action="dismiss", expected="published",
             reports_seen=seen.group(1))  # fmt: skip
    assert rv.status_code == 200 and rv.get_json()["remaining"] == 1
    assert "1 newer report still waits" in rv.get_json()["message"]
    assert [r.note for r in _open(db, comment_id)] == ["he posted my home address"]
    assert card_ids(client.get("/moderation/queue/reported").get_data(True)) == [comment_id]


def test_a_bulk_take_down_skips_comments_reported_after_its_review(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """ "Spam: all matching" in Reported acts on the comments reported by the time the
    moderator reviewed it, not on one a reader reported meanwhile (found in review)."""
    from service.clock import rfc3339, utcnow

    reviewed = _reported(db, "Buy cheap pills here.", ("spam", None))
    innocent = stored(db, state=State.PUBLISHED, text="An innocent old comment.").id
    as_of = rfc3339(utcnow())
    with db.session() as session:
        comment = session.get(Comment, innocent)
        assert comment is not None
        reports.add(session, comment, "spam", None, "e" * 64)
    rv = client.post(
        "/moderation/queue/reported/bulk",
        data={"csrf_token": admin_csrf, "action": "spam", "as_of": as_of, "count": "1"},
    )
    assert rv.status_code in (200, 303), rv.get_data(True)
    assert state_of(db, reviewed) == ("rejected", "spam")
    assert state_of(db, innocent) == ("published", None)


def test_a_queue_filter_with_a_nul_is_a_field_error(client: FlaskClient, admin_csrf: str) -> None:
    """A NUL in the thread filter is a 422 field error, not a database error."""
    rv = client.get("/moderation/queue/held?thread=a%00b", headers={"Accept": "application/json"})
    assert rv.status_code == 422


def test_a_take_down_from_a_stale_card_does_not_undo_a_colleagues_keep(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A colleague pressed "Keep: dismiss reports" (no change of state); a take-down from
    the card that still showed the reports is a conflict, one by one and in a selection,
    not a silent take-down (found in review). With reports still open it goes through."""
    kept = _reported(db, "A sharp but fair comment.", ("abusive", None))
    other = _reported(db, "Another fair one.", ("spam", None))
    html = client.get("/moderation/queue/reported").get_data(True)
    seen = re.search(r'name="reports_seen" value="(\d+)"', html)
    assert seen
    with db.session() as session:
        for comment_id in (kept, other):
            comment = session.get(Comment, comment_id)
            assert comment is not None
            reports.dismiss(session, comment, "user:2", None, None)
    rv = act(client, admin_csrf, kept, action="toxic", expected="published",
             reports_seen=seen.group(1))  # fmt: skip
    assert rv.status_code == 409
    assert "dismissed its reports meanwhile" in rv.get_json()["error"]["message"]
    assert state_of(db, kept) == ("published", None)
    selection = client.post(
        "/moderation/bulk",
        json={"action": "toxic", "items": [f"{other}:published"], "queue": "reported"},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert selection.get_json()["conflicts"] == 1
    assert state_of(db, other) == ("published", None)
    still = _reported(db, "You are all idiots.", ("abusive", None))
    html = client.get("/moderation/queue/reported").get_data(True)
    seen = re.search(r'name="reports_seen" value="(\d+)"', html)
    assert seen
    rv = act(client, admin_csrf, still, action="toxic", expected="published",
             reports_seen=seen.group(1))  # fmt: skip
    assert rv.status_code == 200 and state_of(db, still) == ("rejected", "toxic")
