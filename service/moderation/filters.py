"""The queue filter: parsed from the query string, checked without any I/O, and written back.

``parse(queue, args) -> (QueueFilter, errors)``: every bad field is reported at
once, in the contract's field-error shape; a bad field is left out of the filter.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from service.addresses import email_key
from service.status import Rejection
from service.validation import has_controls

QUEUES = ("held", "reported", "pending", "published", "rejected", "spam")
QUEUE_TITLES = {
    "held": "Held",
    "reported": "Reported",
    "pending": "Pending",
    "published": "Published",
    "rejected": "Rejected",
    "spam": "Spam",
}
SORTS = ("newest", "oldest", "score")
#: Reasons to filter by, per queue: those its comments can have (a rejection reason, or
#: ``classifier_error`` for held unscored). A held comment has no rejection; Rejected holds
#: every rejection but spam; Spam is all spam; Pending, Published and Reported have none,
#: and show no Reason filter. (Held offered the rejection reasons, which select nothing.)
QUEUE_REASONS: dict[str, tuple[str, ...]] = {
    "held": ("classifier_error",),
    "rejected": tuple(r.value for r in Rejection if r is not Rejection.SPAM),
}
#: Queues whose comments can be featured (both list published comments): there the filter
#: offers "Featured only" (an editors' pick is a flag on a published comment).
FEATURED_QUEUES = ("published", "reported")
#: How the Reason filter names a reason, where it is not the reason itself.
REASON_LABELS = {
    "classifier_error": "classifier error (held unscored)",
    "withdrawn": "withdrawn by its author",
}
SCORE_FIELDS = ("spam_min", "spam_max", "tox_min", "tox_max")
IP_HASH = re.compile(r"^[0-9a-f]{8,64}$")
MAX_TEXT = 512
MAX_SEARCH = 200

FieldErrors = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What a moderator is looking at: one queue, narrowed and sorted."""

    queue: str = "held"
    site: str | None = None
    thread: str | None = None
    spam_min: float | None = None
    spam_max: float | None = None
    tox_min: float | None = None
    tox_max: float | None = None
    reason: str | None = None
    #: Only featured comments (True), where the queue offers it (``FEATURED_QUEUES``).
    featured: bool | None = None
    email: str | None = None
    ip: str | None = None
    #: Words the comment's text contains (case-insensitive for ASCII letters): a spam wave's
    #: phrase or domain, for review or a filter-wide action.
    text: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "newest"
    #: Keyset pagination: the page after (or before) this card's place in the sort order.
    after: Cursor | None = None
    before: Cursor | None = None

    def unpaged(self) -> dict[str, str]:
        """Return the query arguments of the filter itself, from its first page."""
        return self.args(after=None, before=None)

    def args(self, **changes: Any) -> dict[str, str]:
        """Return the query arguments that reproduce this filter (without ``queue``)."""
        changed = replace(self, **changes)
        values = {f.name: getattr(changed, f.name) for f in fields(changed)}  # cursors stay objects
        values.pop("queue")
        out: dict[str, str] = {}
        for name, value in values.items():
            if value is None or (name == "sort" and value == "newest"):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else _plain(value)
        return out

    def for_queue(self, queue: str) -> dict[str, str]:
        """Return the query arguments of this filter on ``queue`` (a queue tab's link)."""
        return self.on(queue).args()

    def on(self, queue: str) -> QueueFilter:
        """Return this filter as ``queue``'s tab applies it: from its first page, without a
        reason no comment there can have, and "featured only" only where comments can be
        featured. A tab counts exactly what its link lists."""
        reason = self.reason if self.reason in reasons_for(queue) else None
        featured = self.featured if queue in FEATURED_QUEUES else None
        return replace(self, queue=queue, after=None, before=None, reason=reason, featured=featured)

    def narrowed(self) -> bool:
        """Tell whether anything beyond the queue and the sort narrows the list."""
        return any(
            getattr(self, f.name) is not None
            for f in fields(self)
            if f.name not in ("queue", "sort", "after", "before")
        )

    def created_range(self) -> tuple[datetime | None, datetime | None]:
        """Return the UTC ``[start, end)`` of the date filter."""
        start = _midnight(self.date_from) if self.date_from else None
        end = _midnight(self.date_to) + timedelta(days=1) if self.date_to else None
        return start, end


