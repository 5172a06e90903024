"""The /docs page in a real browser: readable, self-contained, every operation listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer

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
