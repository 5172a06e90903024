"""Where focus lands after a page load the moderator caused: on what comes next."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_moderation import log_in
from tests.dashboard import held, make_user

pytestmark = pytest.mark.browser


def test_after_a_ban_focus_is_on_its_undo(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """A ban from a card reloads the queue: focus is on the one-time "Undo: lift the ban on
    …" button (it was on <body>), so Enter undoes a mis-click; j still moves to a card."""
    held(db, email="two@example.org")
    log_in(page, live_server, db)
    card = page.locator("li.card").first
    card.locator("details.ban summary").click()
    card.locator("form.ban-form button[type=submit]").click()
    undo = page.get_by_role("button", name=re.compile("^Undo: lift the ban"))
    expect(undo).to_be_focused()
    expect(page.locator("li.card.current")).to_have_count(1)  # the queue's script is ready
    page.keyboard.press("j")
    expect(page.locator("li.card").first).to_be_focused()


def test_after_a_wrong_password_focus_is_on_the_password(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """A refused login keeps the e-mail address and puts focus on the Password field (it
    was on E-mail), described by the error; a fresh login page starts on E-mail."""
    make_user(db, "admin@example.org")
    page.goto(f"{live_server.url}/moderation/login")
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.get_by_label("E-mail").fill("admin@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("the password is wrong")
    password = page.get_by_label("Password")
    expect(password).to_be_focused()
    expect(password).to_have_accessible_description(re.compile("the password is wrong"))
    expect(page.get_by_label("E-mail")).to_have_value("admin@example.org")


def test_dashboard_pages_have_a_served_icon_their_policy_allows(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """Every dashboard page names its icon, a same-origin SVG file (no request for a missing
    /favicon.ico, no inline icon for the CSP to refuse): it loads, as an image, with no
    console error on the login page or the queue."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if msg.type == "error" else None)
    for path in ("/moderation/login", "/moderation/queue/held"):
        if path.endswith("held"):
            log_in(page, live_server, db)
        page.goto(f"{live_server.url}{path}")
        icon = page.locator('link[rel="icon"]')
        href = icon.evaluate("link => link.href")
        assert href == f"{live_server.url}/moderation/static/favicon.svg", href
        answer = page.request.get(href)
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg")
        loaded = page.evaluate(
            """href => new Promise(done => { const img = new Image();
                img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false);
                img.src = href; })""",
            href,
        )
        assert loaded, f"the icon does not load under {path}'s policy"
    assert found == []


def test_the_shortcuts_list_opens_on_a_comments_own_page(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """A comment's page takes the queue's keys (j, a, r, s …), but ``?`` did nothing there:
    the list of shortcuts was only in the queue's template. It opens now, and Escape closes
    it with focus back on the card."""
    cid = held(db)
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/comments/{cid}")
    card = page.locator(f"#c-{cid}")
    expect(card).to_have_class(re.compile("current"))  # the queue's script is ready
    page.keyboard.press("j")
    expect(card).to_be_focused()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(card).to_be_focused()
