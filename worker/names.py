"""Worker names: unique per start, and what to do when a given ``--name`` is registered.

RQ refuses to register a worker whose name has a live-looking registration in Redis
(``register_birth`` raises ``ValueError``), and a registration outlives a worker killed
with SIGKILL for up to ``worker_ttl + 60`` seconds. Under Docker Compose a restarted
worker is PID 1 again on the same hostname, so ``hostname.pid`` named it like the dead
one and the container crash-looped for minutes (found in review).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import UTC, datetime

from redis import Redis
from rq.worker_registration import REDIS_WORKER_KEYS, WORKERS_BY_QUEUE_KEY

log = logging.getLogger("worker")


class NameInUse(RuntimeError):
    """A worker that may be alive holds the name asked for."""


def default_name() -> str:
    """Return ``hostname.pid.<6 random hex>``: readable, and never the name of a former process."""
    return f"{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(3)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def claim(connection: Redis, name: str, queues: list[str]) -> None:
    """Make ``name`` free for this process, or raise :class:`NameInUse`.

    A registration left by a process of this host that is gone (or whose pid is now ours:
    a restarted container's PID 1) is removed, with one line saying so. One from another
    host, or from a process still running here, may be a live worker: refused.
    """
    key = f"rq:worker:{name}"
    raw: dict[bytes | str, bytes | str] = connection.hgetall(key)
    fields = {_text(k): _text(v) for k, v in raw.items()}
    if not fields or "death" in fields:
        return
    pid = int(fields.get("pid") or 0)
    host = fields.get("hostname", "?")
    beat = fields.get("last_heartbeat", "")
    age = _age(beat)
    ours = host == socket.gethostname() and (pid == os.getpid() or not _pid_alive(pid))
    if not ours:
        raise NameInUse(
            f"worker name {name!r} is registered by a worker on host {host} (pid {pid}, last "
            f"heartbeat {age}); give each worker its own --name, or leave --name out (a unique "
            f"name is generated). A dead worker's registration expires within "
            f"{connection.ttl(key)} s"
        )
    log.warning(
        "worker name %r was left registered by pid %d of this host, which is gone (last "
        "heartbeat %s); taking it over",
        name,
        pid,
        age,
    )
    with connection.pipeline() as pipe:
        pipe.srem(REDIS_WORKER_KEYS, key)
        for queue in queues:
            pipe.srem(WORKERS_BY_QUEUE_KEY % queue, key)
        pipe.delete(key)
        pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _age(stamp: str) -> str:
    """Return how long ago an RQ timestamp was, for a log line."""
    try:
        then = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return "unknown"
    return f"{(datetime.now(UTC) - then).total_seconds():.0f} s ago"
