"""The browser harness itself (Chromium reaches the live app), and the neutral status page
it opens first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.csp import violations, watch
from tests.browser.test_embed_a11y import axe_violations, blocking

pytestmark = pytest.mark.browser


def test_chromium_reaches_the_live_server(page: Page, live_server: LiveServer) -> None:
    """Headless Chromium loads a page served by the test app over real HTTP."""
    page.goto(f"{live_server.url}/status?moderato=pending")
    assert (
        page.get_by_role("status").inner_text() == "Thank you. Your comment is awaiting moderation."
    )


def test_the_status_page_is_styled_under_its_csp_and_passes_axe(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    """The status page (Arabic: right to left) gets its look from our stylesheet under our
    strict CSP, with nothing refused (its inline <style> would be), and axe-core finds
    nothing serious in light or dark mode."""
    errors = watch(page)
    url = f"{live_server.url}/status?moderato=reported&lang=ar"
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("تم استلام البلاغ")
    expect(page.locator("main")).to_have_css("max-width", "768px")  # 48rem, fallback.css
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert violations(page) == [] and errors == []
    for scheme in ("light", "dark"):
        ctx = browser.new_context(bypass_csp=True, color_scheme=scheme)
        try:
            axe_page = ctx.new_page()
            axe_page.goto(url)
            assert blocking(axe_violations(axe_page)) == []
        finally:
            ctx.close()
