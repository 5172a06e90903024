"""The audit log: every action recorded, append-only, filterable, exportable as CSV."""

from __future__ import annotations

import csv
import io
import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.store import Database
from service.store.tables import AuditEntry
from tests.dashboard import held

HTML = {"Accept": "text/html"}


def act(client: FlaskClient, token: str, comment_id: str, action: str, note: str = "") -> None:
    """Apply one action over fetch and check it happened."""
    resp = client.post(
        f"/moderation/comments/{comment_id}/act",
        json={"action": action, "expected": "held", "note": note},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 200


def test_audit_log_lists_moderator_and_system_actions(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The audit page shows system entries and moderator entries (with the e-mail), filterable."""
    cid = held(db)
    act(client, admin_csrf, cid, "spam", note="casino link")
    html = client.get("/moderation/audit", headers=HTML).get_data(as_text=True)
    assert "system:worker" in html and "classify" in html
    assert "admin@example.org" in html and "casino link" in html and "held → rejected" in html
    only_spam = client.get("/moderation/audit?action=spam", headers=HTML).get_data(as_text=True)
    rows = only_spam.split("<tbody>")[1]
    assert "casino link" in rows and "system:worker" not in rows
    by_email = client.get("/moderation/audit?actor=admin@example.org", headers=HTML).get_data(
        as_text=True
    )
    assert "casino link" in by_email and "classify" not in by_email.split("<tbody>")[1]


def test_audit_csv_export(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """The CSV has a row per entry (who, what, states, note, model); formulas are defused."""
    cid = held(db)
    act(client, admin_csrf, cid, "approve", note='=HYPERLINK("http://evil")')
    resp = client.get(f"/moderation/audit.csv?comment={cid}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["received", "classify", "approve"]
    last = rows[-1]
    assert last["actor_email"] == "admin@example.org"
    assert (last["from_state"], last["to_state"], last["site"]) == ("held", "published", "default")
    assert last["note"].startswith("'=HYPERLINK")
    assert last["model_version"] == "spam-test+tox-test"


def test_audit_log_is_append_only(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """Acting adds entries and never changes earlier ones."""
    cid = held(db)
    with db.session() as session:
        before = [
            (e.id, e.action, e.to_state)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    act(client, admin_csrf, cid, "approve")
    with db.session() as session:
        after = [
            (e.id, e.action, e.to_state)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert after[: len(before)] == before and len(after) > len(before)


def test_logins_and_account_changes_are_audited(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Logins and account creation appear in the audit log with no comment id."""
    client.post(
        "/moderation/users",
        data={
            "csrf_token": admin_csrf,
            "email": "new@example.org",
            "role": "moderator",
            "password": "a long password",
            "site": "1",
        },
    )
    with db.session() as session:
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.comment_id.is_(None)))
        )
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == len(actions)
    assert actions == ["login", "user_created"]


def _log(db: Database, n: int, action: str = "note") -> None:
    with db.session() as session, session.begin():
        session.add_all(AuditEntry(actor="system:test", action=action) for _ in range(n))


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-entry="(\d+)"', html)]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_older_pages_continue_after_the_last_row_even_as_entries_arrive(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Paging by id: "Older" follows the last row shown exactly, although new entries were
    written meanwhile (an offset page would repeat them); "Newer" comes back; every entry
    is listed once."""
    _log(db, 230)
    with db.session() as session:
        every = sorted(session.scalars(select(AuditEntry.id)), reverse=True)
    first = client.get("/moderation/audit", headers=HTML).get_data(as_text=True)
    assert _ids(first) == every[:100] and f"1–100 of {len(every)} in all" in first
    assert _link(first, "prev") is None
    _log(db, 7)  # written while the admin reads page 1
    older = _link(first, "next")
    assert older is not None
    second = client.get(older, headers=HTML).get_data(as_text=True)
    assert _ids(second) == every[100:200]
    assert f"108–207 of {len(every) + 7} in all" in second
    back = client.get(_link(second, "prev"), headers=HTML).get_data(as_text=True)
    assert _ids(back) == every[:100]
    seen = _ids(second)
    page = second
    while (older := _link(page, "next")) is not None:
        page = client.get(older, headers=HTML).get_data(as_text=True)
        seen += _ids(page)
    assert seen == every[100:]


def test_filtered_pages_and_bad_page_links(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Paging keeps the filter; a mangled page link is a 422 field error on the newest page."""
    _log(db, 120, action="alpha")
    _log(db, 5, action="beta")
    page = client.get("/moderation/audit?action=alpha", headers=HTML).get_data(as_text=True)
    older = _link(page, "next")
    assert older is not None and "action=alpha" in older
    rest = client.get(older, headers=HTML).get_data(as_text=True)
    assert len(_ids(rest)) == 20 and _link(rest, "next") is None
    resp = client.get("/moderation/audit?older=12abc", headers=HTML)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "older" in html and "not valid" in html and len(_ids(html)) == 100


def test_bad_filters_are_json_field_errors_for_api_clients_and_the_csv(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """An API client (and the CSV export) gets the contract's 422 with every bad field."""
    resp = client.get(
        "/moderation/audit?older=12abc&date_from=soon", headers={"Accept": "application/json"}
    )
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"]["code"] == "validation_failed"
    assert set(body["error"]["fields"]) == {"older", "date_from"}
    assert body["error"]["fields"]["older"]["code"] == "invalid_cursor"
    export = client.get("/moderation/audit.csv?date_to=2026-13-40")
    assert export.status_code == 422 and export.mimetype == "application/json"
    assert export.get_json()["error"]["fields"]["date_to"]["code"] == "invalid_date"
