"""One delivery attempt at a time, against ``httpx.MockTransport``: outcomes, retries, disabling."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from service import sites as site_ops
from service.clock import utcnow
from service.enqueue import RQJobQueue, delivery_job_id
from service.extensions import queue
from service.integrations import ssrf
from service.integrations.webhooks import create_endpoint
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from tests.factories import stored
from worker.webhooks.delivery import attempt_delivery
from worker.webhooks.retry import RetryPolicy, parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def outbox(app: Flask, db: Database) -> Callable[..., str]:
    """Subscribe an endpoint of the default site to comment.received; return a new delivery's id."""

    def make(url: str = "https://hooks.example/in") -> str:
        with db.session() as session:
            site = site_ops.by_slug(session, "default")
            assert site is not None
            create_endpoint(
                session, site, url, ["comment.received"], allow_private=False,
                resolver=lambda h, p: ["93.184.215.14"],
            )  # fmt: skip
        stored(db, email="secret-address@example.org")
        with db.session() as session:
            return session.scalars(
                select(WebhookDelivery.id).order_by(WebhookDelivery.created_at.desc())
            ).first()  # type: ignore[return-value]

    return make


def another_delivery(db: Database) -> str:
    """Store one more comment, so the same endpoint gets one more delivery; return its id."""
    stored(db)
    with db.session() as session:
        return session.scalars(
            select(WebhookDelivery.id).order_by(WebhookDelivery.created_at.desc())
        ).first()  # type: ignore[return-value]


def run(app: Flask, db: Database, delivery_id: str, handler: Handler, **kw: Any) -> str:
    """Make one attempt through a MockTransport, scheduling retries on the real Redis queue."""
    config = {
        **app.config,
        "WEBHOOK_RETRY_BASE": 10.0,
        "WEBHOOK_RETRY_FACTOR": 2.0,
        **kw.pop("config", {}),
    }
    with app.app_context():
        return attempt_delivery(
            db,
            delivery_id,
            client=httpx.Client(transport=httpx.MockTransport(handler)),
            config=config,
            scheduler=queue(),
            resolver=kw.pop("resolver", lambda h, p: ["93.184.215.14"]),
            rand=lambda: 0.5,
            **kw,
        )


