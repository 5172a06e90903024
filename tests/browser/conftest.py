"""Browser fixtures: the app served over real HTTP, a real worker, and headless Chromium.

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it);
Playwright drives it through ``executable_path``; no browser is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.browser


class LiveServer:
    """The test app on a real HTTP server in a background thread."""

    def __init__(self, app: Flask, port: int = 0) -> None:
        self.server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test app over HTTP on a free port of 127.0.0.1."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium, launched once per session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile for one test."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    yield ctx
    # Let each page finish loading its files first: closing the context mid-transfer drops
    # the connection, and the test server then leaks the open static file (a flaky
    # ResourceWarning at teardown, seen once in session 13).
    for open_page in ctx.pages:
        with contextlib.suppress(PlaywrightError):  # one that never loads is closed anyway
            open_page.wait_for_load_state("load", timeout=5_000)
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A fresh page; script errors on the page fail the test unless it expects them."""
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save screenshots: docs/screenshots with MODERATO_UPDATE_SCREENSHOTS=1
    (``make screenshots``), else a temporary folder, so a test run leaves the tree clean."""
    if os.environ.get("MODERATO_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


class Publisher:
    """A publisher's own web server: another origin (another port) on the loopback address."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """Serve the registered pages, 404 for anything else."""
        body = self.pages.get(environ["PATH_INFO"])
        status = "200 OK" if body is not None else "404 Not Found"
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [(body or "not found").encode()]

    def article(self, api: LiveServer, body: str = "", head: str = "") -> str:
        """Publish an article page embedding our script tag; return its URL."""
        self.pages["/article"] = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Article</title>'
            f"{head}</head><body><main><h1>An article</h1>{body}"
            f'<div id="moderato-thread"></div>'
            f'<script src="{api.url}/embed.js" data-site="default" '
            f'data-thread="publisher-article" async></script></main></body></html>'
        )
        return f"{self.origin}/article"


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    """A second web server on another port: the publisher's site, a foreign origin to the API."""
    server = Publisher()
    yield server
    server.server.shutdown()
    server.server.server_close()
