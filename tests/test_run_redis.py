"""`moderato run` and its Redis: the embedded server restarted when it dies, and no
password of a given REDIS_URL in the banner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis as redis_lib

from service.embedded_redis import free_port, server_binary
from tests.helpers import wait_for
from tests.test_run_command import _cmdline, _get

pytestmark = pytest.mark.slow


@contextmanager
def moderato_run(tmp_path: Path, **env_vars: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `moderato run` on a free port until it is ready; yield it and its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(MODERATO_INSTANCE_PATH=str(tmp_path / "instance"), PORT=str(port), **env_vars)
    with open(tmp_path / "run.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(
                lambda: _get(f"{base}/readyz")[0] == 200 or proc.poll() is not None,
                timeout=60,
                interval=0.3,
            )
            assert proc.poll() is None, (tmp_path / "run.log").read_text()
            yield proc, base
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)


def _post(base: str, text: str) -> str:
    body = json.dumps(
        {"thread": "redis-restart", "name": "Ada", "email": "ada@example.org", "text": text}
    ).encode()
    req = urllib.request.Request(
        f"{base}/api/v1/comments", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 202
        return str(json.loads(resp.read())["id"])


def _server_pids(redis_port: int) -> list[int]:
    title = f"127.0.0.1:{redis_port}".encode()  # the server's process title
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and title in _cmdline(p) and b"valkey" in _cmdline(p)
    ]


def test_the_embedded_redis_killed_is_restarted_with_its_data(tmp_path: Path) -> None:
    """SIGKILL the embedded Valkey under `moderato run`: the runner reaps it (no zombie),
    says so in one line, starts it again on the same port with the same append-only file
    (a key written before survives), /readyz is 200 again and a comment posted afterwards
    is published. Before, /readyz stayed 503 and comments pending until a restart by hand."""
    with moderato_run(tmp_path) as (proc, base):
        conf = (tmp_path / "instance" / "redis" / "valkey.conf").read_text()
        redis_port = int(conf.split("port ")[1].split()[0])
        conn = redis_lib.Redis(port=redis_port)
        conn.set("moderato:test:kept", "yes")
        wait_for(lambda: b"moderato:test:kept" in _aof(tmp_path), timeout=5)
        [old] = _server_pids(redis_port)
        os.kill(old, signal.SIGKILL)

        log = tmp_path / "run.log"
        wait_for(lambda: "restarted it on port" in log.read_text(), timeout=20)
        assert not Path(f"/proc/{old}").exists(), "the killed server was not reaped"
        [new] = _server_pids(redis_port)
        assert new != old
        wait_for(lambda: _get(f"{base}/readyz")[0] == 200, timeout=20, interval=0.3)
        assert conn.get("moderato:test:kept") == b"yes"

        comment = _post(base, "Posted after Redis came back. A clear and useful article.")
        wait_for(
            lambda: _get(f"{base}/api/v1/comments/{comment}")[1].get("status") == "published",
            timeout=60,
            interval=0.3,
        )
        out = log.read_text()
        assert out.count("the embedded Redis exited (killed by SIGKILL); restarted it") == 1, out
        assert proc.poll() is None


def _aof(tmp_path: Path) -> bytes:
    folder = tmp_path / "instance" / "redis" / "appendonlydir"
    return b"".join(p.read_bytes() for p in folder.glob("*.aof")) if folder.exists() else b""


def test_the_banner_does_not_print_the_redis_password(tmp_path: Path) -> None:
    """A REDIS_URL with a password is printed as redis://:***@host…, never in full (the
    banner printed it as given)."""
    port = free_port()
    server = subprocess.Popen(
        [str(server_binary()), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--requirepass", "s3cret-pass"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
    )  # fmt: skip
    try:
        url = f"redis://:s3cret-pass@127.0.0.1:{port}/0"
        wait_for(lambda: _pings(url), timeout=10)
        with moderato_run(tmp_path, REDIS_URL=url):
            wait_for(lambda: "moderato is running" in (tmp_path / "run.log").read_text())
            out = (tmp_path / "run.log").read_text()
        assert f"redis redis://:***@127.0.0.1:{port}/0)" in out, out
        assert "s3cret-pass" not in out
    finally:
        server.terminate()
        server.wait(10)


def _pings(url: str) -> bool:
    try:
        return bool(redis_lib.from_url(url).ping())
    except redis_lib.RedisError:
        return False
