"""``moderato users …``: moderator accounts."""

from __future__ import annotations

import sys

import click

from service.cli.common import app_session


@click.group()
def users() -> None:
    """Moderator accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["admin", "moderator"]), required=True)
@click.option("--site", "site_slugs", multiple=True, help="a site a moderator may moderate")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_create(email: str, role: str, site_slugs: tuple[str, ...], password_stdin: bool) -> None:
    """Create a moderator or admin account."""
    from service import users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with app_session() as session:
        try:
            user = users.create(session, email, password, role, site_slugs)
        except users.UserError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"created {user.role} {user.email}")


@users.command("setup-link")
@click.option(
    "--base-url",
    default=None,
    help="where the dashboard is served (default MODERATO_PUBLIC_URL, else http://127.0.0.1:PORT)",
)
def users_setup_link(base_url: str | None) -> None:
    """Print a fresh one-time link to create the first admin (only while no account exists)."""
    import os

    from service import create_app
    from service import users as user_ops
    from service.extensions import db as database
    from service.moderation.first_admin import setup_url

    app = create_app()
    with app.app_context(), database().session() as session:
        if user_ops.count(session):
            raise click.ClickException("accounts exist already: log in, or ask an admin")
    # The address readers and moderators use, when set (it printed 127.0.0.1 on a server;
    # found in review); else this host's own port.
    base = (
        base_url or app.config["PUBLIC_URL"] or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    )
    click.echo(setup_url(base, app.config["SECRET_KEY"]))
