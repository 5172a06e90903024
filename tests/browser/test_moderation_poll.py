"""The queue's poll in headless Chromium: what it fetches besides itself."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from flask import Flask
from playwright.sync_api import Page, Request, expect

from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_moderation import log_in
from tests.browser.test_moderation_live import decide_elsewhere, poll, watch
from tests.dashboard import held

pytestmark = pytest.mark.browser

CARD = re.compile(r"/moderation/comments/([^/]+)/card$")


def card_fetches(page: Page) -> Counter[str]:
    """Count the page's reloads of single cards (``GET …/comments/<id>/card``), by id."""
    fetched: Counter[str] = Counter()

    def on_request(request: Request) -> None:
        found = CARD.search(request.url.split("?")[0])
        if found:
            fetched[found.group(1)] += 1

    page.on("request", on_request)
    return fetched


def test_a_card_pushed_to_the_next_page_is_reloaded_once_not_on_every_poll(
    app: Flask, db: Database, live_server: LiveServer, page: Page
) -> None:
    """New arrivals push the page's last two cards onto the next page: the first poll
    reloads each once to learn they are still held (not decided elsewhere); the polls
    after it leave them alone while they stay on screen (each poll reloaded both again).
    Once they are back on the poll's page, a new push reloads them once more."""
    app.config["MODERATION_PAGE_SIZE"] = 3
    problems = watch(page)
    ids = [held(db, text=f"Paged comment {n}.") for n in range(5)]
    top, second, third = ids[::-1][:3]  # newest first
    log_in(page, live_server, db)
    expect(page.locator("li.card")).to_have_count(3)
    fetched = card_fetches(page)

    arrived = [held(db, text=f"New arrival {n} pushes the cards down.") for n in range(2)]
    poll(page)
    expect(page.locator(f"#c-{arrived[1]}")).to_be_visible()
    assert fetched == {second: 1, third: 1}
    for _ in range(3):
        poll(page)
    assert fetched == {second: 1, third: 1}
    for c in (top, second, third):
        expect(page.locator(f"#c-{c}")).not_to_have_class(re.compile("conflict"))

    for c in arrived:  # a colleague decides the arrivals: the pushed cards are back
        decide_elsewhere(db, c)
    poll(page)
    expect(page.locator("li.card.conflict")).to_have_count(2)
    assert fetched == {second: 1, third: 1, arrived[0]: 1, arrived[1]: 1}

    held(db, text="Another arrival.")
    held(db, text="And one more.")
    poll(page)
    poll(page)
    assert fetched == {second: 2, third: 2, arrived[0]: 1, arrived[1]: 1}
    assert not problems, problems


def test_after_a_colleagues_decision_the_pager_and_the_bulk_bar_count_what_is_left(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """A colleague decides one of two held cards: after the poll, the pager counts the one
    card left ("1–1 of 1"; it counted the card marked in red too, "1–2 of 1") and the
    filter-wide bulk bar says "All 1 comment" (it kept the load's plural, "All 1
    comments")."""
    problems = watch(page)
    older = held(db, text="The older comment.")
    held(db, text="The newer comment.")
    log_in(page, live_server, db)
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("1–2 of 2 in all")
    expect(page.locator("form.all-matching label")).to_contain_text(
        "All 2 comments matching this filter"
    )
    decide_elsewhere(db, older)
    poll(page)
    expect(page.locator(f"#c-{older}")).to_have_class(re.compile("conflict"))
    expect(pager).to_contain_text("1–1 of 1 in all")
    expect(page.locator("form.all-matching label")).to_contain_text(
        "All 1 comment matching this filter"
    )
    assert not problems, problems
