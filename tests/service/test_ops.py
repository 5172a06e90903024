"""Health and readiness endpoints."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from service import create_app
from service.embedded_redis import free_port


def test_healthz_answers_ok(client: FlaskClient) -> None:
    """/healthz answers 200 {"status": "ok"} while the process is up."""
    rv = client.get("/healthz")
    assert rv.status_code == 200
    assert rv.get_json() == {"status": "ok"}


def test_readyz_checks_database_and_redis(client: FlaskClient) -> None:
    """/readyz answers 200 with both checks ok when the database and Redis answer."""
    rv = client.get("/readyz")
    assert rv.status_code == 200
    assert rv.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_names_redis_when_it_is_down(settings: dict[str, Any]) -> None:
    """/readyz answers 503 naming the redis check when nothing listens at REDIS_URL."""
    app = create_app({**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    rv = app.test_client().get("/readyz")
    body = rv.get_json()
    assert rv.status_code == 503
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert body["error"]["code"] == "service_unavailable"
    assert "redis" in body["error"]["message"]
    assert rv.headers["Retry-After"]
