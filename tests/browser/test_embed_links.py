"""Links to one comment (``#comment-<id>``, as feed entries and reply mails have them)
land on it in Chromium: in the widget on load and on every hashchange (the comment in
view, focused, marked), and natively in the no-JS page (``comment=<id>``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Route, expect

from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, allow_origin, open_widget, widget
from tests.factories import stored
from tests.helpers import wait_for

pytestmark = pytest.mark.browser

FILLER = "<p>" + "An article paragraph. " * 400 + "</p>"
#: The id of the comment whose card has focus in the widget's shadow root, if one has.
FOCUSED = """() => {
  const host = document.getElementById("moderato-thread");
  const el = host && host.shadowRoot && host.shadowRoot.activeElement;
  if (!el || el.tagName !== "ARTICLE" || document.activeElement !== host) return null;
  return el.parentElement.id + (el.getAttribute("tabindex") === "-1" ? "" : " (no tabindex)");
}"""


def thread(db: Database, count: int, name: str = "publisher-article") -> list[Comment]:
    """Store ``count`` published comments of ``name``, an hour apart, oldest first."""
    rows = [stored(db, state=State.PUBLISHED, thread=name, text=f"Point {i}") for i in range(count)]
    with db.session() as session:
        for i, row in enumerate(rows):
            moved = session.get(Comment, row.id)
            assert moved is not None
            moved.created_at -= timedelta(hours=count - i)
    return rows


def focused(page: Page) -> str | None:
    """Return the ``li`` id of the comment that has focus, or None."""
    return page.evaluate(FOCUSED)  # type: ignore[no-any-return]


def listings(page: Page) -> list[str]:
    """Collect the URLs of the thread listings the page asks for from now on."""
    found: list[str] = []
    page.on("request", lambda r: found.append(r.url) if "/api/v1/comments?" in r.url else None)
    return found


def errors_of(page: Page) -> list[str]:
    """Collect the page's uncaught script errors from now on."""
    found: list[str] = []
    page.on("pageerror", lambda exc: found.append(str(exc)))
    return found


