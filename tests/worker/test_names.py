"""Worker names: a worker killed with SIGKILL does not keep its successor from starting."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from rq import Worker

from tests.conftest import ROOT, worker_env
from tests.helpers import wait_for

pytestmark = pytest.mark.slow


def _names(redis_url: str) -> set[str]:
    return {w.name for w in Worker.all(connection=redis_lib.from_url(redis_url))}


def test_a_worker_restarted_after_sigkill_with_the_same_name_starts(
    settings: dict[str, Any], start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """`--name X`, SIGKILL, `--name X` again: the second takes over the dead one's registration
    (RQ refused it with a ValueError traceback, and the worker crash-looped until the stale
    registration expired, ~8 minutes)."""
    first = start_worker("--name", "restarted", "--no-sweep")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert _names(settings["REDIS_URL"]) == {"restarted"}  # the dead one's, still there
    second = start_worker("--name", "restarted", "--no-sweep")
    assert second.poll() is None
    assert _names(settings["REDIS_URL"]) == {"restarted"}
    [worker] = Worker.all(connection=redis_lib.from_url(settings["REDIS_URL"]))
    assert worker.pid == second.pid


def test_default_names_differ_from_start_to_start(
    settings: dict[str, Any], start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """Without --name, each start gets a name of its own (hostname.pid.<random>), so a
    container that is PID 1 on the same hostname after a restart never meets its
    predecessor's registration."""
    first = start_worker("--no-sweep")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    [dead] = _names(settings["REDIS_URL"])
    start_worker("--no-sweep")
    names = _names(settings["REDIS_URL"])
    assert len(names) == 2 and dead in names
    host, pid, suffix = (names - {dead}).pop().rsplit(".", 2)
    assert host == socket.gethostname() and pid.isdigit() and len(suffix) == 6


def test_a_name_held_by_a_live_worker_is_refused_in_one_line(
    settings: dict[str, Any], start_worker: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """A second worker given the name of a running one exits with status 1 and one line
    saying why, not a traceback; the running one keeps its registration."""
    live = start_worker("--name", "taken", "--no-sweep")
    second = subprocess.run(
        [sys.executable, "-m", "worker", "--name", "taken", "--no-sweep"],
        env=worker_env(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1, second.stderr
    assert "Traceback" not in second.stderr + second.stdout
    errors = [line for line in second.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "worker name 'taken' is registered by" in errors[0], errors
    assert live.poll() is None
    wait_for(lambda: _names(settings["REDIS_URL"]) == {"taken"}, timeout=5)
    [worker] = Worker.all(connection=redis_lib.from_url(settings["REDIS_URL"]))
    assert worker.pid == live.pid


def test_a_dead_workers_registration_lasts_90_seconds_at_most(
    settings: dict[str, Any], start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """Idle workers heartbeat every 15 s and their registration expires 90 s after the last
    one, so a SIGKILLed worker stops counting as live (/metrics) within 90 s; RQ's default
    kept it 480 s."""
    start_worker("--name", "short-lived", "--no-sweep")
    ttl = redis_lib.from_url(settings["REDIS_URL"]).ttl("rq:worker:short-lived")
    assert 0 < ttl <= 90
