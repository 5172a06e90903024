"""Receiver URLs in the logs: a token in a webhook URL (its query string, or its path as
Slack's and Discord's carry it) reaches the receiver, the database and its owner, but no
log line (ours, httpx's or httpcore's), from real deliveries to a real receiver on
127.0.0.1; the worker's line names the endpoint by its id and shows scheme://host[:port]."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import sites as site_ops
from service.extensions import queue
from service.integrations.redact import redact_url, redact_urls
from service.integrations.webhooks import create_endpoint, disable
from service.store import Database
from service.store.tables import WebhookDelivery, WebhookEndpoint
from tests.factories import post, stored
from tests.helpers import wait_for
from tests.integrations.receiver import Receiver
from worker.webhooks.delivery import attempt_delivery
from worker.webhooks.sending import delivery_client

TOKEN = "tok-5ecret-in-the-query"
#: Where Slack's incoming webhooks and Discord's put their secret: in the path.
SLACK_PATH = "/services/T0001/B0002/XXXXslack5ecret"
DISCORD_PATH = "/api/webhooks/123456789012345678/discord-5ecret-token"


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Return the log lines this process wrote, but the test receiver's own access log."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")


def origin(receiver: Receiver) -> str:
    """Return the receiver's ``scheme://host:port``, as a log line shows it."""
    return receiver.url.removesuffix("/hooks")


def subscribe(db: Database, url: str) -> int:
    """Subscribe ``url`` to comment.received for the default site; return the endpoint's id."""
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        created = create_endpoint(session, site, url, ["comment.received"], allow_private=True)
        return created.endpoint.id


def new_delivery(db: Database) -> str:
    """Store a comment, which writes a delivery to the outbox; return its id."""
    stored(db)
    with db.session() as session:
        found = session.scalars(
            select(WebhookDelivery.id).order_by(WebhookDelivery.created_at.desc())
        ).first()
        assert found is not None
        return found


def deliver(app: Flask, db: Database, delivery_id: str) -> str:
    """Make one real attempt: the worker's code and HTTP client, the real Redis queue."""
    with app.app_context(), delivery_client(allow_private=True) as client:
        return attempt_delivery(
            db,
            delivery_id,
            client=client,
            config={**app.config, "WEBHOOKS_ALLOW_PRIVATE": True},
            scheduler=queue(),
        )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example/in?token=abc", "https://hooks.example/…"),
        ("https://user:pw@hooks.example:8443/in?t=1#frag", "https://hooks.example:8443/…"),
        ("http://[2001:db8::1]:8080/hooks", "http://[2001:db8::1]:8080/…"),
        ("https://hooks.example/in", "https://hooks.example/…"),
        (f"https://hooks.slack.com{SLACK_PATH}", "https://hooks.slack.com/…"),
        (f"https://discord.com{DISCORD_PATH}", "https://discord.com/…"),
        ("https://hooks.example/?token=abc", "https://hooks.example/…"),
        ("https://hooks.example#frag", "https://hooks.example/…"),
        ("https://hooks.example/", "https://hooks.example/"),
        ("https://hooks.example", "https://hooks.example"),
        ("http://[::1/in?token=abc", "(an unparsable URL)"),
    ],
)
def test_redact_url_keeps_scheme_host_and_port_only(url: str, shown: str) -> None:
    """A URL in a log line keeps its scheme, host and port; whatever follows (path, query,
    fragment) is elided as ``/…`` and the user and password dropped; a URL that does not
    parse shows nothing."""
    assert redact_url(url) == shown


def test_redact_urls_redacts_the_urls_inside_a_message() -> None:
    """Every URL quoted in a message (a redirect's Location, absolute or relative) is
    redacted, the rest kept."""
    said = "HTTP 302 to https://u:***@new.example/in?sig=abc (redirects are not followed)"
    assert redact_urls(said) == "HTTP 302 to https://new.example/… (redirects are not followed)"
    said = f"HTTP 301 to {SLACK_PATH} (redirects are not followed)"
    assert redact_urls(said) == "HTTP 301 to /… (redirects are not followed)"
    said = f"HTTP 307 to //other.example{DISCORD_PATH} (redirects are not followed)"
    assert redact_urls(said) == "HTTP 307 to //other.example/… (redirects are not followed)"


