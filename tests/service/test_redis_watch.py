"""The runner's watch over its embedded Valkey, on a real server: restarted when killed,
retried with a backoff while it cannot start."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import redis as redis_lib

from service.embedded_redis import EmbeddedRedis, RedisWatch
from tests.helpers import wait_for

pytestmark = pytest.mark.slow


def _watch_until(watch: RedisWatch, predicate: object, timeout: float) -> None:
    def step() -> bool:
        watch.check()
        return bool(predicate())  # type: ignore[operator]

    wait_for(step, timeout=timeout, interval=0.1)


def test_a_killed_server_is_reaped_and_restarted_on_its_port_with_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGKILL: one line, the same port, the key written a second before still there; while
    the port is taken the watch says so and tries again later, then starts it."""
    server = EmbeddedRedis(tmp_path / "redis").start()
    try:
        watch = RedisWatch(server)
        conn = redis_lib.Redis(port=server.port)
        conn.set("kept", "1")
        time.sleep(1.2)  # appendfsync everysec
        assert server.process is not None
        first = server.process.pid
        server.process.kill()
        _watch_until(watch, lambda: "restarted it on port" in capsys.readouterr().err, 15)
        assert server.process.pid != first and server.exit_status() is None
        assert not Path(f"/proc/{first}").exists()
        assert conn.get("kept") == b"1"

        # Killed again at once (a second death within a minute of its start), with its port
        # taken meanwhile: the watch waits 4 s, cannot start it, says so in one line, and
        # waits 8 s more; then it starts it on the port, now free.
        server.process.kill()
        server.process.wait(5)
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
            squatter.bind(("127.0.0.1", server.port))
            squatter.listen()
            died = time.monotonic()
            _watch_until(watch, lambda: watch.failures == 3, 30)
            assert time.monotonic() - died >= 4
        err = capsys.readouterr().err
        assert err.count("did not start again") == 1 and "trying again in 8 s" in err, err
        _watch_until(watch, lambda: not watch.down, 30)
        assert conn.get("kept") == b"1"
    finally:
        server.stop()
