"""`moderato web` behind a reverse proxy, over real HTTP: which forwarded headers count,
and HSTS in production."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from service.embedded_redis import free_port
from tests.conftest import worker_env
from tests.helpers import wait_for
from tests.test_settings_startup import BIN

COMMENT = {"thread": "t", "name": "Ada", "email": "ada@example.org", "text": "Hello there."}


@contextmanager
def web(settings: dict[str, Any], tmp_path: Path, **extra: Any) -> Iterator[int]:
    """Run `moderato web` with ``settings`` on a free port; yield the port; stop it."""
    port = free_port()
    env = worker_env({**settings, **extra})
    log = open(tmp_path / "web.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "moderato"), "web", "--port", str(port), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: proc.poll() is not None or _up(port), timeout=60, interval=0.2)
        assert proc.poll() is None, (tmp_path / "web.log").read_text()
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        log.close()


def _up(port: int) -> bool:
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = json.dumps(body) if body is not None else None
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    out = resp.status, dict(resp.getheaders()), resp.read()
    conn.close()
    return out


def test_a_client_x_forwarded_host_never_reaches_location(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    """Behind one proxy (TRUSTED_PROXIES=1) and without PUBLIC_URL, a comment's Location
    follows the Host the proxy passes, never the client's X-Forwarded-Host (which a proxy
    that does not set it passes on: `evil.example` went into Location; found in review).
    X-Forwarded-Proto from the proxy still counts."""
    with web(settings, tmp_path, TRUSTED_PROXIES=1) as port:
        status, headers, _ = request(
            port, "POST", "/api/v1/comments", COMMENT,
            {"Host": "comments.example", "X-Forwarded-Host": "evil.example",
             "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )  # fmt: skip
    assert status == 202
    assert headers["Location"].startswith("https://comments.example/api/v1/comments/")


def test_production_behind_https_sends_hsts(settings: dict[str, Any], tmp_path: Path) -> None:
    """MODERATO_ENV=production with an https PUBLIC_URL: every answer carries
    Strict-Transport-Security; a development server sends none."""
    # outside the suite's own environment the sweep's age must exceed the job timeout
    prod = {"ENV": "production", "PUBLIC_URL": "https://comments.example", "SWEEP_AGE": 60}
    with web(settings, tmp_path, **prod) as port:
        _, headers, _ = request(port, "GET", "/healthz")
        _, posted, _ = request(port, "POST", "/api/v1/comments", COMMENT)
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert posted["Strict-Transport-Security"] == "max-age=31536000"
    with web(settings, tmp_path, ENV="development", SWEEP_AGE=60) as port:
        _, headers, _ = request(port, "GET", "/healthz")
    assert "Strict-Transport-Security" not in headers


def test_the_access_log_and_the_apps_lines_carry_the_request_id(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    """Under gunicorn (`moderato web`), the access log line ends with the id answered (the
    caller's, or one made for a request without a safe one), and so does the line moderato
    logs while handling the request: here the warning that Redis (not running) could not
    take the comment's job."""
    with web(settings, tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0") as port:
        status, headers, _ = request(
            port, "POST", "/api/v1/comments", COMMENT, {"X-Request-Id": "edge-4b1c"}
        )
        _, unsafe, _ = request(port, "GET", "/healthz", headers={"X-Request-Id": "a b"})
        wait_for(lambda: "GET /healthz" in (tmp_path / "web.log").read_text(), timeout=10)
    assert status == 202 and headers["X-Request-Id"] == "edge-4b1c"
    lines = (tmp_path / "web.log").read_text().splitlines()
    access = [line for line in lines if '"POST /api/v1/comments HTTP/1.1" 202' in line]
    assert len(access) == 1 and access[0].endswith(" edge-4b1c"), lines
    [warning] = [line for line in lines if "not queued: Redis failed" in line]
    assert warning.endswith(" request_id=edge-4b1c"), warning
    assert len(unsafe["X-Request-Id"]) == 32  # made here: "a b" is not repeated
    health = [line for line in lines if '"GET /healthz HTTP/1.1" 200' in line]
    assert health[-1].endswith(" " + unsafe["X-Request-Id"]), lines
