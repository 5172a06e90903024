"""The integrations admin pages in Chromium: an admin makes a key and a webhook, reads the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from service.store import Database
from tests.browser.conftest import LiveServer
from tests.dashboard import PASSWORD, make_user
from tests.factories import stored

pytestmark = pytest.mark.browser


def test_admin_creates_a_key_and_a_webhook_and_reads_the_delivery_log(
    app: Flask, db: Database, page: Page, live_server: LiveServer, screenshots_dir: Path
) -> None:
    """Log in, create a key (shown once), add an endpoint, see its delivery, redeliver it."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    make_user(db, "admin@example.org")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/moderation/integrations/")
    page.get_by_label("E-mail").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    page.get_by_role("link", name="Default site").click()

    page.get_by_label("Name", exact=True).first.fill("CMS backend")
    page.get_by_role("checkbox", name="moderate", exact=True).check()
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_label("API key", exact=True)
    assert secret.input_value().startswith("mod_")
    expect(page.get_by_role("cell", name="CMS backend")).to_be_visible()

    page.get_by_label("URL").fill("http://127.0.0.1:9/hooks/moderato")
    page.get_by_role("button", name="Add endpoint").click()
    assert page.get_by_label("Signing secret", exact=True).input_value().startswith("whsec_")
    page.screenshot(path=str(screenshots_dir / "integrations-site.png"), full_page=True)

    stored(db, thread="browser-hooks")  # writes a comment.received delivery to the outbox
    page.get_by_role("link", name="Delivery log").click()
    expect(page.get_by_role("cell", name="comment.received")).to_be_visible()
    page.get_by_role("button", name="Redeliver").first.click()
    expect(page.get_by_text("queued again")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "integrations-deliveries.png"), full_page=True)
    assert errors == []
