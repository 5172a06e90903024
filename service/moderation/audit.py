"""The audit log for admins: filterable, paginated, and exportable as CSV.

The log is append-only: the dashboard only ever inserts rows (through
``transition()`` for comment changes, directly for bans and accounts). It is listed
newest first in insertion order (id), and paged by id (``older=`` / ``newer=`` the
last / first id shown), so entries written while an admin reads never shift a page:
"Older" continues exactly after the last row shown.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Response, render_template, request, stream_with_context
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from service.clock import rfc3339
from service.errors import ValidationFailed, wants_html
from service.extensions import db
from service.moderation import access, bp
from service.moderation.act import actor_names
from service.moderation.nav import add_nav_item
from service.store.tables import AuditEntry, Site, User
from service.validation import whole_number

PAGE = 100
CSV_COLUMNS = (
    "id", "created_at", "actor", "actor_email", "action", "comment_id", "site",
    "from_state", "to_state", "rejection", "note", "model_version", "details",
)  # fmt: skip

add_nav_item(
    "Audit log", "moderation.audit", admin_only=True, order=50, match=("moderation.audit*",)
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which audit entries to show."""

    actor: str | None = None
    action: str | None = None
    site: str | None = None
    comment: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    older: int | None = None  # show entries before this id
    newer: int | None = None  # show entries after this id (the page before)

    def args(self, **changes: Any) -> dict[str, str]:
        """Return the query arguments reproducing this filter."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "site": self.site,
            "comment": self.comment,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "older": str(self.older) if self.older is not None else None,
            "newer": str(self.newer) if self.newer is not None else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}


def parse(args: Mapping[str, str]) -> tuple[AuditFilter, dict[str, dict[str, str]]]:
    """Return the audit filter in ``args`` and every field error."""
    errors: dict[str, dict[str, str]] = {}
    values: dict[str, Any] = {}
    for name in ("actor", "action", "site", "comment"):
        text = (args.get(name) or "").strip()
        if len(text) > 254:
            errors[name] = {"code": "too_long", "message": "At most 254 characters."}
        elif text:
            values[name] = text
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = {"code": "invalid_date", "message": "Enter a date as YYYY-MM-DD."}
    for name in ("older", "newer"):
        raw = (args.get(name) or "").strip()
        if (number := whole_number(raw)) is not None:
            values[name] = number
        elif raw:
            errors[name] = {
                "code": "invalid_cursor",
                "message": "This page link is not valid; start from the newest entries.",
            }
    if "older" in values and "newer" in values:
        del values["newer"]
    return AuditFilter(**values), errors


def conditions(dbs: Session, f: AuditFilter) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions of ``f`` (an e-mail as actor means that user's entries)."""
    where: list[ColumnElement[bool]] = []
    if f.actor:
        actor = f.actor
        if "@" in actor:
            user_id = dbs.scalar(select(User.id).where(User.email == actor.lower()))
            actor = f"user:{user_id}" if user_id else actor
        where.append(AuditEntry.actor == actor)
    if f.action:
        where.append(AuditEntry.action == f.action)
    if f.site:
        site_id = dbs.scalar(select(Site.id).where(Site.slug == f.site))
        where.append(AuditEntry.site_id == (site_id if site_id is not None else -1))
    if f.comment:
        where.append(AuditEntry.comment_id == f.comment)
    if f.date_from:
        where.append(AuditEntry.created_at >= _midnight(f.date_from))
    if f.date_to:
        where.append(AuditEntry.created_at < _midnight(f.date_to) + timedelta(days=1))
    return where


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the log: its entries (newest first), its place, and its neighbours."""

    rows: list[AuditEntry]
    total: int
    start: int  # entries before this page (newer ones)
    more: bool  # older entries follow

    @property
    def newer(self) -> bool:
        """Whether newer entries precede this page."""
        return self.start > 0


def page_of(dbs: Session, f: AuditFilter) -> AuditPage:
    """Return the page of ``f``: after ``older``, before ``newer``, or the newest."""
    where = conditions(dbs, f)

    def count(*extra: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(AuditEntry).where(*where, *extra)
        return int(dbs.scalar(query) or 0)

    query = select(AuditEntry).where(*where)
    rows: list[AuditEntry] = []
    if f.newer is not None:  # the page just before: the PAGE entries after ``newer``, oldest first
        rows = list(
            dbs.scalars(
                query.where(AuditEntry.id > f.newer).order_by(AuditEntry.id.asc()).limit(PAGE)
            )
        )[::-1]
        if len(rows) < PAGE:  # near the top: show the newest page instead
            rows = []
    if not rows:
        if f.older is not None:
            query = query.where(AuditEntry.id < f.older)
        rows = list(dbs.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE)))
    total = count()
    if not rows:
        return AuditPage(rows, total, total if f.older is not None else 0, False)
    start = count(AuditEntry.id > rows[0].id)
    return AuditPage(rows, total, start, start + len(rows) < total)


@bp.get("/audit")
@access.admin_required
def audit() -> Any:
    """Show the audit log, newest first, filtered by actor, action, site, comment and date."""
    f, errors = parse(request.args)
    if errors and not wants_html():
        raise ValidationFailed(fields=errors)
    with db().session() as dbs:
        page = page_of(dbs, f)
        rows = page.rows
        names = actor_names(dbs, [r.actor for r in rows])
        sites = {s.id: s.slug for s in dbs.scalars(select(Site))}
        actions = list(
            dbs.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
        )
    html = render_template(
        "moderation/audit.html",
        f=f,
        errors=errors,
        page=page,
        names=names,
        sites=sites,
        actions=actions,
        json=json,
    )
    return html, 422 if errors else 200


def csv_safe(value: Any) -> str:
    """Return a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/audit.csv")
@access.admin_required
def audit_csv() -> Response:
    """Export the filtered audit log as CSV (oldest first, streamed); a bad filter is a 422
    JSON field error, never an export of something else."""
    f, errors = parse(request.args)
    if errors:
        raise ValidationFailed(fields=errors)

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        with db().session() as dbs:
            where = conditions(dbs, f)
            sites = {s.id: s.slug for s in dbs.scalars(select(Site))}
            emails = {
                f"user:{uid}": email for uid, email in dbs.execute(select(User.id, User.email))
            }
            query = (
                select(AuditEntry)
                .where(*where)
                .order_by(AuditEntry.id.asc())
                .execution_options(yield_per=500)
            )
            for row in dbs.scalars(query):
                details = dict(row.details or {})
                writer.writerow(
                    [
                        csv_safe(v)
                        for v in (
                            row.id,
                            rfc3339(row.created_at),
                            row.actor,
                            emails.get(row.actor, ""),
                            row.action,
                            row.comment_id,
                            sites.get(row.site_id or -1, ""),
                            row.from_state,
                            row.to_state,
                            details.get("rejection"),
                            row.note,
                            row.model_version,
                            json.dumps(details, sort_keys=True, ensure_ascii=False),
                        )
                    ]
                )
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="moderato-audit-{stamp}.csv"'},
    )
