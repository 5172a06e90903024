"""Integrations admin pages in the dashboard: access, keys shown once, endpoints, delivery log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from sqlalchemy import select
from werkzeug.routing import Rule

from service import sites as site_ops
from service.integrations.webhooks import create_endpoint
from service.store import Database
from service.store.tables import AuditEntry, Site, WebhookDelivery, WebhookEndpoint
from tests.dashboard import logged_in, login, make_user
from tests.factories import payload, stored
from tests.integrations.conftest import bearer

HTML = {"Accept": "text/html"}


def _rules(app: Flask) -> list[Rule]:
    return [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("integrations_admin.") and not r.endpoint.endswith(".static")
    ]


def _url(rule: Rule) -> str:
    values = {
        a: 1 if a.endswith("_id") and a != "delivery_id" else "x" * 22 for a in rule.arguments
    }
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


def _shown_secret(html: str) -> str:
    found = re.search(r'class="secret-value" readonly value="([^"]+)"', html)
    assert found, "no secret shown"
    return found.group(1)


def _default_site_id(db: Database) -> int:
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        return site.id


def test_every_integrations_page_is_closed_without_a_session(
    app: Flask, client: FlaskClient
) -> None:
    """Every route answers 401 JSON to a client without a session, every page redirects a browser."""
    rules = _rules(app)
    assert len(rules) >= 9
    for rule in rules:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rv = client.open(_url(rule), method=method, headers={"Accept": "application/json"})
            assert rv.status_code == 401, (rule.rule, method)
        if "GET" in (rule.methods or set()):
            page = client.get(_url(rule), headers=HTML)
            assert page.status_code == 302
            assert page.headers["Location"].startswith("/moderation/login?next=")


def test_moderators_may_not_open_integrations(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A logged-in moderator gets 403 admin_required on every integrations route."""
    token = logged_in(client, db, "mod@example.org", role="moderator", sites=["default"])
    for rule in _rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rv = client.open(
                _url(rule),
                method=method,
                headers={"Accept": "application/json", "X-CSRF-Token": token},
            )
            assert rv.status_code == 403, (rule.rule, method)
            assert rv.get_json()["error"]["code"] == "admin_required"


def test_changes_need_the_csrf_token(client: FlaskClient, db: Database) -> None:
    """An admin's POST without the CSRF token is refused and creates nothing."""
    logged_in(client, db)
    rv = client.post("/moderation/integrations/sites", data={"name": "Sneaky"})
    assert rv.status_code == 403
    with db.session() as session:
        assert site_ops.by_slug(session, "sneaky") is None


def test_new_site_shows_its_first_key_once(client: FlaskClient, db: Database) -> None:
    """Creating a site shows a working key once; the site page never shows it again."""
    token = logged_in(client, db)
    rv = client.post(
        "/moderation/integrations/sites",
        data={"name": "Daily News", "origins": "https://news.example", "mode": "pre",
              "csrf_token": token},
        headers=HTML,
    )  # fmt: skip
    assert rv.status_code == 200
    key = _shown_secret(rv.get_data(as_text=True))
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(key)).status_code == 202
    with db.session() as session:
        site = site_ops.by_slug(session, "daily-news")
        assert site is not None and site.policy["mode"] == "pre"
        site_id = site.id
    page = client.get(f"/moderation/integrations/sites/{site_id}", headers=HTML)
    assert key not in page.get_data(as_text=True)
    assert key[:16] + "_…" in page.get_data(as_text=True)


def test_new_site_form_reports_bad_fields(client: FlaskClient, db: Database) -> None:
    """A site without a name and with a bad origin is refused with both errors shown (422)."""
    token = logged_in(client, db)
    rv = client.post(
        "/moderation/integrations/sites",
        data={"name": " ", "origins": "ftp://x.example", "csrf_token": token},
        headers=HTML,
    )
    html = rv.get_data(as_text=True)
    assert rv.status_code == 422
    assert "Give the site a name." in html and "Not http(s) origins: ftp://x.example" in html


