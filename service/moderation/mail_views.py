"""The Mail page for admins: the reply-notification outbox, its failures, and their retry.

Admins only: a mail's recipient is a reader's address (shown masked: ``mail_list``). The
page lists the outbox newest first with a count per status (its tabs), by site; a failed
mail is retried one at a time or all at once (``service.notify.retry``: made due again,
queued after the commit, never a sent mail), and every retry is audited
(``mail_retried``, with the mail's id, never an address).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from service import mailer
from service.bidi import isolate
from service.errors import NotFound
from service.extensions import db, queue
from service.moderation import access, bp
from service.moderation import mail_list as listing
from service.moderation.nav import add_nav_item
from service.moderation.queue import page_size
from service.notify import retry
from service.plural import counted
from service.store.tables import Site

add_nav_item("Mail", "moderation.mail", admin_only=True, order=75, match=("moderation.mail*",))


@bp.get("/mail")
@access.admin_required
def mail() -> Any:
    """List the mail outbox (newest first) with a count per status, by status and site."""
    f, errors = listing.parse(request.args)
    page: listing.MailPage | None = None
    with db().session() as dbs:
        sites = list(dbs.execute(select(Site.slug, Site.name).order_by(Site.name)))
        try:
            site_id = listing.site_id(dbs, f)
        except ValueError:
            errors["site"] = {"code": "unknown_site", "message": "Choose a site from the list."}
            site_id = None
        bad_filter = "status" in errors or "site" in errors
        counts = listing.counts(dbs, site_id)
        if not bad_filter:  # a bad filter lists nothing, as the queues
            page = listing.page(dbs, f, site_id, page_size())
    html = render_template(
        "moderation/mail.html",
        f=f,
        errors=errors,
        bad_filter=bad_filter,
        page=page,
        counts=counts,
        total=sum(counts.values()),
        statuses=listing.STATUSES,
        sites=sites,
        mail_on=mailer.configured(current_app.config),
        bulk_max=retry.MAX_BULK_RETRY,
        counted=counted,
    )
    return (html, 422) if errors else html


def _back() -> BaseResponse:
    """Return to the page the form was on: its status and site, from the first page."""
    f, errors = listing.parse(request.form)
    args: dict[str, Any] = {} if errors else f.args(older=None, newer=None)
    return redirect(url_for("moderation.mail", **args), code=303)


def _queue(ids: list[str]) -> None:
    if ids and not queue().enqueue_mails(ids):
        flash("Redis did not answer: the worker's sweep queues the mails within a minute.", "info")


@bp.post("/mail/<message_id>/retry")
@access.admin_required
def mail_retry(message_id: str) -> BaseResponse:
    """Make one failed mail due again and queue it (nothing for a mail that is not failed)."""
    with db().session() as dbs:
        outcome = retry.retry_one(dbs, message_id, access.actor())
    if outcome is None:
        raise NotFound("There is no such mail.", code="mail_not_found")
    if not outcome.done:
        state = f"is {outcome.status}, not failed" if outcome.status else "was erased meanwhile"
        flash(f"Mail {message_id} {state}: nothing to retry.", "error")
        return _back()
    _queue([message_id])
    flash(f"Mail {message_id} queued again.", "success")
    return _back()


@bp.post("/mail/retry-failed")
@access.admin_required
def mail_retry_failed() -> BaseResponse:
    """Make every failed mail (of the site shown, or of all) due again, oldest first."""
    f, _errors = listing.parse(request.form)
    with db().session() as dbs:
        try:
            site_id = listing.site_id(dbs, f)
        except ValueError:
            raise NotFound("There is no such site.", code="site_not_found") from None
        ids = retry.retry_all_failed(dbs, site_id, access.actor())
    _queue(ids)
    if not ids:
        flash("No failed mails to retry.", "success")
        return _back()
    more = " More remain failed: press it again." if len(ids) >= retry.MAX_BULK_RETRY else ""
    where = f" of {isolate(f.site)}" if f.site else ""
    flash(f"{counted(len(ids), 'failed mail')}{where} queued again, oldest first.{more}", "success")
    return _back()
