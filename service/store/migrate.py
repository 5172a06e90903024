"""Apply Alembic migrations programmatically (``moderato db upgrade``)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """Return an Alembic config for ``url`` without needing an ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@functools.cache
def head() -> str:
    """Return the newest migration this code ships (read once per process)."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return str(heads[0])


def known(revision: str) -> bool:
    """Tell whether ``revision`` is one of this code's migrations."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises for a revision it cannot locate
        return False


def newer_than_code(version: str | None) -> bool:
    """Tell whether a database at ``version`` was migrated by a newer release than this
    code (during a rolling upgrade, or after a rollback of the code)."""
    return version is not None and not known(version)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` (before rolling the code back)."""
    command.downgrade(alembic_config(url), revision)
