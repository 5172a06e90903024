"""The app's connections, created once per process and reached through small accessors."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis

from service.enqueue import RQJobQueue, connect
from service.store import Database


def init_app(app: Flask) -> None:
    """Create the database and queue connections for ``app``."""
    cfg = app.config
    synchronous = cfg[
        "WORKER_SQLITE_SYNCHRONOUS" if cfg["PROCESS_ROLE"] == "worker" else "SQLITE_SYNCHRONOUS"
    ]
    app.extensions["moderato.db"] = Database(cfg["DATABASE_URL"], sqlite_synchronous=synchronous)
    conn = connect(cfg["REDIS_URL"], cfg["REDIS_SOCKET_TIMEOUT"])
    app.extensions["moderato.redis"] = conn
    app.extensions["moderato.queue"] = RQJobQueue(
        conn,
        cfg["QUEUE_NAME"],
        cfg["CLASSIFY_RETRY_INTERVALS"],
        cfg["CLASSIFY_JOB_TIMEOUT"],
    )


def db() -> Database:
    """Return the current app's database."""
    return current_app.extensions["moderato.db"]


def redis_conn() -> Redis:
    """Return the current app's Redis connection."""
    return current_app.extensions["moderato.redis"]


def queue() -> RQJobQueue:
    """Return the current app's job queue."""
    return current_app.extensions["moderato.queue"]
