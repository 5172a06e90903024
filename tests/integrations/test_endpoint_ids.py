"""A deleted webhook endpoint's id is never given to another (audit entries and scripts
name endpoints by id), on a fresh database and on one upgraded past ``hooks2`` (real
SQLite file; tests/service/test_postgres.py runs the first on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from service import sites
from service.store import Database
from service.store.migrate import upgrade
from service.store.tables import WebhookDelivery
from tests.integrations.test_webhooks_e2e import subscribe


def test_a_deleted_endpoints_id_is_never_given_to_another(db: Database, moderato: Any) -> None:
    """Delete the newest endpoint, add one: it gets a new id (SQLite gave it the deleted
    one's, so ``webhooks update 2`` and the audit log's ``endpoint_id`` named it; found in
    review)."""
    first, _ = subscribe(db, "http://127.0.0.1:9/a", ["comment.received"])
    deleted, _ = subscribe(db, "http://127.0.0.1:9/b", ["comment.received"])
    assert moderato("webhooks", "delete", str(deleted), "--force").exit_code == 0
    later, _ = subscribe(db, "http://127.0.0.1:9/c", ["comment.received"])
    assert later > deleted > first
    assert moderato("webhooks", "update", str(deleted), "--url", "http://127.0.0.1:9/d").exit_code


def test_the_upgrade_keeps_endpoints_and_deliveries_and_skips_audited_ids(tmp_path: Path) -> None:
    """Upgrading past ``hooks2`` keeps every endpoint and its deliveries, and the next id
    is past both the rows and the ids the audit log names (an endpoint deleted before)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "privacy1")
    old = Database(url)
    with old.session() as session:
        site_id = sites.ensure_default(session).id
    first, _ = subscribe(old, "http://127.0.0.1:9/a", ["comment.received"])
    with old.session() as session:
        # A delivery of that endpoint, written as the schema of then has it (the models of
        # now name columns added since: ``crashes``, outbox1).
        session.execute(
            text(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event_type, payload, status,"
                " attempts, created_at) VALUES ('msg_old', :endpoint, 'comment.received', '{}',"
                " 'pending', 0, '2026-01-01')"
            ),
            {"endpoint": first},
        )
        session.execute(
            text(
                "INSERT INTO audit_log (site_id, actor, action, details, created_at) VALUES"
                " (:site, 'cli', 'webhook_deleted', :details, '2026-01-01')"
            ),
            {"site": site_id, "details": '{"endpoint_id": 7, "url": "http://gone", "dropped": 0}'},
        )
    old.dispose()
    upgrade(url)
    new = Database(url)
    try:
        with new.session() as session:
            kept = session.scalars(select(WebhookDelivery.endpoint_id)).all()
        assert kept == [first]
        later, _ = subscribe(new, "http://127.0.0.1:9/b", ["comment.received"])
        assert later == 8
    finally:
        new.dispose()
