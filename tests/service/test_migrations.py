"""The migrations build exactly the schema the models describe (no drift between them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from service import sites
from service.store import Database
from service.store.migrate import alembic_config, upgrade
from service.store.tables import AuditEntry, Ban, Base


def schema_drift(db: Database) -> list[object]:
    """Return Alembic's differences between the migrated database and the models."""
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    """Every table, column, index and constraint of the models exists as migrated (SQLite);
    a model change without its migration fails here."""
    assert schema_drift(db) == []


def test_ban_ids_are_never_reused_after_the_upgrade(tmp_path: Path) -> None:
    """Upgrading an SQLite database keeps its bans and starts new ban ids past every id the
    audit log names, lifted bans included (SQLite handed a lifted ban's id to the next
    ban, so one audited ``ban_id`` named two bans); a downgrade and upgrade round-trip."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "idempotency1")
    old = Database(url)
    with old.session() as session:
        site_id = sites.ensure_default(session).id
        session.add(Ban(id=1, site_id=site_id, kind="email", value="a@x.example", created_by="t"))
        for ban_id, action in [(1, "ban"), (2, "ban"), (3, "ban"), (2, "unban"), (3, "unban")]:
            session.add(AuditEntry(actor="t", action=action, details={"ban_id": ban_id}))
    old.dispose()
    upgrade(url)
    command.downgrade(alembic_config(url), "idempotency1")
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.session() as session:
            assert session.scalars(select(Ban.value)).all() == ["a@x.example"]
            later = Ban(site_id=site_id, kind="email", value="b@x.example", created_by="t")
            session.add(later)
            session.flush()
            assert later.id == 4
    finally:
        new.dispose()


def test_one_ban_on_every_site_per_value_after_the_upgrade(tmp_path: Path) -> None:
    """Duplicates of a ban on every site (NULL site ids never clashed under the table's
    unique constraint) are folded into the oldest, and the new index refuses another."""
    from sqlalchemy.exc import IntegrityError

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "keys1")
    old = Database(url)
    with old.session() as session:
        for _ in range(3):
            session.add(Ban(site_id=None, kind="domain", value="spam.example", created_by="t"))
        session.add(Ban(site_id=None, kind="domain", value="other.example", created_by="t"))
    old.dispose()
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.session() as session:
            kept = session.execute(select(Ban.id, Ban.value).order_by(Ban.id)).all()
            assert [tuple(r) for r in kept] == [(1, "spam.example"), (4, "other.example")]
        with pytest.raises(IntegrityError), new.session() as session:
            session.add(Ban(site_id=None, kind="domain", value="spam.example", created_by="t"))
    finally:
        new.dispose()


def test_comments_are_not_featured_after_the_featured_upgrade(tmp_path: Path) -> None:
    """Upgrading from ``bans2`` keeps every comment, none of them featured; the flag and its
    partial index come and go with upgrade and downgrade (data kept both ways)."""
    from sqlalchemy import text

    from service.store.tables import Comment

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "bans2")
    old = Database(url)
    with old.session() as session:
        site_id = sites.ensure_default(session).id
        # the row the release before wrote (the models here map columns it does not have)
        session.execute(
            text(
                "INSERT INTO comments (id, site_id, thread, state, author_name, author_email, "
                "avatar, text, html, signals, attempts, created_at, updated_at) VALUES "
                "('c0000000000000001', :site, 't', 'published', 'Ada', 'a@x.example', '', "
                "'hi', '<p>hi</p>', '{}', 0, '2026-11-27 10:00:00', '2026-11-27 10:00:00')"
            ),
            {"site": site_id},
        )
    old.dispose()
    upgrade(url)
    command.downgrade(alembic_config(url), "bans2")
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.session() as session:
            found = session.scalars(select(Comment)).all()
            assert [(c.id, c.state, c.featured_at, c.featured_by) for c in found] == [
                ("c0000000000000001", "published", None, None)
            ]
        with new.engine.connect() as conn:
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(comments)")}
        assert "ix_comments_featured" in indexes
    finally:
        new.dispose()


def test_notify1_adds_the_opt_in_with_comments_not_opted_in_and_rolls_back(
    tmp_path: Path,
) -> None:
    """Upgrading past notify1 keeps every comment, read as not opted in to reply
    notifications (no language), adds the subscription and mail outbox tables, and a
    downgrade to bans2 and back leaves the schema exactly as the models describe it."""
    from sqlalchemy import inspect, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "bans2")
    old = Database(url)
    with old.session() as session:
        site_id = sites.ensure_default(session).id
        session.execute(
            text(
                "INSERT INTO comments (id, site_id, thread, state, author_name, author_email,"
                " avatar, text, html, signals, attempts, created_at, updated_at) VALUES"
                " ('c0000000000000000001', :site, 't', 'published', 'Ada', 'ada@example.org',"
                " '', 'hello', '<p>hello</p>', '{}', 0, '2026-01-01', '2026-01-01')"
            ),
            {"site": site_id},
        )
    old.dispose()
    upgrade(url)
    command.downgrade(alembic_config(url), "bans2")
    down = Database(url)
    assert "mail_outbox" not in inspect(down.engine).get_table_names()
    down.dispose()
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.engine.connect() as conn:
            row = conn.execute(text("SELECT notify_replies, lang FROM comments")).one()
        assert tuple(row) == (0, None)
        assert {"mail_subscriptions", "mail_outbox"} <= set(inspect(new.engine).get_table_names())
    finally:
        new.dispose()


def test_edit1_adds_edit_columns_with_comments_not_editable_and_rolls_back(
    tmp_path: Path,
) -> None:
    """Upgrading past edit1 keeps every comment, with no edit token (not editable), never
    edited, at revision 0; a downgrade to notify1 and back leaves the models' schema."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "notify1")
    old = Database(url)
    with old.session() as session:
        site_id = sites.ensure_default(session).id
        session.execute(
            text(
                "INSERT INTO comments (id, site_id, thread, state, author_name, author_email,"
                " avatar, text, html, signals, attempts, created_at, updated_at) VALUES"
                " ('c0000000000000000002', :site, 't', 'published', 'Ada', 'ada@example.org',"
                " '', 'hello', '<p>hello</p>', '{}', 0, '2026-01-01', '2026-01-01')"
            ),
            {"site": site_id},
        )
    old.dispose()
    upgrade(url)
    command.downgrade(alembic_config(url), "notify1")
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT edit_token_hash, edit_until, edited_at, previous_text, revision, text"
                    " FROM comments"
                )
            ).one()
        assert tuple(found) == (None, None, None, None, 0, "hello")
    finally:
        new.dispose()
