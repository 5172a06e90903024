"""``moderato keys …`` and ``moderato webhooks …`` on the test database."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from service import config
from service import sites as site_ops
from service.cli import main
from service.config import REDIS_URL_FILE
from service.embedded_redis import free_port
from service.integrations.webhooks import create_endpoint
from service.store import Database
from service.store.tables import AuditEntry, WebhookDelivery, WebhookEndpoint
from tests.conftest import worker_env
from tests.factories import payload, stored
from tests.integrations.conftest import bearer


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


def test_keys_roll_and_expiry(moderato: Any, client: FlaskClient, db: Database) -> None:
    """`keys roll` prints a new key with the old one's scopes; both work during the grace,
    `list` shows the old one's end; `--grace-hours 0` ends it at once; `create
    --expires-in-days` prints the end."""
    created = moderato("keys", "create", "--site", "default", "--scope", "submit", "--json")
    old = json.loads(created.output)["api_key"]
    prefix = old.split("_")[1]
    rolled = moderato("keys", "roll", "--site", "default", prefix, "--json")
    assert rolled.exit_code == 0, rolled.output
    answer = json.loads(rolled.output)
    assert answer["replaces"] == prefix and answer["old_key_ends"]
    new = answer["api_key"]
    for token in (old, new):
        assert (
            client.post("/api/v1/comments", json=payload(), headers=bearer(token)).status_code
            == 202
        )
    listed = moderato("keys", "list", "--site", "default").output
    assert f"{prefix} " in listed and "active until" in listed
    twice = moderato("keys", "roll", "--site", "default", prefix)
    assert twice.exit_code != 0 and f"already rolled to {new.split('_')[1]!r}" in twice.output
    now = moderato("keys", "roll", "--site", "default", new.split("_")[1], "--grace-hours", "0",
                   "--expires-in-days", "30", "--json")  # fmt: skip
    assert now.exit_code == 0 and json.loads(now.output)["expires_at"] is not None
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(new)).status_code == 401
    assert moderato("keys", "roll", "--site", "default", "nosuchprefix").exit_code != 0
    expiring = moderato("keys", "create", "--site", "default", "--expires-in-days", "1", "--json")
    short = json.loads(expiring.output)
    rolled = json.loads(
        moderato(
            "keys",
            "roll",
            "--site",
            "default",
            short["api_key"].split("_")[1],
            "--grace-hours",
            "48",
            "--json",
        ).output
    )
    assert rolled["old_key_ends"] == short["expires_at"]  # its own end, not in 48 hours
    with db.session() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "cli")))
    assert actions.count("key_created") == 2 and actions.count("key_rolled") == 3


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


def test_every_event_and_a_named_one_are_refused_together(db: Database, moderato: Any) -> None:
    """``--event '*' --event comment.held`` subscribed to every event, the named one ignored
    without a word; ``add`` and ``update`` now refuse it, saying why, and change nothing."""
    url = ("--url", "http://127.0.0.1:9/h")
    both = ("--event", "*", "--event", "comment.held")
    added = moderato("webhooks", "add", "--site", "default", *url, *both)
    assert added.exit_code == 2 and "--event '*' means every event" in added.output
    made = moderato("webhooks", "add", "--site", "default", *url, "--event", "comment.held")
    assert made.exit_code == 0
    with db.session() as session:
        [endpoint] = session.scalars(select(WebhookEndpoint)).all()
    updated = moderato("webhooks", "update", str(endpoint.id), *both)
    assert updated.exit_code == 2 and "give it alone" in updated.output
    with db.session() as session:
        assert session.get(WebhookEndpoint, endpoint.id).events == ["comment.held"]  # type: ignore[union-attr]


def test_webhooks_add_refuses_private_targets_by_default(settings: dict[str, Any]) -> None:
    """Without WEBHOOKS_ALLOW_PRIVATE, a loopback URL is refused at creation (SSRF guard)."""
    result = CliRunner().invoke(
        main,
        ["webhooks", "add", "--site", "default", "--url", "http://127.0.0.1:9/hook"],
        env=worker_env(settings),
    )
    assert result.exit_code != 0
    assert "url: 127.0.0.1 resolves to 127.0.0.1, which is not a public address" in result.output


def test_redeliver_says_when_redis_is_away_and_the_sweep_will_send_it(
    settings: dict[str, Any], db: Database
) -> None:
    """With Redis away, `webhooks redeliver` says the sweep will send it, not "queued"."""
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        create_endpoint(
            session, site, "https://hooks.example/in", ["comment.received"], allow_private=False,
            resolver=lambda h, p: ["93.184.215.14"],
        )  # fmt: skip
    stored(db)
    with db.session() as session:
        delivery = session.scalars(select(WebhookDelivery)).first()
        assert delivery is not None
        delivery_id = delivery.id
    env = worker_env({**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    result = CliRunner().invoke(main, ["webhooks", "redeliver", delivery_id], env=env)
    assert result.exit_code == 0, result.output
    assert "queued" not in result.output
    assert "did not answer" in result.output and "sweep sends it" in result.output
    with db.session() as session:
        again = session.get(WebhookDelivery, delivery_id)
        assert again is not None and again.status == "pending"
        assert again.next_attempt_at is not None


def test_commands_find_the_embedded_redis_of_a_running_instance(tmp_path: Path) -> None:
    """`moderato run` leaves its embedded Redis's URL in the instance folder; other
    commands on that folder use it unless REDIS_URL is set."""
    (tmp_path / REDIS_URL_FILE).write_text("redis://127.0.0.1:45678/0\n")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    with patch.dict(os.environ, env, clear=True):
        assert config.load(str(tmp_path))["REDIS_URL"] == "redis://127.0.0.1:45678/0"
    with patch.dict(os.environ, {**env, "REDIS_URL": "redis://elsewhere:6379/0"}, clear=True):
        assert config.load(str(tmp_path))["REDIS_URL"] == "redis://elsewhere:6379/0"
