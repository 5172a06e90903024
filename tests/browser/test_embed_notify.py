"""The widget's "Email me when someone replies" checkbox in headless Chromium: shown, unchecked,
once the token says mail is configured, and posted with the comment; absent without mail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Request, expect
from sqlalchemy import select

from service.embedded_redis import free_port
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import fill, open_widget
from tests.browser.test_embed_a11y import axe_violations, blocking
from tests.helpers import wait_for
from tests.mail_server import MailServer, mail_settings

pytestmark = pytest.mark.browser

LABEL = "Email me when someone replies"


@pytest.fixture
def port() -> int:
    """The live server's port, known before the app is built (its MODERATO_PUBLIC_URL)."""
    return free_port()


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer, port: int) -> dict[str, Any]:
    """This module's app has mail on, its public URL the live server's; forms fill fast."""
    return {
        **mail_settings(settings, mail_server),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "FORM_TOKEN_MIN_SECONDS": 0,
    }


@pytest.fixture
def live_server(app: Flask, port: int) -> Iterator[LiveServer]:
    """Serve the app over HTTP on the port its public URL names."""
    server = LiveServer(app, port).start()
    yield server
    server.stop()


def test_the_widget_offers_the_checkbox_and_posts_it(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """With mail configured, the widget shows an unchecked, labelled checkbox with its hint
    under the e-mail field; ticked, the comment is posted with `notify_replies=1` and the
    page's language, and is stored opted in."""
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    w = open_widget(page, f"{live_server.url}/demo")
    box = w.get_by_label(LABEL)
    expect(box).to_be_visible()
    expect(box).not_to_be_checked()
    expect(box).to_have_accessible_description("We will first email you a link to confirm.")
    fill(w)
    box.check()
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("p.status").last).to_have_text("Your comment is awaiting moderation.")
    sent = parse_qs(posts[-1].post_data or "")
    assert sent["notify_replies"] == ["1"] and sent["lang"] == ["en"]

    def stored() -> tuple[bool, str | None] | None:
        with db.session() as session:
            row = session.scalars(select(Comment)).first()
            return None if row is None else (row.notify_replies, row.lang)

    assert wait_for(stored) == (True, "en")


def test_without_mail_the_widget_has_no_checkbox(
    page: Page, app: Flask, live_server: LiveServer
) -> None:
    """Without MODERATO_SMTP_URL the token says so and the form has no checkbox at all (not
    even a hidden one), and a post carries no opt-in."""
    app.config["SMTP_URL"] = None  # mail off for this app: the token answers notify: false
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    with page.expect_response(lambda r: "/embed/token" in r.url) as answered:
        w = open_widget(page, f"{live_server.url}/demo")
    assert answered.value.json()["notify"] is False
    expect(w.get_by_role("textbox", name="Email")).to_be_visible()
    expect(w.locator("#m-notify")).to_have_count(0)
    expect(w.get_by_text(LABEL)).to_have_count(0)
    fill(w)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("p.status").last).to_have_text("Your comment is awaiting moderation.")
    assert "notify_replies" not in parse_qs(posts[-1].post_data or "")


@pytest.mark.parametrize(
    "path",
    [
        "/demo?theme=light",
        "/demo?lang=ar&theme=dark",
        "/embed/thread?site=default&thread=t&format=page&lang=fr",  # the no-JS form
    ],
)
def test_the_form_with_the_checkbox_passes_axe(
    browser: Browser, live_server: LiveServer, path: str
) -> None:
    """With the checkbox shown (the widget in English, in Arabic and dark, and the no-JS
    form in French), axe-core finds no serious or critical violation."""
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = ctx.new_page()
    try:
        if path.startswith("/demo"):
            w = open_widget(page, live_server.url + path)
            w.get_by_role("textbox").first.focus()  # the form asks for its token on focus
            expect(w.locator("#m-notify")).to_be_visible()
        else:
            page.goto(live_server.url + path)
            expect(page.locator("#mf-notify")).to_be_visible()
        assert blocking(axe_violations(page)) == []
    finally:
        ctx.close()
