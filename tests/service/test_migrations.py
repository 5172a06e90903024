"""The migrations build exactly the schema the models describe (no drift between them)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.store import Database
from service.store.tables import Base


def schema_drift(db: Database) -> list[object]:
    """Return Alembic's differences between the migrated database and the models."""
    with db.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    """Every table, column, index and constraint of the models exists as migrated (SQLite);
    a model change without its migration fails here."""
    assert schema_drift(db) == []
