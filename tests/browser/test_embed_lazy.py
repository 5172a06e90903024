"""Lazy loading (``data-loading="lazy"``) in Chromium: nothing of the thread is fetched until
its element comes within a screen's height of the viewport; a link to a comment, a page
without IntersectionObserver and ``Moderato.render`` load at once; without the attribute
nothing changes; the index pages' count script is not concerned."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from service.status import State
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, allow_origin, widget
from tests.factories import stored

pytestmark = pytest.mark.browser

LAZY = 'data-loading="lazy"'
#: What a lazy thread must not ask for before it is near: the bundle, the thread, a token.
THREAD_REQUESTS = ("/embed/assets/widget.", "/api/v1/comments", "/embed/token")
#: The article's text above the thread: 3,000 px, the viewport being 900 px high.
ABOVE = 3000
#: Resolves once IntersectionObserver callbacks have run for the current scroll position: a
#: new observer's first callback comes in the same task as, and after, those of the
#: observers made before it (the loader's).
SETTLED = """async () => {
  const el = document.getElementById("moderato-thread");
  await new Promise(r => { const o = new IntersectionObserver(() => { o.disconnect(); r(); }); o.observe(el); });
  await new Promise(r => setTimeout(r, 100));
}"""


def article(publisher: Publisher, api: LiveServer, attrs: str = "", extra: str = "") -> str:
    """Publish a long article with the thread far below the fold; return its URL."""
    publisher.pages["/long"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Long read</title>'
        f'</head><body><main><h1>A long read</h1>{extra}<div style="height:{ABOVE}px"></div>'
        '<div id="moderato-thread"></div>'
        f'<script src="{api.url}/embed.js" data-site="default" data-thread="long-read" {attrs}'
        " async></script></main></body></html>"
    )
    return f"{publisher.origin}/long"


def requests_of(page: Page) -> list[str]:
    """Collect the URLs the page asks for from now on."""
    found: list[str] = []
    page.on("request", lambda r: found.append(r.url))
    return found


def thread_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if any(part in u for part in THREAD_REQUESTS)]


def loaded(page: Page, url: str) -> None:
    """Open ``url`` and wait until the loader has run and the observers have answered."""
    page.goto(url)
    expect(page.locator("#moderato-thread[data-moderato]")).to_be_attached()
    page.evaluate(SETTLED)


def test_a_lazy_thread_loads_nothing_until_the_reader_scrolls_near_it(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """With ``data-loading="lazy"`` the page loads without the bundle, the thread or a form
    token; scrolled to two screens above the thread still nothing; within a screen's
    height of it (not yet in view) the thread is fetched, once, and it renders."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="long-read", text="Worth the scroll.")
    urls = requests_of(page)
    loaded(page, article(publisher, live_server, LAZY))
    assert thread_requests(urls) == []
    expect(page.locator("#moderato-thread")).not_to_have_attribute("data-moderato-ready", "1")

    page.evaluate("y => window.scrollTo(0, y)", ABOVE - 2 * 900 - 100)
    page.evaluate(SETTLED)
    assert thread_requests(urls) == []

    page.evaluate("y => window.scrollTo(0, y)", ABOVE - 900 - 500)  # 500 px below the fold
    expect(widget(page).get_by_text("Worth the scroll.")).to_be_attached()
    expect(widget(page).locator("h2")).not_to_be_in_viewport()
    widget(page).scroll_into_view_if_needed()
    expect(widget(page).get_by_text("Worth the scroll.")).to_be_visible()
    bundles = [u for u in urls if "/embed/assets/widget." in u]
    assert len(bundles) == 1, bundles


def test_a_link_to_a_comment_loads_a_lazy_thread_at_once(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Opened at ``#comment-<id>``, a lazy thread loads without a scroll and brings the
    comment into view, focused, as without the attribute."""
    allow_origin(db, publisher.origin)
    row = stored(db, state=State.PUBLISHED, thread="long-read", text="The linked comment.")
    page.goto(f"{article(publisher, live_server, LAZY)}#comment-{row.id}")
    card = widget(page).locator(f"#m-c-{row.id} > article")
    expect(card).to_be_focused()
    expect(card).to_be_in_viewport()


def test_following_a_link_to_a_comment_on_the_page_loads_a_lazy_thread(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A reader at the top of a lazy page who follows an in-page link to ``#comment-<id>``
    gets the thread at once, the comment focused; a link to another anchor of the page
    (``#top``) loads nothing."""
    allow_origin(db, publisher.origin)
    row = stored(db, state=State.PUBLISHED, thread="long-read", text="The linked comment.")
    links = f'<p id="top"><a href="#top">Top</a> <a href="#comment-{row.id}">a comment</a></p>'
    urls = requests_of(page)
    loaded(page, article(publisher, live_server, LAZY, extra=links))
    page.get_by_role("link", name="Top").click()
    page.evaluate(SETTLED)
    assert thread_requests(urls) == []
    page.get_by_role("link", name="a comment").click()
    expect(widget(page).locator(f"#m-c-{row.id} > article")).to_be_focused()


def test_without_intersection_observer_a_lazy_thread_loads_at_once(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A browser without IntersectionObserver loads a lazy thread at once, far below the
    fold, rather than never."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="long-read", text="Loaded anyway.")
    page.add_init_script("delete window.IntersectionObserver")
    page.goto(article(publisher, live_server, LAZY))
    expect(widget(page).get_by_text("Loaded anyway.")).to_be_attached()


def test_moderato_render_loads_a_lazy_thread_at_once(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A single-page app's ``Moderato.render`` on a lazy page (before anything was fetched)
    shows the thread it names at once: an explicit call is not deferred."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="next-article", text="On the next article.")
    urls = requests_of(page)
    loaded(page, article(publisher, live_server, LAZY))
    assert thread_requests(urls) == []
    page.evaluate("Moderato.render({thread: 'next-article'})")
    expect(widget(page).get_by_text("On the next article.")).to_be_attached()


@pytest.mark.parametrize("attrs", ["", 'data-loading="eager"', 'data-loading="later"'])
def test_without_lazy_the_thread_loads_at_once_below_the_fold(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database, attrs: str
) -> None:
    """Without the attribute (or with another value) nothing changes: the thread far below
    the fold is fetched and rendered on load, no scroll needed."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="long-read", text="Here from the start.")
    page.goto(article(publisher, live_server, attrs))
    expect(widget(page).get_by_text("Here from the start.")).to_be_attached()
    assert page.evaluate("window.scrollY") == 0


def test_count_links_are_filled_while_a_lazy_thread_waits(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """The comment-count script is separate: on a page whose thread is lazy (and not yet
    near), a count link at the top gets its number at once."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="long-read", text="Counted.")
    count = (
        '<a href="#comments" data-moderato-count="long-read">Comments</a>'
        f'<script src="{live_server.url}/embed/count.js" data-site="default" async></script>'
    )
    urls = requests_of(page)
    loaded(page, article(publisher, live_server, LAZY, extra=count))
    expect(page.locator("[data-moderato-count]")).to_have_text("1 comment")
    assert thread_requests(urls) == []
