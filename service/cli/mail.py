"""``moderato mail retry``: make failed reply-notification mails due again.

The Mail page's **Retry** and **Retry all N failed**, for scripts and for installations
without the dashboard: the same functions (``service.notify.retry``), so only a failed mail
moves, its attempts count from zero, and each retry is audited as ``mail_retried`` (actor
``cli``, the mail's id, never an address); the mails are queued after the commit, or by
the worker's sweep if Redis is away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy.orm import Session

from service.cli.common import site_or_all
from service.plural import counted

if TYPE_CHECKING:
    from service.store.tables import Site
    from service.store.tables_notify import MailMessage


@click.group()
def mail() -> None:
    """The reply-notification mail outbox."""


@mail.command("retry")
@click.option("--id", "ids", multiple=True, metavar="ID", help="a failed mail's id (repeat)")
@click.option("--all-failed", is_flag=True, help="every failed mail, oldest first, 1,000 a run")
@click.option("--site", "slug", default=None, metavar="SITE", help="only this site's mails")
@click.option("--dry-run", is_flag=True, help="say what would be retried; change nothing")
def mail_retry(ids: tuple[str, ...], all_failed: bool, slug: str | None, dry_run: bool) -> None:
    """Make failed mails pending and due now, with their attempts counted from zero, and
    queue them for the worker, as the Mail page's Retry does. Exits 1 if a mail given by
    --id is not failed (nothing is done to it)."""
    from service import create_app, mailer
    from service.extensions import db, queue
    from service.notify import retry

    if bool(ids) == all_failed:
        raise click.UsageError("give --id ID (repeatable) or --all-failed, one of the two")
    wanted = list(dict.fromkeys(ids))  # each once, in the order given
    app = create_app()
    with app.app_context():
        if not mailer.configured(app.config):
            click.echo("note: MODERATO_SMTP_URL is unset here: a worker without it fails them "
                       "again", err=True)  # fmt: skip
        with db().session() as session:
            site = site_or_all(session, slug)
            site_id, where = (site.id, f" of {site.slug}") if site is not None else (None, "")
            if all_failed and dry_run:
                _would(session, retry.failed_mails(session, site_id), where)
                return
            refused: dict[str, str] = {}
            if all_failed:
                done = retry.retry_all_failed(session, site_id, "cli")
            else:
                rows = _given(session, wanted, site)
                if dry_run:
                    _would(session, [r for r in rows if r.status == "failed"])
                    _refuse({r.id: f"is {r.status}, not failed" for r in rows
                             if r.status != "failed"})  # fmt: skip
                    return
                done, refused = _retry_each(session, wanted)
        queued = queue().enqueue_mails(done) if done else True
    what = "queued again" if queued else "due again"
    if not all_failed:
        for message_id in done:
            click.echo(f"mail {message_id} {what}")
    elif done:
        more = " (more remain failed: run it again)" if len(done) >= retry.MAX_BULK_RETRY else ""
        click.echo(f"{counted(len(done), 'failed mail')}{where} {what}, oldest first{more}")
    else:
        click.echo(f"no failed mails{where} to retry")
    if not queued:
        wait = int(app.config["SWEEP_AGE"]) + int(app.config["SWEEP_INTERVAL"])
        click.echo(f"Redis did not answer: a running worker's sweep queues them within "
                   f"about {wait} s")  # fmt: skip
    _refuse(refused)


def _given(session: Session, ids: list[str], site: Site | None) -> list[MailMessage]:
    """Return the mails ``ids`` name, in order; an unknown id, or a mail of another site
    than ``--site``, is the operator's error, and nothing is done."""
    from service.store.tables_notify import MailMessage

    rows = [session.get(MailMessage, message_id) for message_id in ids]
    unknown = [repr(i) for i, row in zip(ids, rows, strict=True) if row is None]
    if unknown:
        raise click.ClickException(f"there is no mail {', '.join(unknown)}")
    found = [row for row in rows if row is not None]
    others = [r.id for r in found if site is not None and r.site_id != site.id]
    if site is not None and others:
        raise click.ClickException(f"not mails of site {site.slug!r}: {', '.join(others)}")
    return found


def _retry_each(session: Session, ids: list[str]) -> tuple[list[str], dict[str, str]]:
    """Retry each mail, audited as the command line's; return those made due, and why
    each of the others was not (a mail that stopped being failed since it was read)."""
    from service.notify.retry import retry_one

    done: list[str] = []
    refused: dict[str, str] = {}
    for message_id in ids:
        outcome = retry_one(session, message_id, "cli")
        if outcome is not None and outcome.done:
            done.append(message_id)
        elif outcome is not None and outcome.status:
            refused[message_id] = f"is {outcome.status}, not failed"
        else:
            refused[message_id] = "was erased meanwhile"
    return done, refused


def _would(session: Session, rows: list[MailMessage], where: str | None = None) -> None:
    """Print what a retry would take (a dry run), one line a mail, the addresses in its
    error masked; for --all-failed (``where``: "" or " of SITE"), the count too."""
    from sqlalchemy import select

    from service.moderation.mail_list import mask_all
    from service.notify.retry import MAX_BULK_RETRY
    from service.store.tables import Site

    slugs = {site_id: slug for site_id, slug in session.execute(select(Site.id, Site.slug))}
    for row in rows:
        error = mask_all(row.last_error)
        said = f": {error}" if error else ""
        click.echo(f"would retry mail {row.id} ({row.kind}, site {slugs.get(row.site_id)}, "
                   f"{counted(row.attempts, 'attempt')}){said}")  # fmt: skip
    if where is None:
        return
    more = " (more remain failed: run it again)" if len(rows) >= MAX_BULK_RETRY else ""
    click.echo(f"{counted(len(rows), 'failed mail')}{where} would be queued again{more}; "
               "nothing changed")  # fmt: skip


def _refuse(refused: dict[str, str]) -> None:
    """Say which mails were not retried, and why (on stderr); exit 1 if any."""
    for message_id, why in refused.items():
        click.echo(f"mail {message_id} {why}: nothing to retry", err=True)
    if refused:
        raise click.exceptions.Exit(1)
