"""Change an endpoint after it exists: send it a test event, change its URL or events,
delete it. Like ``webhooks``, these only write the outbox; the worker sends.

A test event (``webhook.test``) is an ordinary outbox row: signed, retried, logged and
counted in the endpoint's failure record like any event, so what an integrator sees is
what their real events will get. It is sent whatever the endpoint subscribes to.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.clock import rfc3339, utcnow
from service.integrations.ssrf import Resolver, resolve
from service.integrations.webhooks import check_events, check_target
from service.plural import counted
from service.store.tables import Site, WebhookDelivery, WebhookEndpoint

#: The test event's type: not a comment event, so no endpoint subscribes to it and the
#: receiver can tell it apart (Standard Webhooks leaves names to the sender; ``webhook.``
#: is the namespace of events about the subscription itself).
TEST_EVENT = "webhook.test"

#: Delivery states still waiting to be sent (a delete refuses them unless forced).
WAITING = ("pending", "paused")


class EndpointDisabled(Exception):
    """A test event for a disabled endpoint: it would only wait, paused."""


class DeliveriesWaiting(Exception):
    """A delete that would drop deliveries not yet sent; ``count`` says how many."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{counted(count, 'delivery')} {'is' if count == 1 else 'are'} still waiting to be sent"
        )
        self.count = count


def send_test(session: Session, endpoint: WebhookEndpoint) -> str:
    """Write a ``webhook.test`` delivery to the endpoint, due now; return its id, to queue."""
    if not endpoint.enabled:
        raise EndpointDisabled(
            f"endpoint {endpoint.id} is disabled ({endpoint.disabled_reason}): enable it first "
            "(its held deliveries are sent then too)"
        )
    site = session.get(Site, endpoint.site_id)
    now = utcnow()
    data = {
        "endpoint": endpoint.id,
        "site": site.slug if site else "",
        "message": "A test event: if its signature verifies, your receiver is ready.",
    }
    delivery_id = "msg_" + secrets.token_urlsafe(18)
    session.add(
        WebhookDelivery(
            id=delivery_id,
            endpoint_id=endpoint.id,
            event_type=TEST_EVENT,
            payload=json.dumps({"type": TEST_EVENT, "timestamp": rfc3339(now), "data": data}),
            status="pending",
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()
    return delivery_id


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    allow_private: bool,
    resolver: Resolver = resolve,
) -> dict[str, object]:
    """Change the URL and/or events, checked as at creation; return what changed (old, new).

    Deliveries already in the outbox keep their event and go to the URL the endpoint has
    when they are attempted: the new one. An unchanged URL is not checked again (changing
    only the events works while its host does not resolve)."""
    changed: dict[str, object] = {}
    new_url = None
    if url is not None and url.strip() != endpoint.url:  # an unchanged URL is not re-checked
        new_url = check_target(url, allow_private=allow_private, resolver=resolver)
    new_events = None if events is None else check_events(events)
    if new_url is not None and new_url != endpoint.url:
        changed["url"] = {"old": endpoint.url, "new": new_url}
        endpoint.url = new_url
    if new_events is not None and new_events != list(endpoint.events or []):
        changed["events"] = {"old": list(endpoint.events or []), "new": new_events}
        endpoint.events = new_events
    return changed


def waiting_count(session: Session, endpoint: WebhookEndpoint) -> int:
    """Return how many of the endpoint's deliveries are pending or paused."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status.in_(WAITING))
        )
        or 0
    )


def delete_endpoint(session: Session, endpoint: WebhookEndpoint, *, force: bool = False) -> int:
    """Delete the endpoint and its delivery log; return how many unsent deliveries went
    with it. Refused (``DeliveriesWaiting``) while some wait, unless ``force``."""
    waiting = waiting_count(session, endpoint)
    if waiting and not force:
        raise DeliveriesWaiting(waiting)
    # Explicitly, not by the foreign key's cascade: SQLite enforces it only when asked.
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    session.flush()
    return waiting