def test_key_created_revoked_and_audited(client: FlaskClient, db: Database) -> None:
    """A key made on the site page works with its scopes; after Revoke it answers 401."""
    token = logged_in(client, db)
    site_id = _default_site_id(db)
    rv = client.post(
        f"/moderation/integrations/sites/{site_id}/keys",
        data={"name": "CMS", "scopes": ["read", "moderate"], "csrf_token": token},
        headers=HTML,
    )
    key = _shown_secret(rv.get_data(as_text=True))
    no_submit = client.post("/api/v1/comments", json=payload(), headers=bearer(key))
    assert no_submit.status_code == 403
    prefix = key.split("_")[1]
    revoke = client.post(
        f"/moderation/integrations/sites/{site_id}/keys/{prefix}/revoke",
        data={"csrf_token": token},
        headers=HTML,
    )
    assert revoke.status_code == 303
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(key)).status_code == 401
    with db.session() as session:
        actions = set(
            session.scalars(select(AuditEntry.action).where(AuditEntry.site_id == site_id))
        )
    assert {"key_created", "key_revoked"} <= actions


def test_key_rolled_from_the_site_page(client: FlaskClient, db: Database) -> None:
    """Roll shows the new key once; the old one works for the chosen grace (shown in the
    table), and the change is audited; a grace not offered is refused."""
    token = logged_in(client, db)
    site_id = _default_site_id(db)
    rv = client.post(
        f"/moderation/integrations/sites/{site_id}/keys",
        data={"name": "CMS", "scopes": ["submit"], "csrf_token": token},
        headers=HTML,
    )
    old = _shown_secret(rv.get_data(as_text=True))
    prefix = old.split("_")[1]
    url = f"/moderation/integrations/sites/{site_id}/keys/{prefix}/roll"
    refused = client.post(url, data={"grace_hours": "5", "csrf_token": token}, headers=HTML)
    assert refused.status_code == 303
    rolled = client.post(url, data={"grace_hours": "24", "csrf_token": token}, headers=HTML)
    html = rolled.get_data(as_text=True)
    new = _shown_secret(html)
    assert new != old and re.search(r"keeps working until \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)
    assert f"rolled to <code>mod_{new.split('_')[1]}_…</code>" in html
    assert f'aria-label="Roll key {prefix}"' not in html  # rolled once: no second Roll
    assert re.search(rf"mod_{prefix}_…</code></td>.*?active until", html, re.S)
    for key in (old, new):
        assert (
            client.post("/api/v1/comments", json=payload(), headers=bearer(key)).status_code == 202
        )
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "key_rolled")).one()
        assert entry.details["prefix"] == prefix and entry.details["hours"] == 24


def test_key_needs_a_scope(client: FlaskClient, db: Database) -> None:
    """A key without any scope is refused with the field named."""
    token = logged_in(client, db)
    rv = client.post(
        f"/moderation/integrations/sites/{_default_site_id(db)}/keys",
        data={"name": "none", "csrf_token": token},
        headers=HTML,
    )
    assert rv.status_code == 422
    assert "Choose a scope." in rv.get_data(as_text=True)


def test_private_webhook_url_is_refused_by_default(client: FlaskClient, db: Database) -> None:
    """An endpoint on a loopback address is refused (SSRF guard) with the reason on the form."""
    token = logged_in(client, db)
    rv = client.post(
        f"/moderation/integrations/sites/{_default_site_id(db)}/endpoints",
        data={"url": "http://127.0.0.1:8080/hook", "events": ["comment.published"],
              "csrf_token": token},
        headers=HTML,
    )  # fmt: skip
    assert rv.status_code == 422
    assert "not a public address" in rv.get_data(as_text=True)
    with db.session() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


