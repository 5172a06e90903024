"""Links to one comment in the widget, as the server finds them (``comment=<id>`` on the
listing: one request a thread): in the Featured view, for an id in no thread, while the
reader is busy elsewhere on the page, and after an app renders another thread in place."""

from __future__ import annotations

import contextlib
import re

import pytest
from flask import Flask
from playwright.sync_api import Page, Route, expect

from service import featured
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, allow_origin, open_widget, widget
from tests.browser.test_embed_links import (
    FILLER,
    errors_of,
    focused,
    listings,
    thread,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.browser


def hold(page: Page, part: str) -> list[Route]:
    """Hold the first listing request whose URL has ``part``; return where it will be."""
    held: list[Route] = []

    def handler(route: Route) -> None:
        if held or part not in route.request.url:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/comments?*", handler)
    return held


def until(page: Page, held: list[Route]) -> None:
    """Wait until a request is held (Playwright calls handlers while the test waits)."""
    for _ in range(250):
        if held:
            return
        page.wait_for_timeout(20)
    raise AssertionError("no request was held")


def test_in_the_featured_view_a_link_opens_the_comment_in_the_whole_thread(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A reader in the Featured view follows a link to a comment that is not featured,
    four pages in: the widget asks once for its page of the whole thread and shows it
    there, Featured no longer pressed (it searched the featured pages alone, and never
    found it). A featured comment the view shows is focused in place, the view kept."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 6)
    with db.session() as session:
        for row in rows[:2]:
            assert featured.set_featured(session, row.id, "feature", "user:1") is not None
    errors = errors_of(page)
    w = open_widget(page, publisher.article(live_server, body=FILLER))
    view = w.get_by_role("button", name=re.compile(r"^Featured"))
    view.click()
    expect(view).to_have_attribute("aria-pressed", "true")
    expect(w.locator(f"#m-c-{rows[0].id}")).to_be_visible()

    page.evaluate("id => { location.hash = '#comment-' + id; }", rows[0].id)  # shown
    wait_for(lambda: focused(page) == f"m-c-{rows[0].id}")
    expect(view).to_have_attribute("aria-pressed", "true")

    asked = listings(page)
    page.evaluate("id => { location.hash = '#comment-' + id; }", rows[4].id)
    wait_for(lambda: focused(page) == f"m-c-{rows[4].id}")
    expect(view).to_have_attribute("aria-pressed", "false")
    expect(w.locator("article.card")).to_have_count(1)
    assert len(asked) == 1 and "featured=" not in asked[0], asked
    assert errors == []


def test_an_id_in_no_thread_costs_one_request(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """An article opened at a well-formed ``#comment-<id>`` that no thread holds (a comment
    taken down since the mail was sent): one request, the first page as usual, no way
    "back" to it and focus left alone. The widget looked through 20 pages first."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 25)
    asked = listings(page)
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=FILLER)}#comment-{'B' * 22}")
    w = widget(page)
    expect(w.locator(f"#m-c-{rows[0].id}")).to_be_visible()
    page.wait_for_timeout(1000)  # the pages it would have gone on with
    assert len(asked) == 1, asked
    expect(w.locator("article.card")).to_have_count(1)
    expect(w.get_by_role("button", name="Back to the first comments")).to_be_hidden()
    assert focused(page) is None
    assert errors == []


def test_a_reader_typing_elsewhere_keeps_focus_when_the_comment_comes(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """The reader starts typing in the article's search box while the linked comment's
    page is on its way: the comment is marked when it comes, but focus (and the page's
    scroll) stay with the reader. It was pulled to the comment mid-word."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 4)
    held = hold(page, "comment=")
    search = '<p><label>Search <input id="search" type="search"></label></p>'
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=search + FILLER)}#comment-{rows[2].id}")
    until(page, held)
    box = page.locator("#search")
    box.click()
    page.keyboard.type("river")
    held[0].continue_()
    expect(widget(page).locator(f"#m-c-{rows[2].id} > article")).to_have_class("card new")
    page.wait_for_timeout(300)
    page.keyboard.type(" path")
    expect(box).to_be_focused()
    expect(box).to_have_value("river path")
    expect(box).to_be_in_viewport()
    assert focused(page) is None
    assert errors == []


def test_a_thread_rendered_in_its_place_ends_the_old_ones_lookup(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """An app calls ``Moderato.render`` with another thread into the same container while
    the first thread's linked comment is being looked for: the old request is aborted,
    the old thread asks for nothing more and draws nothing (it went on fetching its pages
    behind the new thread)."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 12)
    other = thread(db, 2, name="second-article")
    held = hold(page, "comment=")
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=FILLER)}#comment-{rows[8].id}")
    until(page, held)
    old = listings(page)
    page.evaluate("() => Moderato.render({thread: 'second-article'})")
    w = widget(page)
    expect(w.locator(f"#m-c-{other[0].id}")).to_be_visible()
    wait_for(lambda: any("publisher-article" in url for url in failed))
    with contextlib.suppress(Exception):  # the page aborted it: nothing left to continue
        held[0].continue_()
    page.wait_for_timeout(1000)  # the pages the old thread went on with
    assert [url for url in old if "publisher-article" in url] == []
    expect(w.locator("article.card")).to_have_count(1)  # the new thread's first page
    expect(w.locator(f"#m-c-{rows[8].id}")).to_have_count(0)
    assert errors == []
