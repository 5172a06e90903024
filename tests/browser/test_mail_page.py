"""The Mail page in Chromium: an admin reaches it from the navigation, reads a failed mail
and retries it with the keyboard alone; axe-core finds nothing serious in light or dark
mode (the error summary of a bad filter and the "mail is off" notice included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from service.embedded_redis import free_port
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_embed_a11y import axe_violations, blocking
from tests.browser.test_moderation_dark import dark_and_readable, log_in
from tests.dashboard import make_user
from tests.mail_outbox import asking, failed, mail
from tests.mail_server import MailServer, mail_settings
from tests.notify_helpers import send_outbox

pytestmark = pytest.mark.browser


@pytest.fixture
def port() -> int:
    """The live server's port, known before the app is built (its MODERATO_PUBLIC_URL)."""
    return free_port()


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer, port: int) -> dict[str, Any]:
    """Mail on, to a real SMTP server; the public URL is the live server's (the dashboard's
    CSRF check takes a form's Origin against it)."""
    return {**mail_settings(settings, mail_server), "PUBLIC_URL": f"http://127.0.0.1:{port}"}


@pytest.fixture
def live_server(app: Flask, port: int) -> Iterator[LiveServer]:
    """Serve the app over HTTP on the port its public URL names."""
    server = LiveServer(app, port).start()
    yield server
    server.stop()


@pytest.fixture
def pages(browser: Browser) -> Iterator[dict[str, Page]]:
    """A light and a dark page that may inject axe-core despite the dashboard's CSP."""
    found = {}
    contexts = []
    for scheme in ("light", "dark"):
        ctx = browser.new_context(
            viewport={"width": 1200, "height": 900}, bypass_csp=True, color_scheme=scheme
        )
        contexts.append(ctx)
        found[scheme] = ctx.new_page()
    yield found
    for ctx in contexts:
        ctx.close()


def test_an_admin_retries_a_failed_mail_with_the_keyboard(
    app: Flask,
    db: Database,
    mail_server: MailServer,
    pages: dict[str, Page],
    live_server: LiveServer,
    screenshots_dir: Path,
) -> None:
    """From the "Mail" entry of the navigation: the failed tab lists the mail with its
    masked recipient and the server's refusal; Tab reaches its Retry button (named for the
    mail) and Enter retries it: the page says so and the mail is pending again. Both
    themes pass axe-core, the page is drawn dark in dark mode, and so do a bad filter's
    error summary (focused) and the "mail is off" notice."""
    make_user(db, "admin@example.org")
    mail_id = failed(app, db, mail_server, "ada.reader@example.org")
    asking(db, "bob.reader@example.org")
    send_outbox(app)
    asking(db, "carol.reader@example.org")  # pending
    light, dark = pages["light"], pages["dark"]
    errors: list[str] = []
    light.on("pageerror", lambda e: errors.append(str(e)))

    log_in(light, live_server)
    light.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Mail").click()
    expect(light.get_by_role("heading", name="Mail", level=1)).to_be_visible()
    expect(light.get_by_role("link", name="Mail", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert blocking(axe_violations(light)) == []
    tabs = light.get_by_role("navigation", name="Mail by status")
    tabs.get_by_role("link", name="Failed 1").click()
    expect(light.get_by_role("cell", name="a…@example.org", exact=True)).to_be_visible()
    expect(light.get_by_role("cell", name="550 5.1.1 no such mailbox")).to_be_visible()
    expect(light.get_by_text("ada.reader@")).to_have_count(0)

    button = light.get_by_role("button", name="Retry the confirmation to a…@example.org")
    light.get_by_role("button", name="Retry all 1 failed").focus()
    for _ in range(12):  # keyboard only: Tab from "Retry all" to the row's Retry
        light.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    expect(button).to_be_focused()
    light.keyboard.press("Enter")
    expect(light.get_by_text(f"Mail {mail_id} queued again.")).to_be_visible()
    assert mail(db, mail_id).status == "pending"
    assert blocking(axe_violations(light)) == []
    light.goto(f"{live_server.url}/moderation/mail")
    light.screenshot(path=str(screenshots_dir / "moderation-mail.png"), full_page=True)

    log_in(dark, live_server)
    for path in ("/moderation/mail?status=sent", "/moderation/mail"):
        dark.goto(f"{live_server.url}{path}")
        assert dark_and_readable(dark) == [], path
    dark.screenshot(path=str(screenshots_dir / "moderation-mail-dark.png"), full_page=True)
    dark.goto(f"{live_server.url}/moderation/mail?site=nowhere")
    expect(dark.get_by_role("alert")).to_be_focused()
    expect(dark.get_by_role("alert")).to_contain_text("Choose a site from the list.")
    assert dark_and_readable(dark) == []
    app.config["SMTP_URL"] = ""
    for page in (light, dark):
        page.goto(f"{live_server.url}/moderation/mail")
        expect(page.get_by_role("note")).to_contain_text("Mail is off")
    assert blocking(axe_violations(light)) == [] and dark_and_readable(dark) == []
    assert errors == []
