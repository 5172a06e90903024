"""`moderato status`: the backlog, the queues and the live workers, for someone on the box."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from service.embedded_redis import free_port
from tests.conftest import worker_env
from tests.factories import post
from tests.helpers import wait_for
from tests.test_cli import run


def test_status_says_when_comments_wait_with_no_worker_then_when_all_is_well(
    settings: dict[str, Any],
    client: FlaskClient,
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    """A comment waits and no worker runs: status 1 and a line that says so; with a worker
    that decided it: status 0, one live worker, nothing pending."""
    env = worker_env(settings)
    post(client)
    result = run(["status"], env)
    assert result.returncode == 1, result.stderr
    assert "workers    0 live  <- comments wait and no worker runs" in result.stdout
    assert "pending 1" in result.stdout and "moderato 1 waiting, 0 failed" in result.stdout
    facts = json.loads(run(["status", "--json"], env).stdout)
    assert facts["comments"]["pending"] == 1 and facts["workers"] == 0
    assert facts["queued"] == {"moderato": 1, "moderato-webhooks": 0}

    start_worker()
    wait_for(lambda: json.loads(run(["status", "--json"], env).stdout)["comments"]["pending"] == 0,
             timeout=30, interval=0.5)  # fmt: skip
    result = run(["status"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "workers    1 live\n" in result.stdout
    assert "published 1" in result.stdout


def test_status_names_an_unreachable_redis_without_its_password(settings: dict[str, Any]) -> None:
    """Redis unreachable: status 1, "UNREACHABLE", the URL with its password masked."""
    url = f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"
    result = run(["status"], worker_env({**settings, "REDIS_URL": url}))
    assert result.returncode == 1
    assert f"redis      UNREACHABLE (redis://:***@127.0.0.1:{url.rsplit(':', 1)[1]})" in (
        result.stdout
    )
    assert "hunter2-secret" not in result.stdout + result.stderr
    assert "database   ok" in result.stdout