def test_a_link_to_a_comment_focuses_it_on_load(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """An article opened at ``#comment-<id>`` for a comment three pages in: the widget
    asks once for the page that holds it (``comment=<id>``: it walked the pages before,
    one request each), brings it into view and moves focus to it (its card,
    ``tabindex=-1``, so a screen reader lands on it), marked with the accent ring. "Back to
    the first comments" then brings the first page, focus on its first comment."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 4)
    asked = listings(page)
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=FILLER)}#comment-{rows[2].id}")
    target = widget(page).locator(f"#m-c-{rows[2].id} > article")
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()
    assert wait_for(lambda: focused(page)) == f"m-c-{rows[2].id}"
    expect(target).to_have_class("card new")
    expect(widget(page).locator("article.card")).to_have_count(1)
    assert len(asked) == 1 and f"comment={rows[2].id}" in asked[0], asked

    back = widget(page).get_by_role("button", name="Back to the first comments")
    back.click()
    wait_for(lambda: focused(page) == f"m-c-{rows[0].id}")
    expect(back).to_be_hidden()
    expect(widget(page).get_by_role("button", name="Load more comments")).to_be_visible()
    assert errors == []


def test_each_new_link_on_the_page_moves_focus_to_its_comment(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A reader who follows a second ``#comment-`` link on the same page (a click on an
    in-page link, or the hash set by script) lands on that comment too: one shown already
    at once, another after one request for its page; a hash naming no comment of the
    thread changes nothing (one request, or none for a hash not shaped like our ids), and
    the thread keeps working."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 5)
    links = f'<p><a id="to-last" href="#comment-{rows[4].id}">the last comment</a></p>'
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=links + FILLER)}#comment-{rows[1].id}")
    wait_for(lambda: focused(page) == f"m-c-{rows[1].id}")
    widget(page).get_by_role("button", name="Load more comments").click()
    expect(widget(page).locator("article.card")).to_have_count(2)

    asked = listings(page)
    page.evaluate("id => { location.hash = '#comment-' + id; }", rows[2].id)  # shown already
    wait_for(lambda: focused(page) == f"m-c-{rows[2].id}")
    expect(widget(page).locator(f"#m-c-{rows[2].id} > article")).to_be_in_viewport()
    expect(widget(page).locator(f"#m-c-{rows[1].id} > article")).to_have_class("card")
    assert asked == []

    page.evaluate("window.scrollTo(0, 0)")
    page.click("#to-last")  # on a later page: loaded for it
    wait_for(lambda: focused(page) == f"m-c-{rows[4].id}")
    expect(widget(page).locator(f"#m-c-{rows[4].id} > article")).to_be_in_viewport()
    expect(widget(page).locator(f"#m-c-{rows[4].id} > article")).to_have_class("card new")
    expect(widget(page).get_by_role("button", name="Load more comments")).to_be_hidden()

    asked.clear()
    for hash_ in ("#comment-AAAAAAAAAAAAAAAAAAAAAA", "#comment-", "#comments", "#comment-<x>"):
        page.evaluate("h => { location.hash = h; }", hash_)
        page.wait_for_timeout(200)
        assert focused(page) == f"m-c-{rows[4].id}"
    expect(widget(page).locator("article.card")).to_have_count(1)
    assert len(asked) == 1 and "comment=AAAAAAAAAAAAAAAAAAAAAA" in asked[0], asked
    expect(widget(page).locator("div.status")).to_have_text("")  # not "Loading comments…"
    assert errors == []


def test_a_hash_changed_while_the_thread_loads_waits_for_it(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A hash that changes while the thread's first page is on its way is looked for when
    that page comes (the request on its way stays the one that counts: one list, no card
    twice): its page comes next; a later sort switch leaves focus on the sort control."""
    app.config["LIST_PAGE_SIZE"] = 2
    allow_origin(db, publisher.origin)
    rows = thread(db, 5)
    held: list[Route] = []

    def hold_first(route: Route) -> None:
        if held or "comment=" in route.request.url:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/comments?*", hold_first)
    page.goto(publisher.article(live_server, body=FILLER))
    wait_for(lambda: held)
    page.evaluate("id => { location.hash = '#comment-' + id; }", rows[3].id)
    page.wait_for_timeout(200)
    held[0].continue_()
    wait_for(lambda: focused(page) == f"m-c-{rows[3].id}")
    cards = widget(page).locator("article.card")
    expect(cards).to_have_count(2)
    ids = [c.get_attribute("aria-labelledby") for c in cards.all()]
    assert ids == [f"m-by-{rows[2].id}", f"m-by-{rows[3].id}"]

    sort = widget(page).get_by_label("Sort", exact=True)
    sort.focus()
    sort.select_option("newest")
    expect(cards.first).to_contain_text("Point 4")
    page.wait_for_timeout(200)
    expect(sort).to_be_focused()


def test_a_thread_swapped_by_a_single_page_app_follows_links_to_its_own_comments(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """After an app replaces the thread's container and renders another thread, a
    ``#comment-`` link focuses that thread's comment; the thread it replaced is gone and
    does not answer (no error, one listener for the page)."""
    allow_origin(db, publisher.origin)
    thread(db, 2)
    other = thread(db, 2, name="second-article")
    errors = errors_of(page)
    open_widget(page, publisher.article(live_server))
    page.evaluate(
        """() => { const old = document.getElementById('moderato-thread');
            const box = document.createElement('div'); box.id = 'moderato-thread';
            old.replaceWith(box); Moderato.render({thread: 'second-article'}); }"""
    )
    expect(widget(page).get_by_text("Point 1")).to_be_visible()
    page.evaluate("id => { location.hash = '#comment-' + id; }", other[1].id)
    wait_for(lambda: focused(page) == f"m-c-{other[1].id}")
    assert errors == []


def test_the_no_js_page_opens_at_the_linked_comment(
    app: Flask, browser: Browser, live_server: LiveServer, db: Database
) -> None:
    """Without JavaScript, a feed entry's link (``comment=<id>#comment-<id>``) for a
    comment three pages in opens the page that holds it, scrolled to it and marked; its
    "Back to the first comments" link opens the first page."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    rows = thread(db, 7, name="nojs")
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 800, "height": 400})
    try:
        reader = ctx.new_page()
        url = f"{live_server.url}/embed/thread?site=default&thread=nojs&format=page"
        reader.goto(f"{url}&comment={rows[5].id}#comment-{rows[5].id}")
        expect(reader.locator(f"#comment-{rows[5].id}")).to_be_in_viewport()
        card = reader.locator(f"#comment-{rows[5].id} > article")
        expect(card).to_have_css("box-shadow", re.compile(r"0px 0px 0px 2px"))  # marked
        expect(reader.locator("li.mf-c")).to_have_count(2)
        expect(reader.locator(f"#comment-{rows[0].id}")).to_have_count(0)
        reader.get_by_role("link", name="Back to the first comments").click()
        expect(reader.locator(f"#comment-{rows[0].id}")).to_be_visible()
        expect(reader.get_by_role("link", name="Back to the first comments")).to_have_count(0)
    finally:
        ctx.close()


def test_a_link_to_one_threads_comment_costs_each_thread_one_request(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Two threads on a page, the link names the second one's comment, three pages in:
    each thread asks once for the page holding it; the first, which does not hold it,
    shows its first page. It went on alone through 20 more pages (with the default page
    size, 1,000 conversations fetched and drawn in a thread the link was not about),
    pushing the comment down the page."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    thread(db, 30, name="first-article")
    second = thread(db, 3, name="second-article")
    tag = f'<script src="{live_server.url}/embed.js" data-site="default"'
    publisher.pages["/two"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Two</title>'
        f"</head><body><main><h1>Two threads</h1>{FILLER}"
        f'{tag} data-thread="first-article"></script>{FILLER}'
        f'{tag} data-thread="second-article"></script>{FILLER}</main></body></html>'
    )
    asked: list[str] = []
    listed = "/api/v1/comments?site=default&thread=first-article"
    page.on("request", lambda r: asked.append(r.url) if listed in r.url else None)
    errors = errors_of(page)
    page.goto(f"{publisher.origin}/two#comment-{second[2].id}")
    host = page.locator("[data-moderato]").nth(1)
    target = host.locator(f"#m-c-{second[2].id} > article")
    expect(target).to_be_focused()
    page.wait_for_timeout(1000)  # the first thread's pages, had it gone on
    expect(target).to_be_in_viewport()
    assert len(asked) == 1, asked
    expect(page.locator("[data-moderato]").first.locator("article.card")).to_have_count(1)
    assert errors == []


def test_a_hash_that_cannot_name_one_of_our_comments_loads_nothing_more(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A WordPress-era ``#comment-123`` (the anchors an article's old comments had, still
    in search results and old mails), or any hash not shaped like our ids, is not looked
    for: the thread shows its first page and asks for no more. The widget loaded 20 more
    pages for each (1,000 conversations with the default page size)."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 25)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/comments?" in r.url else None)
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=FILLER)}#comment-123")
    expect(widget(page).locator("article.card")).to_have_count(1)
    for hash_ in ("#comment-4567", "#comment-<x>", f"#comment-{rows[0].id}.1"):
        page.evaluate("h => { location.hash = h; }", hash_)
    page.wait_for_timeout(1000)  # the pages it would have loaded
    expect(widget(page).locator("article.card")).to_have_count(1)
    assert len(asked) == 1, asked
    page.evaluate("id => { location.hash = '#comment-' + id; }", rows[3].id)  # ours: found
    wait_for(lambda: focused(page) == f"m-c-{rows[3].id}")
    assert errors == []


def test_a_sort_switched_while_the_linked_comment_is_looked_for_keeps_focus(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """The reader switches the sort while the widget is still asking for the
    ``#comment-`` link's page: their choice ends the search, and focus stays on the sort
    control (it was pulled to the comment once the new order showed it)."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = thread(db, 12)
    held: list[Route] = []

    def hold_second(route: Route) -> None:
        if held or "comment=" not in route.request.url:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/comments?*", hold_second)
    errors = errors_of(page)
    page.goto(f"{publisher.article(live_server, body=FILLER)}#comment-{rows[8].id}")
    for _ in range(250):  # Playwright calls the handler while the test waits on it
        if held:
            break
        page.wait_for_timeout(20)
    sort = widget(page).get_by_label("Sort", exact=True)
    sort.focus()
    sort.select_option("newest")
    held[0].continue_()
    cards = widget(page).locator("article.card")
    expect(cards.first).to_contain_text("Point 11")
    page.wait_for_timeout(1000)  # the pages the search would have gone on with
    expect(sort).to_be_focused()
    expect(cards).to_have_count(1)
    assert focused(page) is None
    assert errors == []


def test_a_new_sort_is_said_once_its_list_has_come(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Changing the sort says the new order in the thread's live region once the list has
    come; before, a screen reader heard "Loading comments…" and then nothing."""
    allow_origin(db, publisher.origin)
    thread(db, 3)
    w = open_widget(page, publisher.article(live_server))
    status = w.locator("div.status[role=status]").first
    expect(status).to_have_text("")
    w.get_by_label("Sort", exact=True).select_option("newest")
    expect(w.locator("article.card").first).to_contain_text("Point 2")
    expect(status).to_have_text("Newest first")
    w.get_by_label("Sort", exact=True).select_option("oldest")
    expect(status).to_have_text("Oldest first")
    expect(w.locator("article.card").first).to_contain_text("Point 0")
