"""Defects a reviewer found driving the widget in Chromium, each proved fixed here: focus
kept in the thread when a retried load removes the focused control, no stale messages after
an edit or a deletion, the report form's error cleared while it sends, no token request
(and no CORS error) on a misconfigured page, the reply's context in the textarea's
description, the page's URL sent as the comment's permalink, Report not offered on the
reader's own comment, and the title isolated in the landmark's name."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import FSI, PDI, WAIT_MS, Publisher, allow_origin, open_widget, widget
from tests.browser.test_embed_edit import post_own
from tests.factories import BENIGN, SPAM, stored

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """No minimum fill time: a scripted (instant) form is not a bot."""
    return {**settings, "FORM_TOKEN_MIN_SECONDS": 0}


def fail_first(page: Page, pattern: str) -> None:
    """Make the first request matching ``pattern`` fail as a dropped network would."""
    failures = [1]

    def flaky(route: Route) -> None:
        if failures:
            failures.pop()
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(pattern, flaky)


def focused_in_shadow(page: Page) -> str:
    """Return the tag of the element focused in the widget's shadow root ('' if none)."""
    return str(
        page.evaluate(
            """() => { const r = document.querySelector('#moderato-thread').shadowRoot;
                 const a = r.activeElement; return a ? a.tagName : ''; }"""
        )
    )


def test_try_again_keeps_focus_in_the_thread(page: Page, live_server: LiveServer) -> None:
    """The thread's first load fails; the reader presses "Try again" by keyboard: the
    button goes with the retry, and focus moves to the thread's heading, not <body>."""
    fail_first(page, "**/api/v1/comments?*")
    w = open_widget(page, f"{live_server.url}/demo")
    retry = w.get_by_role("button", name="Try again")
    retry.focus()
    page.keyboard.press("Enter")
    expect(w.locator("h2")).to_be_focused()
    expect(w.locator("h2")).to_have_text("Comments (0)")
    assert focused_in_shadow(page) == "H2"


def test_a_retried_load_more_keeps_focus_in_the_thread(
    app: Flask, page: Page, live_server: LiveServer, db: Database
) -> None:
    """ "Load more" fails; its "Try again", pressed by keyboard, brings the rest: the
    button went with the redraw, and focus is in the thread (on its heading)."""
    app.config["LIST_PAGE_SIZE"] = 2
    for i in range(3):
        stored(db, state=State.PUBLISHED, thread="demo", text=f"Comment number {i}.")
    w = open_widget(page, f"{live_server.url}/demo")
    fail_first(page, "**/api/v1/comments?*cursor=*")
    w.get_by_role("button", name="Load more comments").click()
    retry = w.get_by_role("button", name="Try again")
    retry.focus()
    page.keyboard.press("Enter")
    expect(w.locator("article.card")).to_have_count(3)
    expect(w.locator("h2")).to_be_focused()
    expect(w.locator("div.status[role=status]")).to_have_text("More comments loaded: 1.")


def test_after_an_edit_and_a_deletion_no_message_contradicts_them(
    page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """The reader's comment is published ("Your comment is published." under the form,
    "Comments (2)"); edited into spam it waits for a moderator: the edit is said, the form's
    old message goes, and the heading counts it out; deleted, only the deletion is said and
    the count is the server's (as a reload shows)."""
    start_worker()
    stored(db, state=State.PUBLISHED, thread="demo", name="Ada", text="Is the path lit?")
    w = open_widget(page, f"{live_server.url}/demo")
    card = post_own(w)
    done = w.locator("#m-respond > p.status")
    mine = w.locator("article.card:not(.own)", has_text=BENIGN)
    expect(mine).to_be_visible(timeout=WAIT_MS)
    expect(done).to_have_text("Your comment is published.")
    expect(w.locator("h2")).to_have_text("Comments (2)")
    mine.get_by_role("button", name="Edit your comment").click()
    w.get_by_role("textbox", name="Edit your comment").fill(SPAM)
    w.get_by_role("button", name="Save").click()
    live = w.locator("div.status[role=status]")
    expect(live).to_have_text("Your edit is saved and awaiting moderation.")
    expect(done).to_have_text("")
    expect(w.locator("h2")).to_have_text("Comments (1)")
    card = w.locator("article.card.own", has_text=SPAM)
    card.get_by_role("button", name="Delete your comment").click()
    w.get_by_role("button", name="Yes, delete it").click()
    expect(live).to_have_text("Your comment is deleted.")
    expect(done).to_have_text("")
    expect(w.locator("h2")).to_have_text("Comments (1)")
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("h2")).to_have_text("Comments (1)")


def test_deleting_a_comment_awaiting_moderation_leaves_no_awaiting_message(
    page: Page, live_server: LiveServer
) -> None:
    """Posted ("Your comment is awaiting moderation." under the form) and deleted at once:
    only "Your comment is deleted." is left."""
    w = open_widget(page, f"{live_server.url}/demo")
    card = post_own(w)
    done = w.locator("#m-respond > p.status")
    expect(done).to_have_text("Your comment is awaiting moderation.")
    card.get_by_role("button", name="Delete your comment").click()
    w.get_by_role("button", name="Yes, delete it").click()
    expect(w.locator("div.status[role=status]")).to_have_text("Your comment is deleted.")
    expect(done).to_have_text("")
    expect(w.locator("h2")).to_have_text("Comments (0)")


