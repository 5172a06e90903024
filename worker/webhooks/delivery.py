"""One attempt at a webhook delivery, from claim to record, and the RQ job that makes it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

import httpx

from service.clock import utcnow
from service.integrations import webhooks as endpoints
from service.integrations.redact import redact_url, redact_urls
from service.integrations.ssrf import Resolver, Unresolvable, UnsafeURL, check_url, resolve
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from worker import runtime
from worker.webhooks.records import claim, pause, record
from worker.webhooks.retry import Attempt, RetryPolicy, status_error
from worker.webhooks.sending import http_client, post

log = logging.getLogger(__name__)


class Scheduler(Protocol):
    """Where the next attempt goes: the RQ queue in a worker."""

    def enqueue_delivery_at(self, delivery_id: str, attempt: int, when: datetime) -> bool: ...


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
        endpoint_id, url, body = endpoint.id, endpoint.url, delivery.payload
        secrets = endpoints.signing_secrets(endpoint, now)
        enabled = endpoint.enabled
    if not enabled:
        if pause(db, delivery_id):
            log.info(
                "delivery %s to endpoint %s at %s: paused (the endpoint is disabled)",
                delivery_id,
                endpoint_id,
                redact_url(url),
            )
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
    # The URL, and a redirect's Location in the error, may carry the receiver's token, in
    # the query or in the path (Slack, Discord): the log names the endpoint by its id and
    # shows scheme://host[:port] only (the delivery's record keeps the error as it was).
    log.info(
        "delivery %s to endpoint %s at %s: %s (%s)",
        delivery_id,
        endpoint_id,
        redact_url(url),
        attempt.outcome,
        _shown_error(attempt),
    )
    if retry_at is not None:
        return "retry"
    return "failed" if attempt.outcome == "retry" else attempt.outcome


def deliver(delivery_id: str) -> str:
    """RQ job: make one attempt at delivering ``delivery_id`` (a no-op when not due)."""
    rt = runtime.get()
    client = http_client(bool(rt.app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    return attempt_delivery(
        rt.db, delivery_id, client=client, config=rt.app.config, scheduler=rt.queue
    )


def _shown_error(attempt: Attempt) -> str:
    """Return the attempt's error for the log line: a redirect's written again around its
    Location redacted (any reference: ``moved/<secret>``, ``?token=…``), any other with the
    URLs it quotes redacted."""
    if attempt.error is None:
        return "ok"
    if attempt.status_code is not None and 300 <= attempt.status_code < 400:
        where = redact_url(attempt.location) if attempt.location else None
        return status_error(attempt.status_code, where)
    return redact_urls(attempt.error)
