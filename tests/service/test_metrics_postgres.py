"""GET /metrics on PostgreSQL: the same two queries, the same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from service import create_app
from service import sites as site_ops
from service.status import State
from service.store import Database
from service.store.migrate import upgrade
from tests.factories import post, stored
from tests.postgres import TempPostgres, find_bindir
from tests.service.test_metrics import TOKEN, scrape

BINDIR = find_bindir()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BINDIR is None, reason="PostgreSQL server binaries not installed"),
]


@pytest.fixture
def database_url() -> Iterator[str]:
    """A migrated PostgreSQL database with the default site, on a server of its own."""
    assert BINDIR is not None
    server = TempPostgres(BINDIR).start()
    url = server.create_database("metrics")
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        site_ops.ensure_default(session)
    database.dispose()
    yield url
    server.stop()


def test_metrics_read_postgres(settings: dict[str, Any], db: Database) -> None:
    """Comments by state, the oldest pending age and the outboxes come out of PostgreSQL."""
    app = create_app({**settings, "METRICS_TOKEN": TOKEN})
    client = app.test_client()
    post(client)
    stored(db, state=State.REJECTED)
    got = scrape(client)
    app.extensions["moderato.db"].dispose()
    assert got["moderato_up{dependency=database}"] == 1
    assert got["moderato_comments{state=pending}"] == 1
    assert got["moderato_comments{state=rejected}"] == 1
    assert got["moderato_pending_oldest_age_seconds"] >= 0
    assert got["moderato_webhook_deliveries{status=pending}"] == 0
