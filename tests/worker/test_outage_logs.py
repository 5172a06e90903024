"""A worker's sweep through a real PostgreSQL outage: one line when it starts, one when it
ends, no traceback every interval."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace
from typing import Any

import pytest
import redis as redis_lib

from service import create_app
from service.extensions import queue
from service.store.migrate import upgrade
from tests.helpers import wait_for
from tests.postgres import TempPostgres, find_bindir
from worker.sweep.loop import Sweeper

BINDIR = find_bindir()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BINDIR is None, reason="PostgreSQL server binaries not installed"),
]


def _lines(caplog: pytest.LogCaptureFixture, level: int, words: str) -> int:
    return sum(1 for r in caplog.records if r.levelno == level and words in r.getMessage())


def test_a_database_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    settings: dict[str, Any], redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL stopped under a worker sweeping every 0.2 s: ten sweeps fail, one warning
    says so (it was a traceback per sweep), and one line says the database is back."""
    assert BINDIR is not None
    server = TempPostgres(BINDIR).start()
    sweeper = app = None
    try:
        url = server.create_database("outage")
        upgrade(url)
        app = create_app({**settings, "DATABASE_URL": url, "SWEEP_INTERVAL": 0.2})
        with app.app_context():
            rt = SimpleNamespace(app=app, db=app.extensions["moderato.db"], queue=queue())
        caplog.set_level(logging.INFO, logger="worker.sweep")
        sweeper = Sweeper(rt, redis_lib.from_url(redis_url), owner="outage-test")  # type: ignore[arg-type]
        sweeper.start()
        time.sleep(0.6)  # a few sweeps with the database up
        server.pause()
        time.sleep(2.0)  # ten sweeps' worth of outage
        assert _lines(caplog, logging.WARNING, "the database is unavailable") == 1
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        server.resume()
        wait_for(lambda: _lines(caplog, logging.INFO, "the database is back") == 1, timeout=20)
        time.sleep(0.6)  # more sweeps, now quiet again
        assert _lines(caplog, logging.WARNING, "the database is unavailable") == 1
        assert _lines(caplog, logging.INFO, "the database is back") == 1
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        if sweeper is not None:
            sweeper.stop()
            sweeper.join(5)
        if app is not None:
            app.extensions["moderato.db"].dispose()
        server.stop()
