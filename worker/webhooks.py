"""Deliver webhooks from the outbox: claim, sign, POST, record, then retry or give up.

Policy, per attempt (one POST, ``WEBHOOK_TIMEOUT`` seconds, no redirects followed):

- 2xx: delivered; the endpoint's failure record is cleared.
- network error, timeout, 5xx, 429: retried after ``base * factor^(n-1)`` seconds
  (capped, with jitter), never sooner than the receiver's ``Retry-After``; after
  ``WEBHOOK_MAX_ATTEMPTS`` attempts the delivery is ``failed``.
- 410 Gone: ``failed``, and the endpoint is disabled (the receiver asked us to stop).
- any other status (3xx, 4xx): ``failed`` at once; retrying would not help.
- a URL that now resolves to a private address (SSRF guard): ``failed``.

An endpoint that keeps failing for ``WEBHOOK_DISABLE_AFTER`` seconds is disabled
with the reason recorded. A job first *claims* its delivery with a conditional
update that pushes ``next_attempt_at`` a lease ahead, so two jobs for one
delivery cannot both send it; a worker that dies mid-attempt leaves a pending
delivery whose lease runs out, and the sweep queues it again. Delivery is
therefore at least once: receivers de-duplicate on ``webhook-id``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar, cast

import httpcore
import httpx
from sqlalchemy import func, or_, select, update

from service.clock import utcnow
from service.integrations import webhooks as endpoints
from service.integrations.signing import headers as signature_headers
from service.integrations.ssrf import (
    PublicOnlyBackend,
    Resolver,
    Unresolvable,
    UnsafeURL,
    check_url,
    resolve,
)
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from worker import runtime

log = logging.getLogger(__name__)

USER_AGENT = "moderato-webhooks/1"
T = TypeVar("T")
STREAK_SLACK = timedelta(hours=1)  # beyond the longest retry delay, a gap ends a streak
LEASE = timedelta(seconds=90)  # longer than the delivery job's 60 s timeout


class Scheduler(Protocol):
    """Where the next attempt goes: the RQ queue in a worker."""

    def enqueue_delivery_at(self, delivery_id: str, attempt: int, when: datetime) -> bool: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long we try, and when an endpoint is given up on."""

    max_attempts: int = 10
    base: float = 5.0
    factor: float = 4.0
    cap: float = 36000.0
    disable_after: float = 5 * 24 * 3600

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> RetryPolicy:
        """Read the policy from the app's ``WEBHOOK_*`` settings."""
        return cls(
            max_attempts=int(cfg["WEBHOOK_MAX_ATTEMPTS"]),
            base=float(cfg["WEBHOOK_RETRY_BASE"]),
            factor=float(cfg["WEBHOOK_RETRY_FACTOR"]),
            cap=float(cfg["WEBHOOK_RETRY_CAP"]),
            disable_after=float(cfg["WEBHOOK_DISABLE_AFTER"]),
        )

    def delay(
        self, attempts: int, retry_after: float | None, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds before the next try after ``attempts`` failed ones: half fixed, half jitter."""
        full = min(self.cap, self.base * self.factor ** max(attempts - 1, 0))
        delay = full / 2 + rand() * full / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap))
        return delay


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one POST came to."""

    outcome: str  # delivered | retry | failed | gone
    status_code: int | None = None
    error: str | None = None
    latency_ms: float | None = None
    retry_after: float | None = None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def outcome_of(status: int) -> str:
    """Map an HTTP status to delivered, retry, gone or failed."""
    if 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    if status == 429 or status >= 500:
        return "retry"
    return "failed"


#: An attempt's hard limit, whatever ``WEBHOOK_TIMEOUT`` says: well inside the delivery
#: job's 60 s, so the job always lives to record the attempt (a job killed mid-send would
#: record nothing and be re-queued by the sweep for ever).
MAX_ATTEMPT_SECONDS = 40.0


class DeadlineExceeded(Exception):
    """The whole attempt took longer than its limit."""


def within(seconds: float, fn: Callable[[], T]) -> T:
    """Return ``fn()``, or raise ``DeadlineExceeded`` if it has not returned in ``seconds``.

    httpx's timeout is per network operation, so a receiver that trickles its answer a
    byte at a time is never cut off by it. The call runs in a daemon thread; one that
    overruns is left to its own socket timeout and only logged.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=run, name="webhook-attempt", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        log.warning("a webhook attempt overran its %g s limit; left to its socket timeout", seconds)
        raise DeadlineExceeded
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


def post(
    client: httpx.Client,
    url: str,
    secrets: list[str],
    msg_id: str,
    body: str,
    timeout: float,
    now: datetime,
) -> Attempt:
    """POST one signed message; never reads the response body (a receiver could send gigabytes)."""
    sent_headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **signature_headers(secrets, msg_id, int(now.timestamp()), body),
    }
    started = time.perf_counter()
    deadline = min(timeout, MAX_ATTEMPT_SECONDS)

    def send() -> tuple[int, str | None]:
        with client.stream(
            "POST", url, content=body.encode(), headers=sent_headers, timeout=deadline
        ) as resp:
            return resp.status_code, resp.headers.get("retry-after")

    try:
        status, retry_header = within(deadline, send)
        retry_after = parse_retry_after(retry_header, utcnow())
    except DeadlineExceeded:
        discard(client)
        return Attempt(
            "retry", error=f"timeout: no answer within {deadline:g} s", latency_ms=_ms(started)
        )
    except httpx.TimeoutException as exc:
        return Attempt("retry", error=f"timeout: {exc}", latency_ms=_ms(started))
    except httpx.HTTPError as exc:
        return Attempt("retry", error=f"{type(exc).__name__}: {exc}", latency_ms=_ms(started))
    except httpx.InvalidURL as exc:
        return Attempt("failed", error=f"invalid URL: {exc}", latency_ms=_ms(started))
    outcome = outcome_of(status)
    return Attempt(
        outcome,
        status_code=status,
        error=None if outcome == "delivered" else f"HTTP {status}",
        latency_ms=_ms(started),
        retry_after=retry_after if outcome == "retry" else None,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def claim(db: Database, delivery_id: str, now: datetime) -> bool:
    """Take a pending, due delivery for one attempt (a lease); False if not ours to send now."""
    due = or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now)
    return _update_pending(db, delivery_id, due, next_attempt_at=now + LEASE)


def _update_pending(db: Database, delivery_id: str, condition: Any, **values: Any) -> bool:
    """Change a still-pending delivery when ``condition`` holds, in one conditional UPDATE;
    tell whether it did."""
    with db.session() as session:
        result = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                condition,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def attempt_delivery(
    db: Database,
    delivery_id: str,
    *,
    client: httpx.Client,
    config: Mapping[str, Any],
    scheduler: Scheduler,
    resolver: Resolver = resolve,
    now: datetime | None = None,
    rand: Callable[[], float] = random.random,
) -> str:
    """Make one attempt at a delivery and record it; return what happened."""
    now = now or utcnow()
    if not claim(db, delivery_id, now):
        return "skipped"
    with db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None:
            return "skipped"
        url, body = endpoint.url, delivery.payload
        secrets = endpoints.signing_secrets(endpoint, now)
        enabled = endpoint.enabled
    if not enabled:
        if pause(db, delivery_id):
            log.info("delivery %s to %s: paused (the endpoint is disabled)", delivery_id, url)
            return "paused"
        enabled = True  # enabled between our read and the pause: send it now
    try:
        check_url(url, allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE"]), resolver=resolver)
    except Unresolvable as exc:  # DNS may be back in a minute; a refused address is not
        attempt = Attempt("retry", error=f"DNS: {exc}")
    except UnsafeURL as exc:
        attempt = Attempt("failed", error=f"blocked: {exc}")
    else:
        timeout = float(config["WEBHOOK_TIMEOUT"])
        attempt = post(client, url, secrets, delivery_id, body, timeout, now)
    policy = RetryPolicy.from_config(config)
    retry_at, attempts = record(db, delivery_id, attempt, policy, now, rand, counts=enabled)
    if retry_at is not None:
        scheduler.enqueue_delivery_at(delivery_id, attempts, retry_at)
    log.info("delivery %s to %s: %s (%s)", delivery_id, url, attempt.outcome, attempt.error or "ok")
    if retry_at is not None:
        return "retry"
    return "failed" if attempt.outcome == "retry" else attempt.outcome


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
        last_error="the endpoint is disabled: sent when it is enabled again",
    )


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
        assert delivery is not None
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
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


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def delivery_client(*, allow_private: bool, resolver: Resolver = resolve) -> httpx.Client:
    """Return an HTTP client for deliveries: no redirects, and unless ``allow_private``,
    sockets only to addresses the SSRF guard checked at connect time."""
    transport = httpx.HTTPTransport()
    if not allow_private:
        # httpx builds its connection pool without a way to pass the network backend;
        # replace the pool with the same one on our backend (tests/integrations checks it).
        transport._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=PublicOnlyBackend(resolver),
        )
    return httpx.Client(
        transport=transport, follow_redirects=False, headers={"user-agent": USER_AGENT}
    )


def discard(client: httpx.Client) -> None:
    """Close ``client`` after an attempt overran its limit, and make the next attempt use a
    new one. The overrunning thread still holds a pooled connection to a receiver that
    trickles its answer: closing the pool closes that socket, so the thread fails at its
    next read instead of living (and holding the connection) for as long as the receiver
    keeps trickling. Found in review: 16 threads and sockets after 4 attempts, and a full
    pool would have stopped deliveries to every endpoint."""
    global _client
    with _client_lock:
        if _client is client:
            _client = None
    try:
        client.close()
    except Exception:  # a half-closed pool: nothing more to release
        log.debug("closing an overrun webhook client failed", exc_info=True)


def http_client(allow_private: bool = False) -> httpx.Client:
    """Return this process's delivery client (made once)."""
    global _client
    with _client_lock:
        if _client is None:
            _client = delivery_client(allow_private=allow_private)
        return _client


def deliver(delivery_id: str) -> str:
    """RQ job: make one attempt at delivering ``delivery_id`` (a no-op when not due)."""
    rt = runtime.get()
    client = http_client(bool(rt.app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    return attempt_delivery(
        rt.db, delivery_id, client=client, config=rt.app.config, scheduler=rt.queue
    )