def test_a_delivery_logs_its_endpoint_id_and_host_without_the_query(
    app: Flask, db: Database, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """The receiver gets its URL whole, token included, and the endpoint keeps it; the
    worker's line names the endpoint by its id and shows its host, not its path or query,
    and httpx's own "HTTP Request: POST <url>" line (INFO) and httpcore's traces (DEBUG)
    are not emitted, even at DEBUG."""
    url = f"{receiver.url}?token={TOKEN}"
    endpoint_id = subscribe(db, url)
    delivery_id = new_delivery(db)
    caplog.set_level(logging.DEBUG)

    assert deliver(app, db, delivery_id) == "delivered"

    assert [got.path for got in receiver.received] == [f"/hooks?token={TOKEN}"]
    with db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None and endpoint.url == url
    assert TOKEN not in logged(caplog)
    shown = f"endpoint {endpoint_id} at {origin(receiver)}/…"
    assert f"delivery {delivery_id} to {shown}: delivered (ok)" in logged(caplog)
    assert not [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]


@pytest.mark.parametrize("path", [SLACK_PATH, DISCORD_PATH], ids=["slack", "discord"])
def test_a_secret_in_the_path_stays_out_of_the_log(
    app: Flask, db: Database, receiver: Receiver, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    """A receiver that takes its secret in the path (Slack's incoming webhooks, Discord's)
    gets the path whole; no log line holds the path or any part of it after the host, and
    a retry's line, a relative redirect's and a paused delivery's name the endpoint too."""
    secret = path.rsplit("/", 1)[1]
    endpoint_id = subscribe(db, origin(receiver) + path)
    receiver.answer((503, {}), (302, {"Location": path + "/moved"}))
    caplog.set_level(logging.DEBUG)
    shown = f"endpoint {endpoint_id} at {origin(receiver)}/…"

    first, second, paused = new_delivery(db), new_delivery(db), new_delivery(db)
    assert deliver(app, db, first) == "retry"
    assert deliver(app, db, second) == "failed"
    with db.session() as session:  # the third was queued, then its endpoint disabled
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        disable(endpoint, "disabled by an admin")
    assert deliver(app, db, paused) == "paused"

    assert [got.path.rstrip("?") for got in receiver.received] == [path, path]
    text = logged(caplog)
    assert secret not in text and path not in text
    assert path.rsplit("/", 2)[1] not in text  # Slack's B… and Discord's id: the path, not a host
    assert f"delivery {first} to {shown}: retry (HTTP 503)" in text
    assert f"delivery {second} to {shown}: failed (HTTP 302 to /… (redirects" in text
    assert f"delivery {paused} to {shown}: paused" in text


def test_a_redirect_and_a_paused_delivery_log_no_query_either(
    app: Flask, db: Database, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """A 302's Location is quoted in the delivery's error: whole in the database (its
    owner sets the endpoint's URL to it), redacted in the log line; a delivery whose
    endpoint was disabled after it was queued is paused, and logs its URL redacted too."""
    elsewhere = "https://new.example/hooks?sig=location-5ecret"
    endpoint_id = subscribe(db, f"{receiver.url}?token={TOKEN}")
    receiver.answer((302, {"Location": elsewhere}))
    delivery_id = new_delivery(db)
    caplog.set_level(logging.DEBUG)

    assert deliver(app, db, delivery_id) == "failed"

    with db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None and elsewhere in (delivery.last_error or "")
    assert "location-5ecret" not in logged(caplog)
    assert "HTTP 302 to https://new.example/… (redirects are not followed" in logged(caplog)

    paused_id = new_delivery(db)  # queued, then its endpoint is disabled before it is sent
    with db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        disable(endpoint, "disabled by an admin")
    assert deliver(app, db, paused_id) == "paused"
    shown = f"endpoint {endpoint_id} at {origin(receiver)}/…"
    assert f"delivery {paused_id} to {shown}: paused" in logged(caplog)
    assert TOKEN not in logged(caplog)


@pytest.mark.parametrize(
    "location",
    ["moved/loc-5ecret", "?token=loc-5ecret", "loc-5ecret", "https:/new.example/loc-5ecret"],
    ids=["path-relative", "query-only", "bare", "one-slash"],
)
def test_a_redirect_to_a_reference_without_a_leading_slash_is_redacted_too(
    app: Flask, db: Database, receiver: Receiver, caplog: pytest.LogCaptureFixture, location: str
) -> None:
    """A Location relative to the endpoint's path or query (``moved/<secret>``,
    ``?token=<secret>``), which the URL pattern did not take for a reference, is kept
    whole in the delivery's error but shown as ``/…`` in the log line like any other."""
    endpoint_id = subscribe(db, receiver.url)
    receiver.answer((302, {"Location": location}))
    delivery_id = new_delivery(db)
    caplog.set_level(logging.DEBUG)

    assert deliver(app, db, delivery_id) == "failed"

    with db.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None and "loc-5ecret" in (delivery.last_error or "")
    text = logged(caplog)
    assert "loc-5ecret" not in text
    shown = f"endpoint {endpoint_id} at {origin(receiver)}/…"
    assert f"delivery {delivery_id} to {shown}: failed (HTTP 302 to " in text


@pytest.mark.slow
def test_a_worker_process_logs_no_receiver_token(
    client: FlaskClient,
    db: Database,
    receiver: Receiver,
    start_worker: Callable[..., Any],
    tmp_path: Any,
) -> None:
    """A real worker process, at LOG_LEVEL=DEBUG, delivers to the URL with its token and
    writes no line that holds it (its logging is set up by the app factory)."""
    subscribe(db, f"{receiver.url}?token={TOKEN}")
    start_worker(extra={"WEBHOOKS_ALLOW_PRIVATE": True, "LOG_LEVEL": "DEBUG"})
    assert post(client, thread="logs").status_code == 202
    wait_for(lambda: any(TOKEN in got.path for got in receiver.received), timeout=30)
    log_file = tmp_path / "worker-0.log"
    wait_for(lambda: f"at {origin(receiver)}/…: delivered" in log_file.read_text(), timeout=10)
    assert TOKEN not in log_file.read_text()
