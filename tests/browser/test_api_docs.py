"""The /docs page in a real browser: readable, self-contained, every operation listed, under
our strict Content-Security-Policy with nothing refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.csp import violations, watch

pytestmark = pytest.mark.browser


def test_api_docs_page_renders_without_outside_requests(
    page: Page, live_server: LiveServer, screenshots_dir: Path
) -> None:
    """/docs shows every operation, loads nothing from other hosts and runs no script errors."""
    outside: list[str] = []
    errors: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url)
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/docs")
    assert page.title().startswith("moderato API")
    assert (
        page.locator("section.op").count() == 30
    )  # PATCH/DELETE on a comment, queue, privacy, metrics
    page.get_by_role("link", name="POST /v1alpha1/comments:analyze").click()
    assert page.locator("#perspectiveAnalyze").is_visible()
    page.goto(f"{live_server.url}/docs")
    page.screenshot(path=str(screenshots_dir / "api-docs.png"), full_page=False)
    assert outside == []
    assert errors == []


def test_api_docs_page_is_styled_under_its_csp_with_nothing_refused(
    page: Page, live_server: LiveServer
) -> None:
    """/docs sends our pages' strict CSP (no inline style, no one frames it); its styles come
    from a stylesheet of ours, so Chromium applies them and reports no violation and no
    console error (its inline <style> would have been refused under this policy)."""
    errors = watch(page)
    answer = page.goto(f"{live_server.url}/docs")
    assert answer is not None
    csp = answer.headers["content-security-policy"]
    assert "style-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    expect(page.locator(".method.POST").first).to_have_css("background-color", "rgb(31, 95, 174)")
    expect(page.locator("section.op").first).to_have_css("border-top-style", "solid")
    page.get_by_text("Request body").first.click()  # a <details> opened: nothing refused either
    assert violations(page) == []
    assert errors == []