@dataclass(frozen=True, slots=True)
class Cursor:
    """A card's place in a sort order: its score (score sort only), creation time and id."""

    created_at: datetime
    id: str
    score: float | None = None

    def encode(self) -> str:
        """Return the cursor as an opaque URL-safe token."""
        parts: list[Any] = [self.created_at.isoformat(), self.id]
        if self.score is not None:
            parts.append(self.score)
        raw = json.dumps(parts, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: str) -> Cursor:
        """Return the cursor in ``token`` for ``sort``; ValueError if it is not one."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            parts = json.loads(raw)
            created_at = datetime.fromisoformat(parts[0])
            ident = parts[1]
            score = parts[2] if len(parts) == 3 else None
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise ValueError("not a cursor") from exc
        if (
            not isinstance(ident, str)
            or created_at.tzinfo is None
            or len(parts) != (3 if sort == "score" else 2)
            or (score is not None and not isinstance(score, int | float))
        ):
            raise ValueError("not a cursor for this sort")
        try:
            # in UTC, as the database compares it: a time at the calendar's edge in a far
            # offset has none, and a score of 400 digits is no float (both were a 500)
            return cls(created_at.astimezone(UTC), ident, None if score is None else float(score))
        except OverflowError as exc:
            raise ValueError("not a cursor") from exc


def reasons_for(queue: str) -> tuple[str, ...]:
    """Return the reasons a comment listed in ``queue`` can have (none: no Reason filter)."""
    return QUEUE_REASONS.get(queue, ())


def _plain(value: Any) -> str:
    if value is True:
        return "1"
    if isinstance(value, Cursor):
        return value.encode()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def parse(queue: str, args: Mapping[str, str]) -> tuple[QueueFilter, FieldErrors]:
    """Return the filter described by ``args`` for ``queue``, and every field error."""
    errors: FieldErrors = {}
    values: dict[str, Any] = {"queue": queue}
    if queue not in QUEUES:
        errors["queue"] = _error("invalid_choice", f"Choose one of: {', '.join(QUEUES)}.")
        values["queue"] = "held"
    for name in ("site", "thread", "text"):
        text = (args.get(name) or "").strip()
        if len(text) > (limit := MAX_SEARCH if name == "text" else MAX_TEXT):
            errors[name] = _error("too_long", f"At most {limit} characters.")
        elif has_controls(text):
            errors[name] = _error("control_characters", "Remove the control characters.")
        elif text:
            values[name] = text
    for name in SCORE_FIELDS:
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            number = float(raw)
        except ValueError:
            number = -1.0
        if not 0.0 <= number <= 1.0:
            errors[name] = _error("invalid_score", "Enter a score between 0 and 1.")
        else:
            values[name] = number
    for low, high in (("spam_min", "spam_max"), ("tox_min", "tox_max")):
        if low in values and high in values and values[low] > values[high]:
            errors[high] = _error("invalid_range", "The maximum is below the minimum.")
            values.pop(high)
    reason = (args.get("reason") or "").strip()
    offered = reasons_for(values["queue"])
    if reason and reason not in offered:
        errors["reason"] = _error(
            "invalid_choice",
            f"Choose one of: {', '.join(offered)}."
            if offered
            else f"No comment in the {QUEUE_TITLES[values['queue']]} queue has a reason.",
        )
    elif reason:
        values["reason"] = reason
    featured = (args.get("featured") or "").strip()
    if featured and featured not in ("0", "1"):
        errors["featured"] = _error("invalid_choice", "Send featured=1 for featured comments only.")
    elif featured == "1" and values["queue"] not in FEATURED_QUEUES:
        errors["featured"] = _error(
            "invalid_choice",
            "Only published comments are featured: the filter applies to Published and Reported.",
        )
    elif featured == "1":
        values["featured"] = True
    email = email_key(args.get("email"))  # as comments store it (service.addresses)
    if email and ("@" not in email or len(email) > 254 or " " in email):
        errors["email"] = _error(
            "invalid_email", "Enter an e-mail address, or @domain for a whole domain."
        )
    elif email:
        values["email"] = email
    ip = (args.get("ip") or "").strip().lower()
    if ip and not IP_HASH.match(ip):
        errors["ip"] = _error("invalid_ip_hash", "Enter an IP hash as shown on a comment card.")
    elif ip:
        values["ip"] = ip
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = _error("invalid_date", "Enter a date as YYYY-MM-DD.")
    if "date_from" in values and "date_to" in values and values["date_from"] > values["date_to"]:
        errors["date_to"] = _error("invalid_range", "The end date is before the start date.")
        values.pop("date_to")
    sort = (args.get("sort") or "newest").strip()
    if sort not in SORTS:
        errors["sort"] = _error("invalid_choice", f"Choose one of: {', '.join(SORTS)}.")
    else:
        values["sort"] = sort
    for name in ("after", "before"):
        token = (args.get(name) or "").strip()
        if not token:
            continue
        try:
            if len(token) > MAX_TEXT:
                raise ValueError("too long")
            values[name] = Cursor.decode(token, values.get("sort", "newest"))
        except ValueError:
            errors[name] = _error(
                "invalid_cursor", "This page link is not valid any more; start from the first page."
            )
    if "after" in values and "before" in values:
        errors["before"] = _error("invalid_cursor", "A page link has either after or before.")
        values.pop("before")
    return QueueFilter(**values), errors
