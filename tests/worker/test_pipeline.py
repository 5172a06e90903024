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


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.5])
def test_sigterm_stops_an_idle_worker_cleanly(
    start_worker: Callable[..., Any], delay: float
) -> None:
    """SIGTERM makes an idle worker exit with status 0 rather than restart its loop.

    ``start_worker`` returns as soon as the worker is registered in Redis, which
    RQ does before installing its own signal handlers: a delay of 0 lands the
    signal in that gap (CI once saw exit status -15 there).
    """
    import signal
    import time

    proc = start_worker()
    time.sleep(delay)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0


def test_sigterm_while_the_models_load_stops_the_worker_cleanly(
    settings: dict[str, Any], tmp_path: Any
) -> None:
    """A SIGTERM that arrives before the worker is up (models loading) still exits with 0."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ROOT, worker_env

    proc = subprocess.Popen(
        [sys.executable, "-m", "worker"],
        env=worker_env(settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def catches_sigterm() -> bool:
        # /proc/PID/status SigCgt: the signals the process has handlers for.
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
        return False

    try:
        wait_for(catches_sigterm, timeout=30, interval=0.005)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_stop_signalled_before_rq_installs_its_handlers_ends_the_loop(redis_url: str) -> None:
    """The gap behind CI's exit status -15, made deterministic in-process.

    The signal is noted by moderato's handler before RQ's exist; the work loop
    must then stop on request at once, not wait for jobs until it idles out.
    """
    import signal

    import redis as redis_lib

    from worker.__main__ import Worker, stop_requested

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    stop_requested.set()
    conn = redis_lib.from_url(redis_url)
    try:
        worker = Worker(["sigterm-gap"], connection=conn)
        worked = worker.work(max_idle_time=5, logging_level="WARNING")
        assert worked is False
        assert worker._stop_requested is True  # stopped on request, not by idling out
    finally:
        conn.close()
        stop_requested.clear()
        for sig, handler in saved.items():
            signal.signal(sig, handler)
