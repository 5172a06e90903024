"""``moderato keys …`` and ``moderato webhooks …`` on the test database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from service.cli import main
from tests.conftest import worker_env
from tests.factories import payload
from tests.integrations.conftest import bearer


@pytest.fixture
def moderato(settings: dict[str, Any]) -> Any:
    """Run a ``moderato`` subcommand in-process against the test database; return its result."""
    runner = CliRunner()
    env = worker_env({**settings, "WEBHOOKS_ALLOW_PRIVATE": True})

    def run(*args: str) -> Any:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        return result

    return run


def test_keys_create_list_revoke(moderato: Any, client: FlaskClient) -> None:
    """A created key works once printed, is listed by prefix, and stops working when revoked."""
    created = moderato("keys", "create", "--site", "default", "--scope", "submit", "--json")
    assert created.exit_code == 0, created.output
    token = json.loads(created.output)["api_key"]
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(token)).status_code == 202
    prefix = token.split("_")[1]
    listed = moderato("keys", "list", "--site", "default")
    assert prefix in listed.output and "submit" in listed.output and "active" in listed.output
    assert moderato("keys", "revoke", "--site", "default", prefix).exit_code == 0
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(token)).status_code == 401
    again = moderato("keys", "revoke", "--site", "default", prefix)
    assert again.exit_code != 0


def test_webhooks_add_list_rotate_disable(moderato: Any) -> None:
    """An endpoint is added with its secret shown, listed, rotated, and disabled with a reason."""
    added = moderato(
        "webhooks", "add", "--site", "default", "--url", "http://127.0.0.1:9/hook",
        "--event", "comment.published", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    endpoint = json.loads(added.output)
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["events"] == ["comment.published"]
    rotated = moderato("webhooks", "rotate", str(endpoint["id"]))
    assert "whsec_" in rotated.output and endpoint["secret"] not in rotated.output
    assert moderato("webhooks", "disable", str(endpoint["id"])).exit_code == 0
    listed = moderato("webhooks", "list", "--site", "default")
    assert "DISABLED: disabled by an admin" in listed.output


def test_webhooks_add_refuses_unknown_events(moderato: Any) -> None:
    """An unknown event name is refused with the field named."""
    result = moderato(
        "webhooks", "add", "--site", "default", "--url", "http://127.0.0.1:9/h", "--event", "nope"
    )
    assert result.exit_code != 0
    assert "events: unknown events: nope" in result.output


def test_webhooks_add_refuses_private_targets_by_default(settings: dict[str, Any]) -> None:
    """Without WEBHOOKS_ALLOW_PRIVATE, a loopback URL is refused at creation (SSRF guard)."""
    result = CliRunner().invoke(
        main,
        ["webhooks", "add", "--site", "default", "--url", "http://127.0.0.1:9/hook"],
        env=worker_env(settings),
    )
    assert result.exit_code != 0
    assert "url: 127.0.0.1 resolves to 127.0.0.1, which is not a public address" in result.output
