"""``moderato db …``: the database schema."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and create the ``default`` site."""
    from service.runner import prepare_database

    url = prepare_database()
    click.echo(f"database ready: {url.split('@')[-1]}")


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
