"""Requests from commenters about their data: export everything kept about an e-mail
address, or erase it (GDPR articles 15 and 17; docs/deploy.md, "Privacy requests").

A commenter is known by the e-mail address they typed (trimmed, case-insensitive): the
comment form has no accounts. Erasure keeps a comment's row, id, thread, times and scores
(threads keep their shape, replies keep their parent, counts stay true) and removes what
says who wrote it or what they wrote:

- name, e-mail, website, avatar hash, IP hash, user agent, referrer, text and its HTML,
  the intake signals, and the classifier's reasons (they quote the text);
- the address wherever the audit log or a decision summary repeats it (a ban hit);
- the text in webhook outbox rows about the comment (a pending delivery goes out with
  the erased body);
- Akismet-compatible check records sent with that address, and their feedback labels.

A comment not already rejected is taken down first, through the lifecycle (rejection
``moderator``, action ``erase``), so subscribers get ``comment.rejected`` and the thread no
longer lists it. Moderator labels stay (a label without text is no training data, but the
record of a decision is the site's). Bans on the address stay: keeping an abuser out is the
site's legitimate interest; an admin lifts them in the dashboard.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from service import events
from service.clock import rfc3339
from service.lifecycle import Change, transition
from service.status import Rejection, State
from service.store.tables import AuditEntry, Comment, Label, Site, WebhookDelivery
from service.store.tables_integrations import Check

ERASED = "[erased]"
CHUNK = 200  # comments per query (SQLite limits an expression's depth and its parameters)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure changed."""

    comments: int
    taken_down: int
    checks: int
    deliveries: list[str]  # outbox rows of the take-downs, to enqueue


def normalise(email: str) -> str:
    """Return the form addresses are matched in; raise ValueError for something not one."""
    value = email.strip().lower()
    if "@" not in value or len(value) > 254 or any(c.isspace() for c in value):
        raise ValueError(f"{email!r} is not an e-mail address")
    return value


def _comments(session: Session, email: str, site: Site | None) -> list[Comment]:
    query = select(Comment).where(func.lower(func.trim(Comment.author_email)) == email)
    if site is not None:
        query = query.where(Comment.site_id == site.id)
    return list(session.scalars(query.order_by(Comment.created_at)))


def _checks(session: Session, email: str, site: Site | None) -> list[Check]:
    query = select(Check).where(func.lower(func.trim(Check.author_email)) == email)
    if site is not None:
        query = query.where(Check.site_id == site.id)
    return list(session.scalars(query.order_by(Check.created_at)))


def export(session: Session, email: str, site: Site | None = None) -> dict[str, Any]:
    """Return everything kept about ``email``: its comments and check records, as JSON data."""
    email = normalise(email)
    slugs = {s.id: s.slug for s in session.scalars(select(Site))}
    return {
        "email": email,
        "comments": [
            {
                "id": c.id,
                "site": slugs.get(c.site_id, ""),
                "thread": c.thread,
                "parent": c.parent_id,
                "status": c.state,
                "rejection": c.rejection,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "author_url": c.author_url,
                "text": c.text,
                "created_at": rfc3339(c.created_at),
                "permalink": c.permalink,
                "referrer": c.referrer,
                "user_agent": c.user_agent,
                "ip_hash": c.ip_hash,
                "scores": None if c.spam is None else {"spam": c.spam, "toxicity": c.toxicity},
            }
            for c in _comments(session, email, site)
        ],
        "checks": [
            {
                "id": k.id,
                "site": slugs.get(k.site_id, ""),
                "source": k.source,
                "author_name": k.author_name,
                "author_email": k.author_email,
                "author_url": k.author_url,
                "text": k.text,
                "created_at": rfc3339(k.created_at),
                "verdict": k.verdict,
            }
            for k in _checks(session, email, site)
        ],
    }