@pytest.fixture
def private_ok(app: Flask) -> None:
    """Allow loopback webhook targets, as development does."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True


def test_endpoint_secret_shown_once_and_disabled_endpoints_flagged(
    client: FlaskClient, db: Database, private_ok: None
) -> None:
    """Adding an endpoint shows its whsec_ secret; a disabled endpoint shows why, on both pages."""
    token = logged_in(client, db)
    site_id = _default_site_id(db)
    rv = client.post(
        f"/moderation/integrations/sites/{site_id}/endpoints",
        data={"url": "http://127.0.0.1:9/hook", "events": ["comment.received"],
              "csrf_token": token},
        headers=HTML,
    )  # fmt: skip
    assert _shown_secret(rv.get_data(as_text=True)).startswith("whsec_")
    with db.session() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        endpoint.enabled = False
        endpoint.disabled_reason = "the receiver answered 410 Gone"
    page = client.get(f"/moderation/integrations/sites/{site_id}", headers=HTML)
    assert "the receiver answered 410 Gone" in page.get_data(as_text=True)
    index = client.get("/moderation/integrations/", headers=HTML)
    assert "1 disabled" in index.get_data(as_text=True)
    enable = client.post(
        f"/moderation/integrations/endpoints/{endpoint.id}/enabled",
        data={"enabled": "1", "csrf_token": token},
        headers=HTML,
    )
    assert enable.status_code == 303
    with db.session() as session:
        assert session.scalars(select(WebhookEndpoint)).one().enabled


def test_delivery_log_and_redelivery(app: Flask, client: FlaskClient, db: Database) -> None:
    """The log lists a failed delivery with its code; Redeliver puts it back and queues its job."""
    token = logged_in(client, db)
    with db.session() as session:
        site = session.get(Site, _default_site_id(db))
        assert site is not None
        endpoint_id = create_endpoint(
            session, site, "http://127.0.0.1:9/h", ["comment.received"], allow_private=True
        ).endpoint.id
    stored(db)
    with db.session() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        delivery.status, delivery.attempts, delivery.last_status_code = "failed", 1, 404
        delivery.last_latency_ms, delivery.last_error = 12.0, "HTTP 404"
        delivery_id = delivery.id
    log = client.get(f"/moderation/integrations/endpoints/{endpoint_id}", headers=HTML)
    html = log.get_data(as_text=True)
    assert delivery_id in html and "HTTP 404" in html and "12 ms" in html
    rv = client.post(
        f"/moderation/integrations/deliveries/{delivery_id}/redeliver",
        data={"csrf_token": token},
        headers=HTML,
    )
    assert rv.status_code == 303
    with db.session() as session:
        again = session.get(WebhookDelivery, delivery_id)
        assert again is not None and (again.status, again.attempts) == ("pending", 0)
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert f"deliver-{delivery_id}" in queue.get_job_ids()


def test_all_failed_deliveries_redelivered_from_the_log(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The log offers "Redeliver all N failed"; it puts every failed delivery back (not the
    delivered ones), queues their jobs, and is audited."""
    token = logged_in(client, db)
    with db.session() as session:
        site = session.get(Site, _default_site_id(db))
        assert site is not None
        endpoint_id = create_endpoint(
            session, site, "http://127.0.0.1:9/h", ["comment.received"], allow_private=True
        ).endpoint.id
    for n in range(3):
        stored(db, thread=f"outage-{n}")
    with db.session() as session:
        rows = list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))
        for row, status in zip(rows, ["failed", "delivered", "failed"], strict=True):
            row.status, row.attempts = status, 5
        failed = {rows[0].id, rows[2].id}
    log = client.get(f"/moderation/integrations/endpoints/{endpoint_id}", headers=HTML)
    assert "Redeliver all 2 failed" in log.get_data(as_text=True)
    rv = client.post(
        f"/moderation/integrations/endpoints/{endpoint_id}/redeliver-failed",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=True,
    )
    assert "2 failed deliveries queued again" in rv.get_data(as_text=True)
    with db.session() as session:
        statuses = {d.id: (d.status, d.attempts) for d in session.scalars(select(WebhookDelivery))}
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "webhook_redelivered")
        ).one()
    assert {i for i, (status, attempts) in statuses.items() if status == "pending"} == failed
    assert all(statuses[i][1] == 0 for i in failed) and entry.details["count"] == 2
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert {f"deliver-{i}" for i in failed} <= set(queue.get_job_ids())
    assert "Redeliver all" not in rv.get_data(as_text=True)


def test_settings_set_the_key_limit_and_perspective_storage(
    client: FlaskClient, db: Database
) -> None:
    """The settings form stores the per-key limit and the Perspective opt-in on the site."""
    token = logged_in(client, db)
    site_id = _default_site_id(db)
    rv = client.post(
        f"/moderation/integrations/sites/{site_id}/settings",
        data={"per_minute": "30", "burst": "5", "perspective_store": "on", "csrf_token": token},
        headers=HTML,
    )
    assert rv.status_code == 303
    bad = client.post(
        f"/moderation/integrations/sites/{site_id}/settings",
        data={"per_minute": "-1", "burst": "x", "csrf_token": token},
        headers=HTML,
    )
    assert bad.status_code == 422
    with db.session() as session:
        site: Any = session.get(Site, site_id)
        assert site.settings["rate_limit"] == {"per_minute": 30.0, "burst": 5}
        assert site.settings["perspective_store"] is True


def test_login_helper_is_the_dashboards(client: FlaskClient, db: Database) -> None:
    """The integrations pages use the dashboard's own login (no second login system)."""
    make_user(db)
    assert login(client).status_code == 303
    page = client.get("/moderation/integrations/", headers=HTML)
    assert page.status_code == 200
    assert 'aria-current="page">Integrations</a>' in page.get_data(as_text=True)
