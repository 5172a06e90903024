"""The no-JS fragment under Content-Security-Policies, in Chromium: included server-side in a
publisher's page with a strict policy of its own, and opened by itself under ours."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from service.status import State
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.csp import violations, watch
from tests.browser.test_embed import Publisher, allow_origin
from tests.factories import stored

pytestmark = pytest.mark.browser


@pytest.fixture
def no_js(browser: Browser) -> Iterator[Page]:
    """A page of a browser without JavaScript, as the fragment's readers have."""
    ctx = browser.new_context(java_script_enabled=False)
    yield ctx.new_page()
    ctx.close()


def include(api: LiveServer, query: str) -> str:
    """Fetch the fragment as a publisher's server does for a server-side include."""
    with urllib.request.urlopen(f"{api.url}/embed/thread?{query}", timeout=10) as resp:
        return str(resp.read().decode())


def test_a_fragment_included_server_side_passes_the_publishers_strict_csp(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A publisher page whose policy has no 'unsafe-inline' and lists our host only in
    style-src and form-action (as docs/embed.md says) shows the included thread styled and
    posts its form to us, with no violation and no console error."""
    stored(db, state=State.PUBLISHED, thread="ssi", name="Ada", text="A **fine** article.")
    allow_origin(db, publisher.origin)  # its readers' posts are taken, and sent back to it
    policy = (
        "default-src 'none'; "
        f"style-src {live_server.url}; form-action 'self' {live_server.url}; base-uri 'none'"
    )
    publisher.pages["/"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}"><title>Article</title>'
        "</head><body><main><h1>An article</h1>"
        f"{include(live_server, 'site=default&thread=ssi')}</main></body></html>"
    )
    errors = watch(page)
    page.goto(f"{publisher.origin}/")
    card = page.locator("article.mf-card", has_text="A fine article.")
    expect(card).to_have_css("border-top-left-radius", "8px")  # its stylesheet, from our host
    assert violations(page) == [] and errors == []
    page.locator("#mf-name").fill("Bo")
    page.locator("#mf-email").fill("bo@example.org")
    page.locator("#mf-text").fill("Agreed, thank you.")
    with page.expect_navigation():
        page.locator("button.mf-submit").click()
    # Sent to us (form-action), and our 303 back to the article honoured ('self'): nothing
    # refused on the way.
    assert page.url == f"{publisher.origin}/?moderato=pending#comments"
    assert errors == [], errors


def test_the_fragment_opened_by_itself_is_styled_under_our_policy(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Opened directly, the bare fragment runs under its own CSP with nothing refused."""
    stored(db, state=State.PUBLISHED, thread="bare", name="Ada", text="Hello there.")
    errors = watch(page)
    answer = page.goto(f"{live_server.url}/embed/thread?site=default&thread=bare")
    assert answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
    expect(page.locator("article.mf-card")).to_have_css("border-top-left-radius", "8px")
    assert violations(page) == [] and errors == []


def test_a_violation_is_seen(page: Page, live_server: LiveServer, publisher: Publisher) -> None:
    """The watch itself works: an inline style under a policy without 'unsafe-inline' is
    reported (so an empty list above means nothing was refused)."""
    publisher.pages["/inline"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="style-src \'self\'">'
        "<title>Inline</title><style>p{color:red}</style></head><body><p>x</p></body></html>"
    )
    errors = watch(page)
    page.goto(f"{publisher.origin}/inline")
    expect(page.locator("p")).to_have_css("color", "rgb(0, 0, 0)")
    assert [v.split()[0] for v in violations(page)] == ["style-src-elem"]
    assert any("Content Security Policy" in e for e in errors)
