"""``moderato db …``: the database schema."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and create the ``default`` site."""
    from service.masking import masked
    from service.runner import prepare_database

    url = prepare_database()
    click.echo(f"database ready: {masked(url)}")


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and this code's."""
    from service import create_app
    from service.store import Database
    from service.store.migrate import head, newer_than_code

    database = Database(create_app().config["DATABASE_URL"])
    version = database.schema_version()
    database.dispose()
    note = " (newer than this code)" if newer_than_code(version) else ""
    click.echo(f"database: {version or 'empty'}{note}\ncode:     {head()}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION (``moderato db current`` on the older release
    prints its own); run it with this release before rolling the code back."""
    from service import create_app
    from service.store.migrate import downgrade, known

    if not known(revision):
        raise click.ClickException(f"{revision!r} is not a revision of this release")
    url = create_app().config["DATABASE_URL"]
    downgrade(url, revision)
    click.echo(f"database at {revision}")


def _sqlite_path() -> Path:
    """Return the SQLite file DATABASE_URL names; another database is the operator's error."""
    from sqlalchemy.engine import make_url

    from service import config

    url = make_url(str(config.load(str(config.instance_dir()))["DATABASE_URL"]))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise click.ClickException(
            "db backup and db restore handle SQLite files; for PostgreSQL use pg_dump and "
            "pg_restore"
        )
    return Path(url.database)


@db.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(dest: Path) -> None:
    """Write a consistent copy of the SQLite database to DEST (safe while moderato runs)."""
    from service.store.sqlite_copy import CopyError, backup

    try:
        backup(_sqlite_path(), dest)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up to {dest}")


@db.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask first (scripts)")
def db_restore(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE. Stop web and workers first."""
    from service.store.sqlite_copy import CopyError, restore

    live = _sqlite_path()
    if not yes:
        click.confirm(
            f"Web and workers stopped? Replace {live} with {source}", abort=True, err=True
        )
    try:
        restore(source, live)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {live} from {source}; now run `moderato db upgrade`, then start")
