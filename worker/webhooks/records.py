"""The outbox side of a webhook delivery: claim it for an attempt, pause it while its
endpoint is disabled, record what an attempt came to and the endpoint's failure streak."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from service.integrations import webhooks as endpoints
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from worker import leases
from worker.webhooks.retry import Attempt, RetryPolicy

STREAK_SLACK = timedelta(hours=1)  # beyond the longest retry delay, a gap ends a streak
LEASE = timedelta(seconds=90)  # longer than the delivery job's 60 s timeout


def claim(db: Database, delivery_id: str, now: datetime) -> bool:
    """Take a pending, due delivery for one attempt (a lease); False if not ours to send now."""
    return leases.claim(db, WebhookDelivery, delivery_id, now, LEASE)


def _update_pending(db: Database, delivery_id: str, condition: Any, **values: Any) -> bool:
    """Change a still-pending delivery when ``condition`` holds; tell whether it did."""
    return leases.update_pending(db, WebhookDelivery, delivery_id, condition, **values)


def pause(db: Database, delivery_id: str) -> bool:
    """Keep a delivery to a disabled endpoint for when it is enabled (no attempt counted);
    False when the endpoint is enabled by now (an admin enabled it between the read and
    this write: paused unconditionally, the delivery was stranded; found in review)."""
    disabled = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(False))
    return _update_pending(
        db,
        delivery_id,
        WebhookDelivery.endpoint_id.in_(disabled),
        status="paused",
        next_attempt_at=None,
    )  # its last error stays: the log adds the paused note from the status


def record(
    db: Database,
    delivery_id: str,
    attempt: Attempt,
    policy: RetryPolicy,
    now: datetime,
    rand: Callable[[], float],
    *,
    counts: bool = True,
) -> tuple[datetime | None, int]:
    """Write an attempt's result and the endpoint's health; return when to retry and attempts."""
    with db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None:
            return None, 0  # the endpoint was deleted (with --force) during the attempt
        previous_attempt = delivery.last_attempt_at
        if counts:
            delivery.attempts += 1
            delivery.last_attempt_at = now
            delivery.last_status_code = attempt.status_code
            delivery.last_latency_ms = attempt.latency_ms
        delivery.last_error = attempt.error
        retry_at = None
        if attempt.outcome == "delivered":
            delivery.status = "delivered"
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            endpoint.failing_since = None
            return None, delivery.attempts
        if attempt.outcome == "retry" and delivery.attempts < policy.max_attempts:
            # Counted from the answer, not from the start of the POST: a receiver that
            # took 5 s to say "Retry-After: 7" gets its 7 s.
            answered = now + timedelta(milliseconds=attempt.latency_ms or 0.0)
            retry_at = answered + timedelta(
                seconds=policy.delay(delivery.attempts, attempt.retry_after, rand)
            )
            delivery.next_attempt_at = retry_at
        else:
            delivery.status = "failed"
            delivery.next_attempt_at = None
            if attempt.outcome == "retry":
                delivery.last_error = f"gave up after {delivery.attempts} attempts: {attempt.error}"
        if not counts:
            return None, delivery.attempts
        streak = endpoint.failing_since
        # Only a streak older than the window can hide a gap that long: look for one then.
        if (
            streak is not None
            and now - streak > _streak_window(policy)
            and not _failed_lately(session, endpoint.id, delivery.id, previous_attempt, now, policy)
        ):
            endpoint.failing_since = None  # an old failure, then silence: a new streak
        endpoint.failing_since = endpoint.failing_since or now
        if attempt.outcome == "gone":
            endpoints.disable(endpoint, "the receiver answered 410 Gone")
        elif endpoint.enabled and now - endpoint.failing_since >= timedelta(
            seconds=policy.disable_after
        ):
            since = endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC")
            endpoints.disable(endpoint, f"failing since {since} (last: {attempt.error})")
        return retry_at, delivery.attempts


def _streak_window(policy: RetryPolicy) -> timedelta:
    """Return the longest gap between two failures of one streak: the retry cap, plus slack."""
    return timedelta(seconds=policy.cap) + STREAK_SLACK


def _failed_lately(
    session: Any,
    endpoint_id: int,
    delivery_id: str,
    previous_attempt: datetime | None,
    now: datetime,
    policy: RetryPolicy,
) -> bool:
    """Tell whether the endpoint's failure streak is still running: some attempt (they all
    failed, or the streak would have been cleared) within the longest retry delay."""
    window = _streak_window(policy)
    others = session.scalar(
        select(func.max(WebhookDelivery.last_attempt_at)).where(
            WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.id != delivery_id
        )
    )
    latest = max((t for t in (previous_attempt, others) if t is not None), default=None)
    return latest is not None and now - latest <= window
