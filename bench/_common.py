"""Shared set-up for benchmarks: a throw-away instance with a real Valkey and SQLite file."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.embedded_redis import EmbeddedRedis


@contextmanager
def instance(sqlite_synchronous: str = "FULL") -> Iterator[dict[str, str]]:
    """Yield environment settings for a fresh instance (database migrated, Valkey running)."""
    from service.runner import prepare_database

    with tempfile.TemporaryDirectory(prefix="moderato-bench-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis").start()
        env = {
            "MODERATO_INSTANCE_PATH": str(Path(tmp) / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "REDIS_URL": server.url,
            "MODERATO_SQLITE_SYNCHRONOUS": sqlite_synchronous,
            "MODERATO_SECRET_KEY": "bench-" + "0" * 40,  # production wants 32 characters or more
            "MODERATO_ENV": "production",  # as deployed (MODERATO_ENV refuses other values)
            # Load from one client measures throughput, not the per-IP limit on browser posts.
            "MODERATO_ANON_RATE_PER_MINUTE": "100000000",
            "MODERATO_ANON_RATE_BURST": "100000000",
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            prepare_database()
            yield env
        finally:
            server.stop()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def median(values: list[float]) -> float:
    """Return the median."""
    return statistics.median(values)
