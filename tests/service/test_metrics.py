"""GET /metrics: the backlog, the queues and the live workers, for a scraper with the token."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from service import create_app
from service.embedded_redis import free_port
from service.status import State
from service.store import Database
from tests.factories import post, stored
from tests.helpers import wait_for

TOKEN = "metrics-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SAMPLE = re.compile(r'^([a-z_]+)(?:\{([a-z_]+)="([^"]*)"\})? (\d+(?:\.\d+)?)$')


def scrape(client: FlaskClient) -> dict[str, float]:
    """GET /metrics and parse it strictly (format 0.0.4): HELP and TYPE before each family's
    samples, every other line a sample; return {"name{label=value}": value}."""
    rv = client.get("/metrics", headers=AUTH)
    assert rv.status_code == 200, rv.data
    assert rv.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples: dict[str, float] = {}
    typed: set[str] = set()
    text = rv.get_data(as_text=True)
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            name, kind = line.split()[2:]
            assert kind == "gauge" and name not in typed
            typed.add(name)
            continue
        match = SAMPLE.match(line)
        assert match, line
        name, label, value, number = match.groups()
        assert name in typed, f"{name} sampled before its TYPE line"
        key = f"{name}{{{label}={value}}}" if label else name
        assert key not in samples
        samples[key] = float(number)
    return samples


@pytest.fixture
def metrics_client(settings: dict[str, Any]) -> FlaskClient:
    """A client of an app with a metrics token."""
    return create_app({**settings, "METRICS_TOKEN": TOKEN}).test_client()


def test_metrics_are_off_without_a_token(client: FlaskClient) -> None:
    """Without MODERATO_METRICS_TOKEN, /metrics does not exist (404, the usual error shape)."""
    rv = client.get("/metrics", headers=AUTH)
    assert rv.status_code == 404
    assert rv.get_json()["error"]["code"] == "not_found"


def test_metrics_ask_for_the_bearer_token(metrics_client: FlaskClient) -> None:
    """No token, a wrong one or another scheme: 401 with a Bearer challenge, no numbers."""
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        rv = metrics_client.get("/metrics", headers=headers)
        assert rv.status_code == 401, headers
        assert rv.get_json()["error"]["code"] == "unauthorized"
        assert rv.headers["WWW-Authenticate"].startswith("Bearer")
    assert metrics_client.get("/metrics", headers=AUTH).status_code == 200


def test_metrics_report_the_backlog_queues_and_outboxes(
    metrics_client: FlaskClient, db: Database
) -> None:
    """With no worker running: comments by state, the pending backlog and its oldest age,
    the jobs waiting in Redis, no live worker, empty outboxes, both dependencies up."""
    before = scrape(metrics_client)
    assert before["moderato_comments{state=pending}"] == 0
    assert before["moderato_pending_oldest_age_seconds"] == 0
    for i in range(3):
        assert post(metrics_client, text=f"Waiting for a worker, number {i}.").status_code == 202
    stored(db, state=State.HELD)
    got = scrape(metrics_client)
    assert got["moderato_up{dependency=database}"] == 1
    assert got["moderato_up{dependency=redis}"] == 1
    assert got["moderato_comments{state=pending}"] == 3
    assert got["moderato_comments{state=held}"] == 1
    assert got["moderato_comments{state=published}"] == 0
    assert got["moderato_comments{state=rejected}"] == 0
    assert got["moderato_pending_oldest_age_seconds"] >= 0
    assert got["moderato_queue_jobs{queue=moderato}"] == 3
    assert got["moderato_queue_jobs{queue=moderato-webhooks}"] == 0
    assert got["moderato_failed_jobs{queue=moderato}"] == 0
    assert got["moderato_workers"] == 0
    assert got["moderato_webhook_deliveries{status=pending}"] == 0
    assert got["moderato_webhook_deliveries{status=failed}"] == 0
    assert got["moderato_mails{status=pending}"] == 0


def test_metrics_with_redis_down_still_report_the_database(settings: dict[str, Any]) -> None:
    """Redis unreachable: moderato_up{redis} is 0, the database's numbers are still there."""
    app = create_app(
        {**settings, "METRICS_TOKEN": TOKEN, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    )
    got = scrape(app.test_client())
    assert got["moderato_up{dependency=redis}"] == 0
    assert got["moderato_up{dependency=database}"] == 1
    assert "moderato_comments{state=pending}" in got
    assert "moderato_workers" not in got


@pytest.mark.slow
def test_metrics_count_live_workers_and_the_backlog_they_clear(
    metrics_client: FlaskClient, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """Two real workers are counted; they decide the backlog (pending goes to 0, the queue
    empties); one stopped with SIGTERM is no longer counted."""
    post(metrics_client)
    first = start_worker()
    start_worker()
    assert scrape(metrics_client)["moderato_workers"] == 2
    wait_for(lambda: scrape(metrics_client)["moderato_comments{state=pending}"] == 0, timeout=30)
    assert scrape(metrics_client)["moderato_queue_jobs{queue=moderato}"] == 0
    first.send_signal(signal.SIGTERM)
    assert first.wait(30) == 0
    assert scrape(metrics_client)["moderato_workers"] == 1
