"""Numbers for the stats page: submissions by outcome, rates, time to decision, agreement.

Definitions (over comments created in the period, within the user's sites):

- *outcome*: the comment's state now (Spam = rejected as spam, Rejected = any other reason)
- *hold rate*: comments ever held (audit entry to ``held``) / comments decided so far
- *spam rate*, *toxicity rate*: comments now rejected as ``spam`` / ``toxic`` / all submissions
- *time to decision*: from a comment's move to ``held`` to the first moderator action on it
- *agreement* (per site, from moderator labels given in the period, the latest per comment):
  the classifier "flags" spam when ``spam >= publish_below.spam`` of the decision's
  thresholds (0.5 if unknown), likewise toxicity. Spam truth: label ``spam`` positive,
  ``ham``/``ok`` negative. Toxicity truth: ``toxic`` positive, ``ok`` negative.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from service.status import State
from service.store.tables import AuditEntry, Comment, Label, Site

RANGES: dict[str, tuple[timedelta, str]] = {
    "48h": (timedelta(hours=48), "hour"),
    "7d": (timedelta(days=7), "day"),
    "30d": (timedelta(days=30), "day"),
    "90d": (timedelta(days=90), "day"),
}
OUTCOMES = ("published", "held", "pending", "spam", "rejected")


@dataclass(slots=True)
class Confusion:
    """Counts of classifier flags against moderator labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        """Count one labelled comment."""
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif actual:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        """Return how many labelled comments were counted."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        """Return the share of flagged comments the moderators agreed with."""
        flagged = self.tp + self.fp
        return self.tp / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """Return the share of truly bad comments the classifier flagged."""
        bad = self.tp + self.fn
        return self.tp / bad if bad else None


@dataclass(slots=True)
class Stats:
    """Everything the stats page shows."""

    labels: list[str]
    outcomes: dict[str, list[float | None]]
    hold_rate: list[float | None]
    spam_rate: list[float | None]
    toxicity_rate: list[float | None]
    median_minutes: list[float | None]
    totals: dict[str, Any] = field(default_factory=dict)
    agreement: list[tuple[str, Confusion, Confusion]] = field(default_factory=list)


def floor(when: datetime, unit: str) -> datetime:
    """Return the start of the hour or day containing ``when``."""
    when = when.replace(minute=0, second=0, microsecond=0)
    return when.replace(hour=0) if unit == "day" else when


def bucket_starts(now: datetime, span: timedelta, unit: str) -> list[datetime]:
    """Return the starts of the period's buckets, oldest first, the current one last."""
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    last = floor(now, unit)
    count = int(span / step)
    return [last - step * (count - 1 - i) for i in range(count)]


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(
    dbs: Session,
    scope: list[int] | None,
    site_id: int | None,
    range_key: str,
    now: datetime,
) -> Stats:
    """Return the stats of the period ``range_key`` ending ``now``."""
    span, unit = RANGES[range_key]
    starts = bucket_starts(now, span, unit)
    start = starts[0]
    index = {s: i for i, s in enumerate(starts)}
    fmt = "%H:00" if unit == "hour" else "%b %d"
    n = len(starts)

    def where(column: Any) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if scope is not None:
            found.append(column.in_(scope))
        if site_id is not None:
            found.append(column == site_id)
        return found

    rows = dbs.execute(
        select(Comment.id, Comment.created_at, Comment.state, Comment.rejection).where(
            Comment.created_at >= start, *where(Comment.site_id)
        )
    ).all()
    holds = dbs.execute(
        select(AuditEntry.comment_id, AuditEntry.created_at).where(
            AuditEntry.to_state == State.HELD.value,
            AuditEntry.created_at >= start - span,
            *where(AuditEntry.site_id),
        )
    ).all()
    decisions = dbs.execute(
        select(AuditEntry.comment_id, AuditEntry.created_at)
        .where(
            AuditEntry.from_state == State.HELD.value,
            AuditEntry.actor.like("user:%"),
            AuditEntry.created_at >= start,
            *where(AuditEntry.site_id),
        )
        .order_by(AuditEntry.created_at)
    ).all()
    held_at = {cid: at for cid, at in holds}
    outcomes = {o: [0.0] * n for o in OUTCOMES}
    submitted, decided, held_n, spam_n, tox_n = ([0] * n for _ in range(5))
    for cid, created, state, rejection in rows:
        i = index.get(floor(created, unit))
        if i is None:
            continue
        outcome = "spam" if rejection == "spam" and state == "rejected" else state
        outcomes[outcome][i] += 1
        submitted[i] += 1
        if state != State.PENDING.value or cid in held_at:
            decided[i] += 1
        held_n[i] += cid in held_at
        spam_n[i] += state == "rejected" and rejection == "spam"
        tox_n[i] += state == "rejected" and rejection == "toxic"
    waits: list[list[float]] = [[] for _ in range(n)]
    seen: set[str | None] = set()
    for decided_id, at in decisions:
        if decided_id is None or decided_id in seen or decided_id not in held_at:
            continue
        if at < held_at[decided_id]:
            continue
        seen.add(decided_id)
        i = index.get(floor(held_at[decided_id], unit))
        if i is not None:
            waits[i].append((at - held_at[decided_id]).total_seconds() / 60)
    every_wait = [w for bucket in waits for w in bucket]
    stats = Stats(
        labels=[s.strftime(fmt) for s in starts],
        outcomes={o: [v or None for v in vals] for o, vals in outcomes.items()},
        hold_rate=[_rate(h, d) for h, d in zip(held_n, decided, strict=True)],
        spam_rate=[_rate(s, t) for s, t in zip(spam_n, submitted, strict=True)],
        toxicity_rate=[_rate(x, t) for x, t in zip(tox_n, submitted, strict=True)],
        median_minutes=[statistics.median(b) if b else None for b in waits],
    )
    stats.totals = {
        "submitted": sum(submitted),
        "held": sum(held_n),
        "hold_rate": _rate(sum(held_n), sum(decided)),
        "spam_rate": _rate(sum(spam_n), sum(submitted)),
        "toxicity_rate": _rate(sum(tox_n), sum(submitted)),
        "median_minutes": statistics.median(every_wait) if every_wait else None,
        "decisions": len(every_wait),
        "outcomes": {o: int(sum(v or 0 for v in vals)) for o, vals in outcomes.items()},
    }
    stats.agreement = agreement(dbs, where, start)
    return stats


