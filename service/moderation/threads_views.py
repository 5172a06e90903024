"""The Threads page: every article with comments, its counts, and its settings: close it
to new comments (with a message for readers), reopen it, or review it in a mode of its
own (``service/threads.py``). Admins also set a site's automatic closing age."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from service import threads
from service.bidi import isolate
from service.errors import ValidationFailed
from service.extensions import db
from service.moderation import access, bp
from service.moderation.nav import add_nav_item
from service.policy import MODES
from service.status import State
from service.store.tables import AuditEntry, Comment, Site, Thread
from service.validation import has_controls, thread_error

add_nav_item("Threads", "moderation.threads_page", order=35)

#: Threads listed per page (the most recently commented first).
PAGE = 100


def _counts(
    dbs: Session, site: Site, search: str, keys: list[str] | None = None
) -> list[dict[str, Any]]:
    """The site's threads with comments, newest activity first (the ``PAGE`` latest, or
    those named in ``keys``): counts per state, and when the first comment arrived (what
    the site's automatic closing counts from)."""

    def count(state: State) -> Any:
        return func.sum(case((Comment.state == state.value, 1), else_=0))

    query = (
        select(
            Comment.thread,
            count(State.PUBLISHED),
            count(State.HELD),
            count(State.PENDING),
            func.max(Comment.created_at),
            func.min(Comment.created_at),
        )
        .where(Comment.site_id == site.id)
        .group_by(Comment.thread)
        .order_by(func.max(Comment.created_at).desc())
    )
    query = query.where(Comment.thread.in_(keys)) if keys is not None else query.limit(PAGE)
    if search:
        query = query.where(Comment.thread.contains(search, autoescape=True))
    return [
        {
            "key": key,
            "published": p or 0,
            "held": h or 0,
            "pending": q or 0,
            "last": last,
            "first": first,
        }
        for key, p, h, q, last, first in dbs.execute(query).all()
    ]


def _moderated(dbs: Session, slug: str | None) -> Site:
    """The posted site, if the user moderates it; else a 422."""
    site = access.moderated_site(dbs, slug)
    if site is None:
        raise ValidationFailed(fields={"site": dict(access.UNKNOWN_SITE)})
    return site


@bp.get("/threads")
@access.login_required
def threads_page() -> str:
    """List a site's threads (``site``, ``q`` to search their names) with their settings."""
    search = (request.args.get("q") or "").strip()[:200]
    with db().session() as dbs:
        sites = access.visible_sites(dbs)
        # the site named, if the user moderates it, else their first
        site = next((s for s in sites if s.slug == request.args.get("site")), None)
        site = site or (sites[0] if sites else None)
        rows: list[dict[str, Any]] = []
        if site is not None and not has_controls(search):
            rows = _counts(dbs, site, search)
            settled = {r["key"] for r in rows}
            # Threads with settings and no comments yet (closed before the article went out).
            extra = select(Thread.key).where(Thread.site_id == site.id)
            if search:
                extra = extra.where(Thread.key.contains(search, autoescape=True))
            # Threads with settings beyond the latest PAGE, or with no comment yet: their
            # own counts and first comment (a row with none read "Open" for a thread
            # closed by age, and 0 held; found in review).
            keys = [
                k
                for k in dbs.scalars(extra.order_by(Thread.updated_at.desc()).limit(PAGE))
                if k not in settled
            ]
            counted = {r["key"]: r for r in _counts(dbs, site, "", keys)} if keys else {}
            empty = {"published": 0, "held": 0, "pending": 0, "last": None, "first": None}
            rows += [counted.get(key) or {"key": key, **empty} for key in keys]
            found = threads.states(dbs, site, {r["key"]: r["first"] for r in rows})
            for r in rows:
                r["state"] = found[r["key"]]
        days = threads.close_after_days(site) if site is not None else None
    return render_template(
        "moderation/threads.html",
        sites=sites,
        site=site,
        rows=rows,
        search=search,
        modes=MODES,
        close_after_days=days,
        max_message=threads.MAX_MESSAGE,
    )


@bp.post("/threads")
@access.login_required
def thread_settings() -> Any:
    """Close, reopen or change the mode of one thread (form: ``site``, ``thread``,
    ``action`` = close | open | default | mode, ``message``, ``mode``)."""
    form = request.form
    key = (form.get("thread") or "").strip()
    action = form.get("action") or ""
    errors: dict[str, dict[str, str]] = {}
    if problem := thread_error(key):
        errors["thread"] = problem
    if action not in ("close", "open", "default", "mode"):
        errors["action"] = {"code": "invalid_choice", "message": "Close, open or mode."}
    given: dict[str, Any] = {}
    if action == "close":
        given = {"closed": True, "message": form.get("message") or None}
    elif action == "open":
        given = {"closed": False, "message": None}
    elif action == "default":
        given = {"closed": None, "message": None}
    elif action == "mode":
        mode = form.get("mode") or ""
        given = {"mode": None if mode == "site" else mode}
    if errors:
        raise ValidationFailed(fields=errors)
    settings = threads.validate_settings(given)
    with db().session() as dbs:
        site = _moderated(dbs, form.get("site"))
        now = threads.update(dbs, site, key, access.actor(), **settings)
        slug = site.slug
    words = "closed" if now.closed else "open"
    mode = f", {now.mode} moderation" if now.mode else ""
    flash(f"{isolate(key)}: {words}{mode}.", "success")
    return redirect(url_for("moderation.threads_page", site=slug, q=form.get("q") or None), 303)


@bp.post("/threads/auto-close")
@access.admin_required
def thread_auto_close() -> Any:
    """Set a site's ``close_after_days`` (admins; empty or 0: threads stay open)."""
    form = request.form
    raw = (form.get("days") or "").strip()
    days = int(raw) if re.fullmatch(r"[0-9]{1,5}", raw) else None  # not "²": a 500 in review
    if raw and (days is None or days > threads.MAX_CLOSE_AFTER_DAYS):
        raise ValidationFailed(
            fields={
                "days": {
                    "code": "invalid_number",
                    "message": f"Enter whole days, 0 to {threads.MAX_CLOSE_AFTER_DAYS}.",
                }
            }
        )
    with db().session() as dbs:
        site = _moderated(dbs, form.get("site"))
        before = threads.close_after_days(site)
        site.settings = {**(site.settings or {}), "close_after_days": days or None}
        dbs.add(AuditEntry(site_id=site.id, actor=access.actor(), action="thread_auto_close",
                           details={"days": days or None, "was": before}))  # fmt: skip
        slug = site.slug
    flash(
        f"Threads close {days} days after their first comment." if days
        else "Threads stay open until a moderator closes them.",
        "success",
    )  # fmt: skip
    return redirect(url_for("moderation.threads_page", site=slug), 303)
