"""End to end through a real worker process: submit, store, queue, classify, publish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import SPAM, post
from tests.helpers import wait_for

pytestmark = pytest.mark.slow


def _status(client: FlaskClient, comment_id: str) -> str:
    return str(client.get(f"/api/v1/comments/{comment_id}").get_json()["status"])


def test_benign_comment_is_published_and_listed_within_5s(
    client: FlaskClient, start_worker: Callable[..., Any]
) -> None:
    """A benign comment posted to the API is published and listed in its thread within 5 s."""
    start_worker()
    rv = post(client, thread="pipeline-benign")
    assert rv.status_code == 202
    comment_id = rv.get_json()["id"]

    def listed() -> bool:
        items = client.get("/api/v1/comments?thread=pipeline-benign").get_json()["items"]
        return any(item["id"] == comment_id for item in items)

    wait_for(listed, timeout=5)
    assert _status(client, comment_id) == "published"


def test_obvious_spam_is_not_published(
    client: FlaskClient, start_worker: Callable[..., Any]
) -> None:
    """An obvious spam comment ends held or rejected, and never appears in its thread."""
    start_worker()
    comment_id = post(
        client, thread="pipeline-spam", text=SPAM, name="Best Casino Bonus"
    ).get_json()["id"]
    status = wait_for(lambda: (s := _status(client, comment_id)) != "pending" and s, timeout=10)
    assert status in ("held", "rejected")
    items = client.get("/api/v1/comments?thread=pipeline-spam").get_json()["items"]
    assert items == []


def test_sigterm_stops_an_idle_worker_cleanly(start_worker: Callable[..., Any]) -> None:
    """SIGTERM makes an idle worker exit with status 0 rather than restart its loop."""
    import signal

    proc = start_worker()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