def agreement(dbs: Session, where: Any, start: datetime) -> list[tuple[str, Confusion, Confusion]]:
    """Return per site the classifier's spam and toxicity flags against moderator labels."""
    rows = dbs.execute(
        select(
            Label.comment_id,
            Label.label,
            Comment.site_id,
            Comment.spam,
            Comment.toxicity,
            Comment.decision,
        )
        .join(Comment, Comment.id == Label.comment_id)
        .where(Label.source == "moderator", Label.created_at >= start, *where(Comment.site_id))
        .order_by(Label.id)
    ).all()
    latest: dict[str, Sequence[Any]] = {}
    for row in rows:
        latest[row[0]] = row
    names = {s.id: s.slug for s in dbs.scalars(select(Site))}
    per_site: dict[int, tuple[Confusion, Confusion]] = {}
    for _cid, label, site_id, spam, tox, decision in latest.values():
        spam_c, tox_c = per_site.setdefault(site_id, (Confusion(), Confusion()))
        bounds = ((decision or {}).get("thresholds") or {}).get("publish_below") or {}
        if spam is not None and label in ("spam", "ham", "ok"):
            spam_c.add(spam >= float(bounds.get("spam", 0.5)), label == "spam")
        if tox is not None and label in ("toxic", "ok"):
            tox_c.add(tox >= float(bounds.get("toxicity", 0.5)), label == "toxic")
    return sorted(
        ((names.get(sid, "?"), s, t) for sid, (s, t) in per_site.items()), key=lambda r: r[0]
    )
