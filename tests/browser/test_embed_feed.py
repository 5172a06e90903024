"""The widget's Atom feed link, and a feed entry's link into the widget, in Chromium."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import open_widget, widget
from tests.factories import stored

pytestmark = pytest.mark.browser


def test_the_widget_links_to_its_threads_atom_feed(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """The widget shows a link named "Comments feed (Atom)" (in the reader's language) to
    its thread's feed on the comments host, site and thread encoded; the feed it names
    holds the thread's published comment."""
    comment = stored(db, state=State.PUBLISHED, thread="demo", text="An early comment.")
    w = open_widget(page, f"{live_server.url}/demo")
    link = w.get_by_role("link", name="Comments feed (Atom)")
    expect(link).to_have_attribute(
        "href", f"{live_server.url}/feed/thread.atom?site=default&thread=demo"
    )
    expect(link).to_have_attribute("type", "application/atom+xml")
    href = link.get_attribute("href")
    assert href is not None
    feed = feedparser.parse(page.request.get(href).body())
    assert [e.id for e in feed.entries] == [f"urn:moderato:comment:{comment.id}"]

    page.evaluate("Moderato.render({thread: 'https://news.example/a b?c=1&d=2'})")
    expect(w.get_by_role("link", name="Comments feed (Atom)")).to_have_attribute(
        "href",
        f"{live_server.url}/feed/thread.atom?site=default"
        "&thread=https%3A%2F%2Fnews.example%2Fa+b%3Fc%3D1%26d%3D2",
    )
    w = open_widget(page, f"{live_server.url}/demo?lang=fr")
    expect(w.get_by_role("link", name="Flux des commentaires (Atom)")).to_be_visible()


def test_a_feed_entrys_link_scrolls_the_widget_to_its_comment(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """The article opened at an entry's ``#comment-<id>`` shows that comment, although the
    widget's comments live in its shadow root where the page's anchors do not reach; without
    the fragment the page opens at its top."""
    comments = [
        stored(db, state=State.PUBLISHED, thread="demo", text=f"Comment number {i}.")
        for i in range(30)
    ]
    with db.session() as session:
        for i, comment in enumerate(comments):
            session.execute(
                update(Comment)
                .where(Comment.id == comment.id)
                .values(created_at=comment.created_at - timedelta(minutes=30 - i))
            )
    last = comments[-1]
    open_widget(page, f"{live_server.url}/demo")
    card = widget(page).locator(f"[id='m-c-{last.id}']")
    expect(card).to_have_count(1)
    expect(card).not_to_be_in_viewport()
    page.goto("about:blank")  # a fresh load, as from a feed reader (not a same-page jump)
    open_widget(page, f"{live_server.url}/demo#comment-{last.id}")
    expect(card).to_be_in_viewport()
