"""Changing a site's decision policy, and what a change would have done to recent comments.

``preview`` replays the site's scored comments of the last ``days`` days through
``policy.decide`` under two policies (the current one and a proposed one), with the
scores the worker stored, so an admin sees the effect of a threshold before saving it:
how many comments each would publish, hold and reject, and, where moderators labelled a
comment, how many labelled spam or abuse each would publish and how many labelled
legitimate ones each would reject with nobody looking.

Left out of the replay: comments decided by a rule (bans, bot traps: no threshold
changes those), comments never scored (held for a classifier error), and a reused form
token's hold. ``new_authors: hold`` is replayed: a comment counts as a new author's when
no comment of its address (its ``email_key``, as the worker matches it) on the site had
been published before it was written. Threads with a mode of their own are replayed with
the site's mode.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.policy import decide, normalise_policy
from service.status import Rejection
from service.store.tables import AuditEntry, Comment, Label, Site

#: Rejections no threshold decides: the replay leaves these comments out.
RULES = (Rejection.BANNED.value, Rejection.BOT.value, Rejection.RULE.value)
#: Moderator labels that say a comment should not have been published, and that it should.
BAD_LABELS = ("spam", "toxic")
GOOD_LABELS = ("ham", "ok")
#: The hold a new author's comment gets in the replay (the worker words it for the card).
NEW_AUTHOR = "new author"
#: Comments one preview replays at most (the newest): enough for any threshold's effect.
MAX_REPLAYED = 50_000


@dataclass(slots=True)
class Outcomes:
    """What one policy does to the replayed comments."""

    counts: Counter[str] = field(default_factory=Counter)  # publish, hold, reject
    bad_published: int = 0  # labelled spam or toxic, published with nobody looking
    good_rejected: int = 0  # labelled ham or ok, rejected with nobody looking


@dataclass(slots=True)
class Preview:
    """The replay of the site's recent comments under the current and a proposed policy."""

    days: int
    replayed: int
    labelled_bad: int
    labelled_good: int
    current: Outcomes
    proposed: Outcomes


def _latest_labels(session: Session, site: Site, ids: list[str]) -> dict[str, str]:
    """Return each comment's latest moderator label, by comment id."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Label.comment_id, Label.label)
            .where(Label.site_id == site.id, Label.comment_id.in_(ids[start : start + 500]))
            .order_by(Label.created_at, Label.id)
        )
        for comment_id, label in rows:
            if comment_id is not None:
                found[comment_id] = label
    return found


def _first_published(session: Session, site: Site, keys: set[str]) -> dict[str, datetime]:
    """Return when each address (its ``email_key``) first had a comment published on the
    site."""
    found: dict[str, datetime] = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(Comment.email_key, func.min(Comment.published_at))
            .where(
                Comment.site_id == site.id,
                Comment.email_key.in_(wanted[start : start + 500]),
                Comment.published_at.is_not(None),
            )
            .group_by(Comment.email_key)
        )
        found.update({key: when for key, when in rows if key is not None and when is not None})
    return found


def preview(
    session: Session, site: Site, proposed: dict[str, Any] | None, days: int = 30
) -> Preview:
    """Replay the site's scored comments of the last ``days`` days under its policy and
    under ``proposed`` (normalised; None: the current one, replayed once), with the
    scores the worker stored."""
    current = normalise_policy(site.policy)
    proposed = current if proposed is None else normalise_policy(proposed)
    same = proposed == current
    rows = session.execute(
        select(Comment.id, Comment.spam, Comment.toxicity, Comment.email_key, Comment.created_at)
        .where(
            Comment.site_id == site.id,
            Comment.created_at >= utcnow() - timedelta(days=days),
            Comment.spam.is_not(None),
            Comment.toxicity.is_not(None),
            (Comment.rejection.is_(None)) | (Comment.rejection.not_in(RULES)),
        )
        .order_by(Comment.created_at.desc())
        .limit(MAX_REPLAYED)
    ).all()
    labels = _latest_labels(session, site, [r.id for r in rows])
    first_published = _first_published(session, site, {r.email_key for r in rows if r.email_key})
    result = Preview(
        days=days,
        replayed=len(rows),
        labelled_bad=sum(1 for v in labels.values() if v in BAD_LABELS),
        labelled_good=sum(1 for v in labels.values() if v in GOOD_LABELS),
        current=Outcomes(),
        proposed=Outcomes(),
    )
    if same:  # one replay serves both columns
        result = dataclasses.replace(result, proposed=result.current)
    replays = [(current, result.current)] + ([] if same else [(proposed, result.proposed)])
    for row in rows:
        scores = {"spam": row.spam, "toxicity": row.toxicity}
        label = labels.get(row.id)
        known = first_published.get(row.email_key) if row.email_key else None
        new_author = known is None or known >= row.created_at
        for policy, outcomes in replays:
            holds = [NEW_AUTHOR] if new_author and policy["new_authors"] == "hold" else []
            action = decide(scores, [], policy, holds).action
            outcomes.counts[action] += 1
            if action == "publish" and label in BAD_LABELS:
                outcomes.bad_published += 1
            if action == "reject" and label in GOOD_LABELS:
                outcomes.good_rejected += 1
    return result


def change(session: Session, site: Site, proposed: dict[str, Any], actor: str) -> bool:
    """Store ``proposed`` (normalised; ``PolicyError`` if wrong) as the site's policy and
    audit the change with both versions; return False when nothing changed."""
    before = normalise_policy(site.policy)
    after = normalise_policy(proposed)
    if before == after:
        return False
    site.policy = after
    session.add(
        AuditEntry(
            site_id=site.id,
            actor=actor,
            action="policy_changed",
            details={"site": site.slug, "before": before, "after": after},
            created_at=utcnow(),
        )
    )
    return True
