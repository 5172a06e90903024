"""A request's id follows its comment into the worker: the line a real worker process logs
when it decides the comment ends with the id the API answered (real Redis, real models)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import payload, post
from tests.helpers import wait_for

pytestmark = pytest.mark.slow


def _decided_line(log: Path, comment_id: str) -> str | None:
    """Return the worker's line about ``comment_id``'s decision, once written."""
    for line in log.read_text(errors="replace").splitlines():
        if f"worker.jobs: comment {comment_id}: published" in line:
            return line
    return None


def test_the_workers_line_for_a_comment_carries_its_request_id(
    client: FlaskClient, start_worker: Callable[..., Any], tmp_path: Path
) -> None:
    """A comment posted with `X-Request-Id: trace-7f3a` is logged by the worker with
    `request_id=trace-7f3a`; one posted without gets the id the API made and answered."""
    start_worker()
    sent = client.post(
        "/api/v1/comments", json=payload(thread="ids"), headers={"X-Request-Id": "trace-7f3a"}
    )
    made = post(client, thread="ids", text="Another thoughtful remark, thank you.")
    assert sent.status_code == made.status_code == 202
    assert sent.headers["X-Request-Id"] == "trace-7f3a"
    generated = made.headers["X-Request-Id"]
    log = tmp_path / "worker-0.log"
    for answer, rid in ((sent, "trace-7f3a"), (made, generated)):
        comment_id = answer.get_json()["id"]
        line = wait_for(lambda cid=comment_id: _decided_line(log, cid), timeout=20)
        assert line.endswith(f" request_id={rid}"), line
