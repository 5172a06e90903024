"""``GET /metrics``: the facts of :mod:`service.ops.facts` in Prometheus' text format 0.0.4.

Off (404, as for any unknown address) unless ``MODERATO_METRICS_TOKEN`` is set; then it
asks for ``Authorization: Bearer <token>``. The numbers say how much work waits and
whether workers are there to do it, which ``/readyz`` does not (its contract is database
and Redis only, for a load balancer).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from flask import Response, current_app, request

from service.errors import NotFound, Unauthorized
from service.extensions import db, redis_conn
from service.ops import bp
from service.ops.facts import Facts, gather

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@bp.get("/metrics")
def metrics() -> Response:
    """Answer the service's gauges to a scraper that sends the metrics token."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        raise NotFound()
    sent = request.headers.get("Authorization", "")
    scheme, _, credentials = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credentials.strip().encode(), str(token).encode()
    ):
        raise Unauthorized(
            "Send the metrics token: Authorization: Bearer <MODERATO_METRICS_TOKEN>.",
            headers={"WWW-Authenticate": 'Bearer realm="moderato-metrics"'},
        )
    facts = gather(db(), redis_conn(), current_app.config["QUEUE_NAME"])
    return Response(render(facts), content_type=CONTENT_TYPE)


def render(facts: Facts) -> str:
    """Return ``facts`` in the text exposition format (a part that could not be read is left
    out, and its ``moderato_up`` sample is 0)."""
    out: list[str] = []

    def gauge(name: str, help_: str, samples: Mapping[str, float], label: str = "") -> None:
        out.append(f"# HELP {name} {help_}")
        out.append(f"# TYPE {name} gauge")
        for key, value in samples.items():
            labels = f'{{{label}="{_escape(key)}"}}' if label and key else ""
            out.append(f"{name}{labels} {_number(value)}")

    gauge(
        "moderato_up",
        "1 when this web process reaches the dependency, else 0.",
        {"database": facts.database_up, "redis": facts.redis_up},
        "dependency",
    )
    if facts.database_up:
        gauge(
            "moderato_comments",
            "Comments by state; state=pending is the backlog the workers have not decided.",
            facts.comments,
            "state",
        )
        gauge(
            "moderato_pending_oldest_age_seconds",
            "Age of the oldest pending comment (0 when none is pending).",
            {"": facts.oldest_pending_age or 0.0},
        )
        gauge(
            "moderato_webhook_deliveries",
            "Webhook deliveries in the outbox by status (pending: waiting or being retried).",
            facts.webhook_deliveries,
            "status",
        )
        gauge(
            "moderato_mails",
            "Reply-notification mails in the outbox by status.",
            facts.mails,
            "status",
        )
    if facts.redis_up:
        gauge("moderato_queue_jobs", "Jobs waiting in each RQ queue.", facts.queued, "queue")
        gauge(
            "moderato_failed_jobs",
            "Jobs in each queue's RQ failed registry.",
            facts.failed_jobs,
            "queue",
        )
        gauge(
            "moderato_workers",
            "Live RQ workers: registered, not dead, heartbeat within the registration's TTL.",
            {"": facts.workers or 0},
        )
    return "\n".join(out) + "\n"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
