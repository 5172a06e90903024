"""Webhook endpoints: subscribe, rotate secrets, enable and disable, redeliver.

Deliveries themselves happen in the worker (``worker/webhooks/``); the web
process only writes outbox rows (``service.events.record``) and queues them
after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.clock import rfc3339, utcnow
from service.events import ALL_EVENTS, EVENT_TYPES
from service.integrations.signing import new_secret
from service.integrations.ssrf import Resolver, UnsafeURL, check_url, resolve
from service.store.tables import Site, WebhookDelivery, WebhookEndpoint

MAX_URL = 2048


class EndpointError(ValueError):
    """An endpoint that cannot be created as asked (bad URL, unknown event)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    """A created endpoint and its signing secret (shown to the admin, kept to sign)."""

    endpoint: WebhookEndpoint
    secret: str


def check_events(events: Sequence[str]) -> list[str]:
    """Return the events, de-duplicated in canonical order (``["*"]`` when ``*`` is among
    them: every event, those added later too); raise if one is unknown or none."""
    unknown = sorted(set(events) - set(EVENT_TYPES) - {ALL_EVENTS})
    if unknown:
        raise EndpointError("events", "unknown_event", f"unknown events: {', '.join(unknown)}")
    if not events:
        raise EndpointError("events", "required", "subscribe to at least one event")
    if ALL_EVENTS in events:
        return [ALL_EVENTS]
    return [e for e in EVENT_TYPES if e in set(events)]


def check_target(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> str:
    """Return the trimmed URL if it may receive webhooks (length, SSRF guard); else raise."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise EndpointError("url", "too_long", f"at most {MAX_URL} characters")
    try:
        check_url(url, allow_private=allow_private, resolver=resolver)
    except UnsafeURL as exc:
        raise EndpointError("url", "unsafe_url", str(exc)) from exc
    return url


def create_endpoint(
    session: Session,
    site: Site,
    url: str,
    events: Sequence[str],
    *,
    allow_private: bool,
    resolver: Resolver = resolve,
) -> NewEndpoint:
    """Subscribe ``url`` to ``events`` of ``site`` (SSRF-checked); return it and its secret."""
    url = check_target(url, allow_private=allow_private, resolver=resolver)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        site_id=site.id, url=url, events=check_events(events), secret=secret, enabled=True
    )
    session.add(endpoint)
    session.flush()
    return NewEndpoint(endpoint, secret)


#: At most this many secrets sign at once (the current one and those in their overlap):
#: another rotation is refused until the oldest one's overlap ends.
MAX_SIGNING = 5


class TooManySecrets(Exception):
    """A rotation would make more than ``MAX_SIGNING`` secrets sign at once."""


def _retired(endpoint: WebhookEndpoint, now: datetime) -> list[tuple[str, datetime]]:
    """Return the previous secrets whose overlap still runs, newest first, with its end."""
    found: list[tuple[str, datetime]] = []
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append((endpoint.previous_secret, expires))
    for entry in endpoint.older_secrets or []:
        until = _when(entry.get("expires_at"))
        if entry.get("secret") and until is not None and until > now:
            found.append((str(entry["secret"]), until))
    return found


def _when(raw: object) -> datetime | None:
    """Read a stored ISO 8601 time (UTC), or None when it is not one."""
    try:
        found = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """Return the secrets that sign now: the current one, and every previous one during its
    overlap (a second rotation within the overlap keeps the first secret signing too)."""
    return [endpoint.secret, *(secret for secret, _ in _retired(endpoint, now))]


def overlap_ends(endpoint: WebhookEndpoint, now: datetime) -> list[datetime]:
    """Return when each previous secret still signing stops, newest secret first."""
    return [until for _, until in _retired(endpoint, now)]


def rotate_secret(session: Session, endpoint: WebhookEndpoint, overlap_seconds: float) -> str:
    """Give the endpoint a new secret; the old one keeps signing for ``overlap_seconds``, and
    so does every earlier one until its own overlap ends. ``TooManySecrets`` when
    ``MAX_SIGNING`` secrets would then sign at once."""
    now = utcnow()
    retired = _retired(endpoint, now)
    if len(retired) + 2 > MAX_SIGNING:
        raise TooManySecrets(
            f"{len(retired) + 1} secrets sign this endpoint's deliveries already; another "
            f"rotation would make {len(retired) + 2} (at most {MAX_SIGNING}). Try again after "
            f"{rfc3339(retired[-1][1])}, when the oldest one's overlap ends."
        )
    if overlap_seconds > 0:
        retired.insert(0, (endpoint.secret, now + timedelta(seconds=overlap_seconds)))
    head = retired[0] if retired else (None, None)
    endpoint.previous_secret, endpoint.previous_secret_expires_at = head
    endpoint.older_secrets = [
        {"secret": secret, "expires_at": until.isoformat()} for secret, until in retired[1:]
    ] or None
    endpoint.secret = new_secret()
    session.flush()
    return endpoint.secret


def disable(endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop delivering to the endpoint, saying why (shown to admins)."""
    endpoint.enabled = False
    endpoint.disabled_reason = reason[:200]


def enable(session: Session, endpoint: WebhookEndpoint) -> list[str]:
    """Deliver to the endpoint again, with a clean failure record; its paused deliveries
    (events while it was disabled) are due now: return their ids, to queue."""
    endpoint.enabled = True
    endpoint.disabled_reason = None
    endpoint.failing_since = None
    paused = list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "paused")
            .order_by(WebhookDelivery.created_at)
        )
    )
    if paused:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(paused))
            .values(status="pending", next_attempt_at=utcnow())
        )
    return paused


def redeliver(session: Session, delivery_id: str) -> WebhookDelivery | None:
    """Put a finished or failed delivery back in the outbox, due now; None if unknown."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.crashes = 0  # sent again after a fix: the job gets its whole allowance again
    delivery.next_attempt_at = utcnow()
    session.flush()
    return delivery


#: Most failed deliveries one bulk redelivery puts back (the rest: run it again).
MAX_BULK_REDELIVER = 10_000


def redeliver_failed(
    session: Session, endpoint: WebhookEndpoint, since: datetime | None = None
) -> list[str]:
    """Put an endpoint's failed deliveries (created at or after ``since``) back in the
    outbox, due now, oldest first, at most ``MAX_BULK_REDELIVER``; return their ids, to
    queue. After a receiver's outage, one call instead of one click per delivery."""
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "failed"
    )
    if since is not None:
        query = query.where(WebhookDelivery.created_at >= since)
    ids = list(
        session.scalars(query.order_by(WebhookDelivery.created_at).limit(MAX_BULK_REDELIVER))
    )
    for start in range(0, len(ids), 500):  # bounded IN lists
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(ids[start : start + 500]),
                WebhookDelivery.status == "failed",
            )
            .values(status="pending", attempts=0, crashes=0, next_attempt_at=utcnow())
        )
    return ids


def failed_count(session: Session, endpoint: WebhookEndpoint) -> int:
    """Return how many of the endpoint's deliveries failed for good."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "failed")
        )
        or 0
    )


def endpoints_of(session: Session, site: Site) -> list[WebhookEndpoint]:
    """Return a site's endpoints, oldest first."""
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.site_id == site.id)
            .order_by(WebhookEndpoint.id)
        )
    )


def deliveries_of(
    session: Session, endpoint: WebhookEndpoint, limit: int = 100
) -> list[WebhookDelivery]:
    """Return an endpoint's latest deliveries, newest first (the delivery log)."""
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc())
            .limit(limit)
        )
    )
