"""Webhook events written to the outbox in the same transaction as the change they report."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import rfc3339, utcnow
from service.store.tables import Comment, Site, WebhookDelivery, WebhookEndpoint

EVENT_TYPES = (
    "comment.received",
    "comment.published",
    "comment.held",
    "comment.rejected",
    "comment.moderated",
    "comment.reported",
    "comment.featured",
    "comment.edited",
)

#: An endpoint's subscription to every event, those added after it was created included
#: (Stripe's ``enabled_events: ["*"]``). An explicit list gets only what it names: a new
#: event type is never sent to a receiver that did not ask for it (``not_subscribed`` says
#: what such an endpoint misses; ``webhooks list`` and the admin page show it).
ALL_EVENTS = "*"


def wants(events: list[str] | None, event_type: str) -> bool:
    """Tell whether an endpoint subscribed to ``events`` gets ``event_type``."""
    return ALL_EVENTS in (events or []) or event_type in (events or [])


def not_subscribed(events: list[str] | None) -> list[str]:
    """Return the known events an endpoint subscribed to ``events`` does not get."""
    return [e for e in EVENT_TYPES if not wants(events, e)]


def describe(events: list[str] | None) -> str:
    """Return an endpoint's subscription in words (``all events`` for ``*``)."""
    return "all events" if ALL_EVENTS in (events or []) else ", ".join(events or [])


def comment_data(comment: Comment, site_slug: str) -> dict[str, Any]:
    """Return what a subscriber learns about a comment: never the raw e-mail address."""
    return {
        "id": comment.id,
        "site": site_slug,
        "thread": comment.thread,
        "parent": comment.parent_id,
        "status": comment.state,
        "rejection": comment.rejection,
        "author_name": comment.author_name,
        "author_url": comment.author_url,
        "avatar": comment.avatar,
        "text": comment.text,
        "html": comment.html,
        "created_at": rfc3339(comment.created_at),
        "scores": None
        if comment.spam is None
        else {"spam": comment.spam, "toxicity": comment.toxicity},
        "model_version": comment.model_version,
        "featured": comment.featured_at is not None,
        "edited_at": rfc3339(comment.edited_at),
        # the text's revision: name it in /moderate, so a decision never lands on a text
        # its author edited after the event (both texts may be ``held``)
        "revision": comment.revision,
    }


def record(
    session: Session, event_type: str, comment: Comment, extra: dict[str, Any] | None = None
) -> list[str]:
    """Write one outbox row per endpoint subscribed to ``event_type``; return the ids of
    those to send now. A disabled endpoint's row is ``paused``: enabling the endpoint sends
    it (events while it was off were lost; found in review)."""
    endpoints = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.site_id == comment.site_id)
    ).all()
    wanted = [e for e in endpoints if wants(e.events, event_type)]
    if not wanted:
        return []
    site = session.get(Site, comment.site_id)
    now = utcnow()
    data = comment_data(comment, site.slug if site else "")
    if extra:
        data.update(extra)
    body = json.dumps({"type": event_type, "timestamp": rfc3339(now), "data": data})
    ids = []
    for endpoint in wanted:
        delivery_id = "msg_" + secrets.token_urlsafe(18)
        session.add(
            WebhookDelivery(
                id=delivery_id,
                endpoint_id=endpoint.id,
                event_type=event_type,
                payload=body,
                status="pending" if endpoint.enabled else "paused",
                next_attempt_at=now if endpoint.enabled else None,
                created_at=now,
            )
        )
        if endpoint.enabled:
            ids.append(delivery_id)
    return ids
