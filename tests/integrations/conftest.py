"""Fixtures for the integration tests: a second site with keys of chosen scopes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from service import sites as site_ops
from service.cli import main
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.conftest import worker_env
from tests.integrations.receiver import Receiver


@dataclass(frozen=True)
class SiteKeys:
    """A site's slug and id, with a token for each requested key."""

    slug: str
    site_id: int
    tokens: dict[str, str]


@pytest.fixture
def make_site(db: Database) -> Callable[..., SiteKeys]:
    """Create a site and one key per scope set given (``name=scopes``)."""

    def make(
        name: str = "News Example", settings: dict[str, object] | None = None, **keys: Sequence[str]
    ) -> SiteKeys:
        with db.session() as session:
            created = site_ops.create(session, name, ["https://news.example"], scopes=("submit",))
            created.site.settings = dict(settings or {})
            tokens = {"first": created.api_key}
            for key_name, scopes in keys.items():
                tokens[key_name] = site_ops.add_key(
                    session, created.site, name=key_name, scopes=scopes
                )
            return SiteKeys(created.site.slug, created.site.id, tokens)

    return make


def bearer(token: str) -> dict[str, str]:
    """Return the Authorization header for a key."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real webhook receiver on a free port of 127.0.0.1."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test app over real HTTP on a free port of 127.0.0.1."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def moderato(settings: dict[str, Any]) -> Any:
    """Run a ``moderato`` subcommand in-process against the test database; return its result."""
    runner = CliRunner()
    env = worker_env({**settings, "WEBHOOKS_ALLOW_PRIVATE": True})

    def run(*args: str) -> Any:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result

    return run