def test_a_report_sent_after_choose_a_reason_says_sending(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Sent without a reason, the report says "Choose a reason."; sent again with one, the
    error goes while the request is on its way ("Sending…"), and the thanks follow."""
    stored(db, state=State.PUBLISHED, thread="demo", name="Troll", text="You are all idiots.")
    held: list[Route] = []
    page.route("**/api/v1/comments/*/reports", lambda route: held.append(route))
    w = open_widget(page, f"{live_server.url}/demo")
    w.get_by_role("button", name=re.compile("^Report the comment by")).click()
    w.get_by_role("button", name="Send report").click()
    status = w.locator("form.reportf .status")
    expect(status).to_have_text("Choose a reason.")
    w.get_by_role("radio", name="Abusive or harassing").check()
    w.get_by_role("button", name="Send report").click()
    expect(status).to_have_text("Sending…")
    held[0].continue_()
    expect(w.locator("div.status[role=status]")).to_have_text(
        "Thank you. A moderator will look at this comment."
    )


@pytest.mark.parametrize("mistake", ["origin", "site"])
def test_a_misconfigured_page_gets_the_refusal_and_nothing_else(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database, mistake: str
) -> None:
    """A page on an origin the site does not allow, or naming no such site: the console has
    the widget's hint and no CORS error, as no form token is asked for (docs/embed.md: such
    a page "gets that refusal and nothing else"); a page set up right still gets its token."""
    url = publisher.article(live_server)
    if mistake == "site":
        allow_origin(db, publisher.origin)
        publisher.pages["/article"] = publisher.pages["/article"].replace(
            'data-site="default"', 'data-site="dialy-news"'
        )
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    tokens: list[str] = []
    page.on("request", lambda r: tokens.append(r.url) if "/embed/token" in r.url else None)
    page.goto(url)
    w = widget(page)
    expect(w.locator("div.status")).to_contain_text(
        "This page is not allowed" if mistake == "origin" else "not set up correctly"
    )
    page.wait_for_timeout(500)
    assert [m for m in console if m.startswith("warning: moderato:")], console
    assert not [m for m in console if "CORS" in m or "token" in m], console
    assert tokens == []


def test_a_page_set_up_right_gets_its_form_token(page: Page, live_server: LiveServer) -> None:
    """The token is asked for once the thread has come, before the reader posts."""
    with page.expect_request("**/embed/token?*"):
        open_widget(page, f"{live_server.url}/demo")


def test_the_comment_box_says_whom_it_replies_to(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Reply focuses the Comment box, whose description now says "Replying to Ada" besides
    its counter; after Cancel reply it no longer does (the counter stays)."""
    stored(db, state=State.PUBLISHED, thread="demo", name="Ada", text="Is the path lit?")
    w = open_widget(page, f"{live_server.url}/demo")
    box = w.get_by_label(re.compile("^Comment"))
    expect(box).to_have_accessible_description(re.compile(r"\d+ of [\d,]+"))
    expect(box).not_to_have_accessible_description(re.compile("Replying"))
    w.get_by_role("button", name=re.compile("^Reply to")).click()
    expect(box).to_be_focused()
    expect(box).to_have_accessible_description(re.compile(r"\d+ of [\d,]+.*Replying to Ada"))
    w.get_by_role("button", name="Cancel reply").click()
    expect(box).not_to_have_accessible_description(re.compile("Replying"))
    expect(box).to_have_accessible_description(re.compile(r"\d+ of [\d,]+"))


def test_a_comment_from_the_widget_links_the_dashboard_to_its_page(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """On a publisher's article whose thread is a slug (data-thread="publisher-article"),
    a comment posted through the widget carries the page's URL (without its #fragment) as
    its permalink, and the moderation card's thread link opens that page, not the API's
    JSON."""
    from sqlalchemy import update

    from tests.browser.test_moderation import log_in

    allow_origin(db, publisher.origin)
    article = publisher.article(live_server)
    w = open_widget(page, f"{article}?ref=home#comments")
    post_own(w)
    with db.session() as session:
        (row,) = session.scalars(select(Comment)).all()
        assert (row.thread, row.permalink) == ("publisher-article", f"{article}?ref=home")
        session.execute(update(Comment).values(state=State.HELD.value))
    log_in(page, live_server, db)
    link = page.locator(f"#c-{row.id} a.thread")
    expect(link).to_have_attribute("href", f"{article}?ref=home")
    expect(link).to_have_text("publisher-article")


def test_the_readers_own_published_comment_offers_delete_not_report(
    page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """Published, the reader's own comment offers Reply, Edit and Delete but not Report
    (they can delete it); another reader's comment still offers Report."""
    start_worker()
    stored(db, state=State.PUBLISHED, thread="demo", name="Ada", text="Is the path lit?")
    w = open_widget(page, f"{live_server.url}/demo")
    post_own(w)
    mine = w.locator("article.card:not(.own)", has_text=BENIGN)
    expect(mine).to_be_visible(timeout=WAIT_MS)
    expect(mine.get_by_role("button", name="Delete your comment")).to_be_visible()
    expect(mine.get_by_role("button", name=re.compile("^Reply to"))).to_be_visible()
    expect(mine.get_by_role("button", name=re.compile("^Report"))).to_have_count(0)
    other = w.locator("article.card", has_text="Is the path lit?")
    expect(other.get_by_role("button", name=re.compile("^Report"))).to_be_visible()


def test_an_arabic_landmark_isolates_the_articles_title(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """In Arabic the thread's region is "التعليقات: <title>" with the title in FSI … PDI
    (its direction controls dropped, as for a name): a left-to-right title, or one carrying
    an override, cannot reorder the label."""
    allow_origin(db, publisher.origin)
    url = publisher.article(live_server)
    publisher.pages["/article"] = publisher.pages["/article"].replace(
        'data-site="default"', 'data-site="default" data-lang="ar" data-title="River \u202epath"'
    )
    page.goto(url)
    region = f"التعليقات: {FSI}River path{PDI}"
    expect(widget(page)).to_have_attribute("aria-label", region)
    expect(page.get_by_role("region", name=region, exact=True)).to_have_count(1)