def erase(session: Session, email: str, actor: str, site: Site | None = None) -> Erasure:
    """Take down and scrub every comment sent with ``email``; delete its check records."""
    email = normalise(email)
    found = _comments(session, email, site)
    scrub = _scrubber(email)
    deliveries: list[str] = []
    taken_down = 0
    for comment in found:
        _scrub_comment(comment, scrub)
        session.flush()  # the take-down's event carries the erased fields
        state = State(comment.state)
        if state is not State.REJECTED:
            outcome = transition(
                session,
                comment.id,
                Change(
                    expected=state,
                    new=State.REJECTED,
                    actor=actor,
                    action="erase",
                    rejection=Rejection.MODERATOR,
                    note="erased at the author's request",
                ),
            )
            if outcome is not None:
                taken_down += 1
                deliveries += outcome.deliveries
        else:
            session.add(
                AuditEntry(
                    comment_id=comment.id,
                    site_id=comment.site_id,
                    actor=actor,
                    action="erase",
                    from_state=state.value,
                    to_state=state.value,
                    note="erased at the author's request",
                    details={},
                )
            )
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        _scrub_audit(session, [c.id for c in chunk], scrub)
        _scrub_outbox(session, chunk, deliveries, scrub)
    checks = _checks(session, email, site)
    if checks:
        check_ids = [k.id for k in checks]
        session.execute(delete(Label).where(Label.check_id.in_(check_ids)))
        session.execute(delete(Check).where(Check.id.in_(check_ids)))
    done = Erasure(len(found), taken_down, len(checks), deliveries)
    # The record that an erasure happened, by whom: counts only, never the address.
    session.add(
        AuditEntry(
            site_id=site.id if site is not None else None,
            actor=actor,
            action="privacy_erase",
            details={"comments": done.comments, "taken_down": taken_down, "checks": done.checks},
        )
    )
    return done


def _scrubber(email: str) -> Any:
    pattern = re.compile(re.escape(email), re.IGNORECASE)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(ERASED, value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    return scrub


def _scrub_comment(comment: Comment, scrub: Any) -> None:
    comment.author_name = ERASED
    comment.author_email = ""
    comment.author_url = None
    comment.avatar = ""
    comment.text = ""
    comment.html = f"<p><em>{ERASED}</em></p>"
    comment.ip_hash = None
    comment.user_agent = None
    comment.referrer = None
    comment.signals = {}
    if comment.decision:
        decision = dict(comment.decision)
        decision["reasons"] = [
            {"model": r.get("model"), "kind": r.get("kind"), "weight": r.get("weight")}
            for r in decision.get("reasons") or []
            if isinstance(r, dict)
        ]
        comment.decision = scrub(decision)


def _scrub_audit(session: Session, ids: list[str], scrub: Any) -> None:
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.comment_id.in_(ids))):
        details, note = scrub(entry.details or {}), scrub(entry.note)
        if details != (entry.details or {}) or note != entry.note:
            entry.details, entry.note = details, note


def _scrub_outbox(session: Session, comments: list[Comment], fresh: list[str], scrub: Any) -> None:
    """Rewrite the body of every outbox row about these comments with the erased fields
    (rows of the take-down just recorded carry them already)."""
    by_id = {c.id: c for c in comments}
    slugs = {s.id: s.slug for s in session.scalars(select(Site))}
    mentions = or_(*(WebhookDelivery.payload.contains(cid, autoescape=True) for cid in by_id))
    for row in session.scalars(select(WebhookDelivery).where(mentions)):
        if row.id in fresh:
            continue
        body = json.loads(row.payload)
        comment = by_id.get(str(body.get("data", {}).get("id")))
        if comment is None:
            continue
        sent = body["data"]
        # The state at the time of the event, and a moderation's action and note, stay.
        kept = {
            k: sent[k] for k in ("status", "rejection", "action", "note", "report") if k in sent
        }
        fresh_data = events.comment_data(comment, slugs.get(comment.site_id, ""))
        body["data"] = scrub({**fresh_data, **kept})
        row.payload = json.dumps(body)
