"""Send one webhook: a signed POST within a hard time limit, through an HTTP client that
follows no redirects and (unless allowed) connects to public addresses only."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import httpcore
import httpx

from service.clock import utcnow
from service.integrations.signing import headers as signature_headers
from service.integrations.ssrf import PublicOnlyBackend, Resolver, resolve
from worker.webhooks.retry import Attempt, outcome_of, parse_retry_after, status_error

log = logging.getLogger(__name__)

USER_AGENT = "moderato-webhooks/1"
T = TypeVar("T")

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

    def send() -> tuple[int, str | None, str | None]:
        with client.stream(
            "POST", url, content=body.encode(), headers=sent_headers, timeout=deadline
        ) as resp:
            return resp.status_code, resp.headers.get("retry-after"), resp.headers.get("location")

    try:
        status, retry_header, location = within(deadline, send)
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
        error=None if outcome == "delivered" else status_error(status, location),
        latency_ms=_ms(started),
        retry_after=retry_after if outcome == "retry" else None,
        location=location if 300 <= status < 400 else None,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


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
