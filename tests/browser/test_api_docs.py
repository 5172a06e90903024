"""The /docs page in a real browser: readable, self-contained, every operation listed, under
our strict Content-Security-Policy with nothing refused, in light and dark mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.csp import violations, watch
from tests.browser.test_embed_a11y import axe_violations, blocking

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


@pytest.fixture
def scheme_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in the colour scheme the test is parametrised with; it may inject axe-core
    despite /docs's strict CSP."""
    ctx = browser.new_context(
        viewport={"width": 1200, "height": 900}, bypass_csp=True, color_scheme=request.param
    )
    yield ctx.new_page()
    ctx.close()


#: (colour scheme, the page's background, its text, a GET badge's background) as drawn.
SCHEMES = [
    ("light", "rgb(255, 255, 255)", "rgb(29, 35, 43)", "rgb(45, 125, 70)"),
    ("dark", "rgb(13, 17, 23)", "rgb(230, 237, 243)", "rgb(86, 211, 100)"),
]


@pytest.mark.parametrize(
    ("scheme_page", "background", "text", "badge"),
    SCHEMES,
    ids=[s[0] for s in SCHEMES],
    indirect=["scheme_page"],
)
def test_api_docs_follow_the_systems_colour_scheme_and_stay_readable(
    scheme_page: Page, live_server: LiveServer, background: str, text: str, badge: str
) -> None:
    """In light and in emulated dark mode (prefers-color-scheme), /docs is drawn in that
    scheme (it stayed white, with dark text, for a reader in dark mode), with the dashboard's
    palette, and axe-core finds no serious violation (colour contrast above all), with every
    schema's <details> open."""
    page = scheme_page
    page.goto(f"{live_server.url}/docs")
    looks = page.evaluate(
        """() => ({
            background: getComputedStyle(document.body).backgroundColor,
            text: getComputedStyle(document.body).color,
            badge: getComputedStyle(document.querySelector(".method:not(.POST)")).backgroundColor,
        })"""
    )
    assert looks == {"background": background, "text": text, "badge": badge}
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert blocking(axe_violations(page)) == []
