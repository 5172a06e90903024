"""Export everything kept about an e-mail address (GDPR article 15)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import rfc3339
from service.explain import public_decision
from service.notify import privacy as notify_privacy
from service.privacy import lookup
from service.store.tables import AuditEntry, Ban, Site


def export(
    session: Session, email: str, site: Site | None = None, *, own_rows_only: bool = False
) -> dict[str, Any]:
    """Return everything kept about ``email``, as JSON data: its comments (every field,
    the classifier's decision as the API shows it), its Akismet-compatible check records,
    the bans on the address and its reply-notification subscriptions. ``own_rows_only`` (with a
    site) leaves out the bans on every site and their history (a site key's request)."""
    email = lookup.normalise(email)
    slugs = lookup.slugs(session)
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
                "avatar": c.avatar,
                "text": c.text,
                "html": c.html,
                "created_at": rfc3339(c.created_at),
                "updated_at": rfc3339(c.updated_at),
                "published_at": rfc3339(c.published_at) if c.published_at else None,
                "permalink": c.permalink,
                "referrer": c.referrer,
                "user_agent": c.user_agent,
                "ip_hash": c.ip_hash,
                "signals": c.signals or {},
                "notify_replies": c.notify_replies,
                "language": c.lang,
                "scores": None if c.spam is None else {"spam": c.spam, "toxicity": c.toxicity},
                # as the API shows it: a classifier error's message is the operator's
                # (it may name hosts or paths), never the commenter's (found in review)
                "decision": public_decision(c),
                "featured": c.featured_at is not None,
                "edited_at": rfc3339(c.edited_at),
                "previous_text": c.previous_text,
            }
            for c in lookup.comments(session, email, site)
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
                "permalink": k.permalink,
                "user_agent": k.user_agent,
                "ip_hash": k.ip_hash,
                "comment_type": k.comment_type,
                "created_at": rfc3339(k.created_at),
                "verdict": k.verdict,
                "scores": {"spam": k.spam, "toxicity": k.toxicity},
            }
            for k in lookup.checks(session, email, site)
        ],
        "bans": [
            {
                "site": slugs.get(b.site_id, "") if b.site_id else "every site",
                "kind": b.kind,
                "value": b.value,
                "note": b.note,
                "created_at": rfc3339(b.created_at),
            }
            for b in session.scalars(
                select(Ban).where(Ban.kind == "email", Ban.value == email).order_by(Ban.id)
            )
            if lookup.in_site(b.site_id, site, own_rows_only)
        ],
        "ban_history": [
            {
                "action": e.action,
                "site": slugs.get(e.site_id, "") if e.site_id else "every site",
                "by": e.actor,
                "note": e.note,
                "at": rfc3339(e.created_at),
            }
            for e in lookup.ban_entries(session, email, site, own_rows_only=own_rows_only)
        ],
        "reply_notifications": notify_privacy.export(session, email, site, slugs),
    }


def audit_export(
    session: Session, found: dict[str, Any], actor: str, site: Site | None = None
) -> None:
    """Record that an export was made, by whom (of which site): counts only, never the
    address."""
    counts = {k: len(found[k]) for k in ("comments", "checks", "bans", "reply_notifications")}
    site_id = site.id if site is not None else None
    session.add(AuditEntry(site_id=site_id, actor=actor, action="privacy_export", details=counts))