def recording(status: int) -> tuple[Handler, list[httpx.Request]]:
    """Return a handler that answers ``status`` and the list of requests it saw."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status)

    return handler, seen


def row(db: Database, delivery_id: str) -> tuple[WebhookDelivery, WebhookEndpoint]:
    with db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        assert endpoint is not None
        return delivery, endpoint


def scheduled(app: Flask) -> list[str]:
    q: RQJobQueue = app.extensions["moderato.queue"]
    return list(ScheduledJobRegistry(queue=q.deliveries).get_job_ids())


def test_2xx_marks_delivered_with_signed_body_without_email(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """A 200 marks the delivery delivered; the body is signed and never holds the e-mail."""
    delivery_id = outbox()
    handler, seen = recording(204)

    assert run(app, db, delivery_id, handler) == "delivered"
    delivery, endpoint = row(db, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.last_latency_ms is not None
    request = seen[0]
    assert request.headers["webhook-id"] == delivery_id
    assert request.headers["webhook-signature"].startswith("v1,")
    body = json.loads(request.content)
    assert body["type"] == "comment.received"
    assert set(body) == {"type", "timestamp", "data"}
    assert b"secret-address" not in request.content
    assert endpoint.failing_since is None


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_5xx_and_429_schedule_a_retry(
    app: Flask, db: Database, outbox: Callable[..., str], status: int
) -> None:
    """A 5xx or 429 leaves the delivery pending and schedules its next attempt in RQ."""
    delivery_id = outbox()
    assert run(app, db, delivery_id, lambda r: httpx.Response(status)) == "retry"
    delivery, endpoint = row(db, delivery_id)
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.next_attempt_at is not None and delivery.last_attempt_at is not None
    waited = delivery.next_attempt_at - delivery.last_attempt_at  # from the answer, not the POST
    assert timedelta(seconds=7.5) <= waited < timedelta(seconds=8.5)
    assert delivery_job_id(delivery_id, 1) in scheduled(app)
    assert endpoint.failing_since is not None


def test_network_errors_are_retried(app: Flask, db: Database, outbox: Callable[..., str]) -> None:
    """A connection error is retried like a 5xx."""
    delivery_id = outbox()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    assert run(app, db, delivery_id, refuse) == "retry"
    delivery, _ = row(db, delivery_id)
    assert delivery.status == "pending"
    assert delivery.last_error is not None and "ConnectError" in delivery.last_error


def test_retry_after_is_honoured(app: Flask, db: Database, outbox: Callable[..., str]) -> None:
    """A 429 with Retry-After: 120 puts the next attempt at least 120 s later."""
    delivery_id = outbox()
    run(app, db, delivery_id, lambda r: httpx.Response(429, headers={"Retry-After": "120"}))
    delivery, _ = row(db, delivery_id)
    assert delivery.next_attempt_at is not None and delivery.last_attempt_at is not None
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=120)


def test_retry_after_counts_from_the_answer_and_is_never_run_early(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """A receiver that takes 1.5 s to answer "Retry-After: 9" is not tried again before
    10.5 s after the POST began, and the RQ job is not scheduled before that either (RQ
    keeps whole seconds: the time is rounded up, not down)."""
    delivery_id = outbox()

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(1.5)
        return httpx.Response(503, headers={"Retry-After": "9"})

    assert run(app, db, delivery_id, slow) == "retry"
    delivery, _ = row(db, delivery_id)
    assert delivery.next_attempt_at is not None and delivery.last_attempt_at is not None
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=10.5)
    q: RQJobQueue = app.extensions["moderato.queue"]
    registry = ScheduledJobRegistry(queue=q.deliveries)
    when = registry.get_scheduled_time(delivery_job_id(delivery_id, 1))
    assert when >= delivery.next_attempt_at.replace(tzinfo=UTC)


def test_an_attempt_that_overruns_its_limit_is_recorded_and_retried(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """A receiver that takes longer than WEBHOOK_TIMEOUT in all (httpx's timeout is per read,
    so a trickled answer never trips it) is cut off and the attempt recorded as a retry:
    the job lives to record it instead of being killed by its own time limit and resent."""
    delivery_id = outbox()

    def trickle(request: httpx.Request) -> httpx.Response:
        time.sleep(2.5)
        return httpx.Response(204)

    assert run(app, db, delivery_id, trickle, config={"WEBHOOK_TIMEOUT": 0.5}) == "retry"
    delivery, _ = row(db, delivery_id)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "timeout: no answer within 0.5 s"


def test_a_dns_failure_is_retried_not_failed(
    app: Flask, db: Database, outbox: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resolver's temporary failure (EAI_AGAIN) leaves the delivery pending for a retry;
    only an address the guard refuses fails it at once."""
    delivery_id = outbox()

    def down(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", down)
    handler, seen = recording(204)
    assert run(app, db, delivery_id, handler, resolver=ssrf.resolve) == "retry"
    delivery, _ = row(db, delivery_id)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error is not None and delivery.last_error.startswith("DNS: ")
    assert seen == []


@pytest.mark.parametrize("status", [400, 401, 404, 301])
def test_other_statuses_fail_without_retry(
    app: Flask, db: Database, outbox: Callable[..., str], status: int
) -> None:
    """Other 4xx (and redirects, which we never follow) fail at once; nothing is scheduled."""
    delivery_id = outbox()
    assert run(app, db, delivery_id, lambda r: httpx.Response(status)) == "failed"
    delivery, endpoint = row(db, delivery_id)
    assert (delivery.status, delivery.last_status_code) == ("failed", status)
    assert scheduled(app) == []
    assert endpoint.enabled


def test_410_gone_disables_the_endpoint(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """A 410 fails the delivery and disables its endpoint with the reason recorded."""
    delivery_id = outbox()
    assert run(app, db, delivery_id, lambda r: httpx.Response(410)) == "gone"
    delivery, endpoint = row(db, delivery_id)
    assert delivery.status == "failed"
    assert not endpoint.enabled
    assert endpoint.disabled_reason is not None and "410" in endpoint.disabled_reason


def test_the_last_attempt_gives_up(app: Flask, db: Database, outbox: Callable[..., str]) -> None:
    """After WEBHOOK_MAX_ATTEMPTS failed attempts the delivery is failed, not retried."""
    delivery_id = outbox()
    outcome = run(
        app, db, delivery_id, lambda r: httpx.Response(500), config={"WEBHOOK_MAX_ATTEMPTS": 1}
    )
    assert outcome == "failed"
    assert scheduled(app) == []
    delivery, _ = row(db, delivery_id)
    assert delivery.status == "failed"
    assert delivery.last_error is not None and delivery.last_error.startswith("gave up after 1")


def test_an_endpoint_failing_for_a_long_stretch_is_disabled(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """An endpoint failing since longer than WEBHOOK_DISABLE_AFTER, without a pause longer
    than the retry cap, is disabled, saying since when."""
    delivery_id = outbox()
    earlier = another_delivery(db)
    with db.session() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        endpoint.failing_since = datetime(2026, 1, 1, tzinfo=UTC)
        session.get(WebhookDelivery, earlier).last_attempt_at = utcnow() - timedelta(hours=2)  # type: ignore[union-attr]
    run(app, db, delivery_id, lambda r: httpx.Response(503))
    _, endpoint = row(db, delivery_id)
    assert not endpoint.enabled
    assert endpoint.disabled_reason is not None
    assert endpoint.disabled_reason.startswith("failing since 2026-01-01")


def test_an_old_failure_then_silence_starts_a_new_streak(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """One failure days ago, no attempt since, then one 503: a new streak starts now; the
    endpoint is not disabled for the old failure (review finding)."""
    delivery_id = outbox()
    earlier = another_delivery(db)
    with db.session() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        endpoint.failing_since = utcnow() - timedelta(days=6)
        session.get(WebhookDelivery, earlier).last_attempt_at = utcnow() - timedelta(days=6)  # type: ignore[union-attr]
    run(app, db, delivery_id, lambda r: httpx.Response(503))
    _, endpoint = row(db, delivery_id)
    assert endpoint.enabled
    assert endpoint.failing_since is not None
    assert utcnow() - endpoint.failing_since < timedelta(minutes=1)


def test_delivery_time_ssrf_check_blocks_a_url_that_now_resolves_privately(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """If DNS now points the endpoint at a private address, nothing is sent and it fails."""
    delivery_id = outbox()
    handler, calls = recording(200)

    outcome = run(app, db, delivery_id, handler, resolver=lambda h, p: ["10.0.0.5"])
    assert outcome == "failed"
    assert calls == []
    delivery, _ = row(db, delivery_id)
    assert delivery.last_error is not None and delivery.last_error.startswith("blocked")


def test_a_claimed_delivery_is_not_sent_twice(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """A second job for a delivery another job holds (or already delivered) sends nothing."""
    delivery_id = outbox()
    handler, calls = recording(200)

    assert run(app, db, delivery_id, handler) == "delivered"
    assert run(app, db, delivery_id, handler) == "skipped"
    assert len(calls) == 1


def test_backoff_grows_exponentially_within_jitter_and_cap() -> None:
    """Delays grow by the factor, stay within [d/2, d] and never pass the cap."""
    policy = RetryPolicy(max_attempts=10, base=5, factor=4, cap=3600)
    assert policy.delay(1, None, rand=lambda: 0.0) == 2.5
    assert policy.delay(1, None, rand=lambda: 1.0) == 5
    assert policy.delay(3, None, rand=lambda: 1.0) == 80
    assert policy.delay(9, None, rand=lambda: 1.0) == 3600
    assert policy.delay(1, 30, rand=lambda: 0.0) == 30


def test_retry_after_parses_seconds_and_http_dates() -> None:
    """Retry-After is read as seconds or as an HTTP date; garbage is ignored."""
    now = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Thu, 26 Nov 2026 12:01:00 GMT", now) == 60
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None
    assert parse_retry_after("\u00b2", now) is None  # isdigit() is true of it; float() refuses


def test_a_retry_after_of_non_ascii_digits_is_recorded_as_a_retry(
    app: Flask, db: Database, outbox: Callable[..., str]
) -> None:
    """A 503 with ``Retry-After: \\xb2`` (a Latin-1 superscript two, which ``str.isdigit``
    accepts) is an attempt recorded and retried on our schedule, not a job that crashes
    before recording it (the sweep then resent the delivery for ever, attempts=0)."""
    delivery_id = outbox()

    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers=[(b"Retry-After", b"\xb2")])

    assert run(app, db, delivery_id, odd) == "retry"
    delivery, _ = row(db, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 503)
    assert delivery_job_id(delivery_id, 1) in scheduled(app)


def test_an_overrun_attempt_lets_go_of_its_connection_and_thread() -> None:
    """A real receiver that sends its status line, then a header line every 0.2 s for 30 s:
    the attempt is cut off at its limit, and its connection is closed at once, so the
    thread reading it ends (found in review: each such attempt kept a thread and a pooled
    socket for as long as the receiver trickled; a full pool stops every delivery)."""
    import threading

    from worker.webhooks import sending

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    closed = threading.Event()

    def receiver() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for n in range(150):
                time.sleep(0.2)
                conn.sendall(f"x-slow-{n}: 1\r\n".encode())
        except OSError:
            closed.set()
        finally:
            conn.close()

    threading.Thread(target=receiver, daemon=True).start()
    client = sending.delivery_client(allow_private=True)
    attempt = sending.post(
        client, f"http://127.0.0.1:{port}/in", ["whsec_" + "A" * 32], "msg_1", "{}", 1.0, utcnow()
    )
    assert attempt.outcome == "retry" and attempt.error == "timeout: no answer within 1 s"
    assert closed.wait(5), "the receiver's connection stayed open"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        t.name == "webhook-attempt" and t.is_alive() for t in threading.enumerate()
    ):
        time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name == "webhook-attempt" and t.is_alive()]
    server.close()
