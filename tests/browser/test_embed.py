"""The embed in a real browser: the widget on the demo page, end to end with a real worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """This module's app: no minimum fill time, so a scripted form is not a bot."""
    return {**settings, "FORM_TOKEN_MIN_SECONDS": 0}


def test_scratch(page: Page, live_server: LiveServer, start_worker: Callable[..., Any]) -> None:
    """scratch"""
    start_worker()
    msgs = []
    page.on("console", lambda m: msgs.append(m.text))
    page.on("pageerror", lambda e: msgs.append(str(e)))
    page.goto(f"{live_server.url}/demo")
    page.wait_for_selector("#moderato-thread[data-moderato-ready]")
    w = page.locator("section.m")
    w.get_by_label("Name").fill("Ada Reader")
    w.get_by_label("Email").fill("ada@example.org")
    w.get_by_label("Comment").fill(
        "Thanks for the thorough reporting. I had not seen the council figures before."
    )
    w.get_by_role("button", name="Post Comment").click()
    page.wait_for_timeout(4000)
    page.screenshot(path="/tmp/shots/a.png", full_page=True)
    print(msgs)
