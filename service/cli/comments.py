"""``moderato comments …``: a commenter's data requests (export, erasure)."""

from __future__ import annotations

import json

import click

from service.cli.common import app_session, site_or_all
from service.plural import counted


@click.group()
def comments() -> None:
    """Commenters' data: export or erase everything kept about an e-mail address."""


@comments.command("export")
@click.option("--email", required=True, help="the address the commenter typed")
@click.option("--site", "slug", default=None, help="one site only (default: every site)")
def comments_export(email: str, slug: str | None) -> None:
    """Print, as JSON, every comment and check record sent with this e-mail address.

    With --site, only that site's (and the bans on every site, which apply to it too)."""
    from service import privacy

    with app_session() as session:
        site = site_or_all(session, slug)
        try:
            found = privacy.export(session, email, site)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        privacy.audit_export(session, found, "cli", site)
    click.echo(json.dumps(found, indent=2, ensure_ascii=False))


@comments.command("erase")
@click.option("--email", required=True, help="the address the commenter typed")
@click.option("--site", "slug", default=None, help="one site only (default: every site)")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def comments_erase(email: str, slug: str | None, yes: bool) -> None:
    """Take down every comment sent with this address and erase its author and text."""
    from service import create_app, privacy
    from service.extensions import db as database
    from service.extensions import queue

    app = create_app()
    with app.app_context():
        with database().session() as session:
            site = site_or_all(session, slug)
            try:
                found = privacy.export(session, email, site)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        count, checks = len(found["comments"]), len(found["checks"])
        subs = len(found["reply_notifications"])
        if not count and not checks and not subs:
            click.echo(f"no comments, check records or subscriptions of {found['email']} to erase")
            return
        where = f"on site {slug}" if slug else "on every site"
        if not yes:
            click.confirm(
                f"Erase {counted(count, 'comment')}, {counted(checks, 'check record')} and "
                f"{counted(subs, 'reply-notification subscription')} of {found['email']} {where}? "
                "This cannot be undone",
                abort=True,
            )
        try:
            done, conflict = privacy.erase_in_batches(database(), email, "cli", slug), None
        except privacy.ErasureConflict as exc:  # the rest is erased, and recorded
            assert exc.done is not None
            done, conflict = exc.done, exc
        folded = privacy.checkpoint(database())
        queued = queue().enqueue_deliveries(done.deliveries) if done.deliveries else True
    click.echo(
        f"erased {counted(done.comments, 'comment')} ({done.taken_down} taken down), "
        f"{counted(done.checks, 'check record')} and "
        f"{counted(done.subscriptions, 'reply-notification subscription')} of {found['email']}"
    )
    if not queued:
        click.echo("Redis did not answer: a running worker's sweep sends the take-down webhooks")
    if folded is not None and folded.busy:
        click.echo(
            "A reader kept SQLite's write-ahead log from being truncated now: SQLite folds it "
            "in at its next checkpoint (run the command again to retry now)"
        )
    if conflict is not None:
        raise click.ClickException(
            f"{counted(done.remaining, 'comment')} of {found['email']} kept changing while "
            "they were erased (a moderator or the classifier acting on them) and are not "
            "erased yet: run the command again"
        )
