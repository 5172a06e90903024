"""The browser harness itself: Chromium reaches the live app."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_chromium_reaches_the_live_server(page: Page, live_server: LiveServer) -> None:
    """Headless Chromium loads a page served by the test app over real HTTP."""
    page.goto(f"{live_server.url}/status?moderato=pending")
    assert (
        page.get_by_role("status").inner_text() == "Thank you. Your comment is awaiting moderation."
    )
