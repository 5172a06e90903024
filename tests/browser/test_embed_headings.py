"""Heading levels (``data-heading-level``; the no-JS fragment's ``heading_level``) in Chromium: the widget's two headings move together
to fit the host page's outline (WCAG 1.3.1, 2.4.6), look the same at every level, fall back
to h2/h3 on a value out of range, survive ``Moderato.render``, and axe-core agrees."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from service.status import State
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, allow_origin, fill
from tests.browser.test_embed_a11y import axe_violations, blocking
from tests.factories import stored

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """No minimum fill time: a scripted (instant) form is not a bot."""
    return {**settings, "FORM_TOKEN_MIN_SECONDS": 0}


def letters(publisher: Publisher, api: LiveServer, attrs: str = "") -> str:
    """Publish a page whose thread sits in a section under an h2; return its URL."""
    publisher.pages["/letters"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Letters</title>'
        "</head><body><main><h1>Letters to the editor</h1><section><h2>Responses</h2>"
        '<div id="moderato-thread"></div>'
        f'<script src="{api.url}/embed.js" data-site="default" data-thread="letters" {attrs}'
        " async></script></section></main></body></html>"
    )
    return f"{publisher.origin}/letters"


def open_thread(page: Page, url: str) -> Locator:
    """Open ``url`` and wait until the widget has drawn its thread; return the widget."""
    page.goto(url)
    w = page.locator("#moderato-thread section.m")
    expect(w.locator("#m-title")).to_have_text("Comments (1)")
    return w


def levels(w: Locator) -> list[str]:
    """Return the tag names of every heading in the widget, in order."""
    return w.evaluate(  # type: ignore[no-any-return]
        "el => [...el.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => h.tagName)"
    )


@pytest.mark.parametrize("level", [3, 5])
def test_data_heading_level_shifts_every_widget_heading(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database, level: int
) -> None:
    """``data-heading-level="3"`` makes the thread's heading an h3 and its form's an h4 (5:
    h5 and h6), in the DOM and in the accessibility tree, at the size of the defaults."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="letters", text="A letter.")
    w = open_thread(page, letters(publisher, live_server, f'data-heading-level="{level}"'))
    assert levels(w) == [f"H{level}", f"H{level + 1}"]
    expect(page.get_by_role("heading", level=level, name="Comments (1)")).to_have_count(1)
    expect(page.get_by_role("heading", level=level + 1, name="Leave a Reply")).to_have_count(1)
    sizes = w.evaluate(
        "el => ['#m-title', '#m-form-title'].map(s => getComputedStyle(el.querySelector(s)).fontSize)"
    )
    assert sizes == ["20px", "17.6px"]  # 1.25em and 1.1em of the default 16px, as h2 and h3


@pytest.mark.parametrize("value", [None, "2", "1", "6", "0", "three", "", "3.5", " 4", "h3"])
def test_without_a_valid_level_the_headings_are_h2_and_h3(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database, value: str | None
) -> None:
    """No attribute, 2, or anything but a whole number from 2 to 5: h2 and h3, as before."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="letters", text="A letter.")
    attrs = "" if value is None else f'data-heading-level="{value}"'
    w = open_thread(page, letters(publisher, live_server, attrs))
    assert levels(w) == ["H2", "H3"]


@pytest.mark.parametrize("level", [2, 4])
def test_the_no_js_fragment_looks_the_same_at_every_level(
    page: Page, live_server: LiveServer, db: Database, level: int
) -> None:
    """The no-JS fragment's ``heading_level`` changes its headings' tags, not their look:
    the sizes and the space above them are those of the default h2/h3 (its stylesheet
    styled h2 and h3 only)."""
    stored(db, state=State.PUBLISHED, thread="letters", text="A letter.")
    page.goto(f"{live_server.url}/embed/thread?thread=letters&format=page&heading_level={level}")
    title, form = page.locator("#mf-title"), page.locator("#mf-form-title")
    expect(title).to_have_text("Comments (1)")
    assert [title.evaluate("h => h.tagName"), form.evaluate("h => h.tagName")] == [
        f"H{level}",
        f"H{level + 1}",
    ]
    style = "h => [getComputedStyle(h).fontSize, getComputedStyle(h).marginTop]"
    assert [title.evaluate(style), form.evaluate(style)] == [["20px", "0px"], ["17.6px", "24px"]]


def test_moderato_render_keeps_the_level_or_takes_a_new_one(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A single-page app's ``Moderato.render`` keeps the tag's level when it names none,
    and takes ``headingLevel`` when it does (out of range: h2)."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="letters", text="A letter.")
    stored(db, state=State.PUBLISHED, thread="next", text="Next.")
    w = open_thread(page, letters(publisher, live_server, 'data-heading-level="3"'))
    page.evaluate("Moderato.render({thread: 'next'})")
    expect(w.get_by_text("Next.")).to_be_visible()
    assert levels(w) == ["H3", "H4"]
    page.evaluate("Moderato.render({thread: 'next', headingLevel: 4})")
    expect(w.locator("h4#m-title")).to_have_text("Comments (1)")
    assert levels(w) == ["H4", "H5"]
    page.evaluate("Moderato.render({thread: 'next', headingLevel: 9})")
    expect(w.locator("h2#m-title")).to_have_text("Comments (1)")
    assert levels(w) == ["H2", "H3"]


def test_a_shifted_outline_passes_axe(
    browser: Browser, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Under the page's h2, ``data-heading-level="3"`` gives an outline without a skipped
    level: axe-core finds nothing serious and no heading-order issue at all (a level that
    skips one, 4 under the h2, is what axe's heading-order reports)."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="letters", text="A letter.")
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = ctx.new_page()
        open_thread(page, letters(publisher, live_server, 'data-heading-level="3"'))
        found = axe_violations(page)
        assert blocking(found) == []
        assert [v for v in found if v["id"] == "heading-order"] == []
        open_thread(page, letters(publisher, live_server, 'data-heading-level="4"'))
        assert "heading-order" in [v["id"] for v in axe_violations(page)]
    finally:
        ctx.close()


def test_a_deleted_comment_gives_focus_to_the_shifted_heading(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """The edit chunk finds the thread's heading at any level: a reader who deletes their
    comment under ``data-heading-level="4"`` lands on the h4, and no script error is
    thrown (the chunk looked for an h2)."""
    allow_origin(db, publisher.origin)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    stored(db, state=State.PUBLISHED, thread="letters", text="A letter.")
    w = open_thread(page, letters(publisher, live_server, 'data-heading-level="4"'))
    fill(w, text="Mine, soon gone.")
    w.get_by_role("button", name="Post Comment").click()
    card = w.locator("article.card.own", has_text="Mine, soon gone.")
    card.get_by_role("button", name="Delete your comment").click()
    w.get_by_role("button", name="Yes, delete it").click()
    expect(w.locator("div.status[role=status]")).to_have_text("Your comment is deleted.")
    expect(w.locator("h4#m-title")).to_be_focused()
    page.wait_for_timeout(200)  # an error thrown after the focus moved
    assert errors == []
