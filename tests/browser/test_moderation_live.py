"""Two moderators at once in headless Chromium: what a colleague does shows on an open
queue with the next poll (features, reports), without a redraw of the card in hand; the
tabs' counts follow the active filter."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, expect

from service import reports
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_moderation import log_in
from tests.dashboard import held

pytestmark = pytest.mark.browser

FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def colleague(browser: Browser) -> Iterator[Page]:
    """A second moderator's browser: a profile (and session) of its own."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    yield ctx.new_page()
    ctx.close()


def watch(page: Page) -> list[str]:
    """Collect a page's script errors and console errors."""
    found: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            found.append(f"console: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: found.append(f"pageerror: {exc}"))
    return found


def poll(page: Page) -> None:
    """Run the queue's poll now (it runs every 10 s) and wait for its answer."""
    page.evaluate("window.moderatoQueue.poll()")


def test_a_colleagues_feature_shows_on_an_open_card_without_taking_focus(
    db: Database, live_server: LiveServer, page: Page, colleague: Page
) -> None:
    """Both moderators have Published open. The colleague features a card by keyboard; at
    my next poll that card shows the badge and an Unfeature button (its accessible name
    follows) while I am typing a note in it: focus and the note stay, the card is not
    redrawn, and the live region says who was featured. The "Featured only" count
    follows, and an unfeature comes back the same way."""
    problems = watch(page) + watch(colleague)
    older = held(db, state=State.PUBLISHED, text="An older comment, also published.")
    pick = held(db, state=State.PUBLISHED, text="The comment worth featuring.", name="Grace Hopper")
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published")
    log_in(colleague, live_server, db, email="colleague@example.org")
    colleague.goto(f"{live_server.url}/moderation/queue/published")

    mine = page.locator(f"#c-{pick}")
    note = mine.get_by_role("textbox", name=re.compile("^Note for the comment by"))
    note.fill("draft note")
    expect(note).to_be_focused()
    page.evaluate(f"document.getElementById('c-{pick}').dataset.marker = 'same element'")
    expect(page.locator("#featured-count")).to_have_text("0")

    theirs = colleague.locator(f"#c-{pick}")
    theirs.focus()
    colleague.keyboard.press("f")
    expect(theirs.locator(".badge.featured")).to_be_visible()

    poll(page)
    expect(mine.locator(".badge.featured")).to_have_text("Featured")
    expect(mine.get_by_role("button", name="Unfeature f")).to_be_visible()
    expect(mine.locator('button[data-key="f"]')).to_have_attribute("value", "unfeature")
    expect(page.locator("#live")).to_contain_text(
        f"Someone else featured the comment by {FSI}Grace Hopper{PDI}."
    )
    expect(note).to_be_focused()
    expect(note).to_have_value("draft note")
    assert mine.get_attribute("data-marker") == "same element"  # not redrawn
    expect(page.locator("#featured-count")).to_have_text("1")
    expect(page.locator(f"#c-{older} .badge.featured")).to_have_count(0)

    colleague.keyboard.press("f")  # unfeature
    expect(theirs.locator(".badge.featured")).to_have_count(0)
    poll(page)
    expect(mine.locator(".badge.featured")).to_have_count(0)
    expect(mine.get_by_role("button", name="Feature f")).to_be_visible()
    expect(page.locator("#live")).to_contain_text("Someone else unfeatured the comment by")
    expect(note).to_be_focused()
    expect(page.locator("#featured-count")).to_have_text("0")
    assert not problems, problems


def test_my_own_feature_is_not_undone_by_a_poll_answered_before_it(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """A poll the server answered before my feature landed (the card not featured yet)
    arrives after it: the card keeps its badge and says nothing about a colleague."""
    problems = watch(page)
    pick = held(db, state=State.PUBLISHED, text="Mine to feature.")
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published")
    card = page.locator(f"#c-{pick}")
    expect(card).to_have_class(re.compile("current"))
    held_back: list[Route] = []
    page.route("**/poll*", lambda route: held_back.append(route))
    page.evaluate("() => { window.slowPoll = window.moderatoQueue.poll(); }")
    for _ in range(100):  # Playwright calls the handler while the test waits on it
        if held_back:
            break
        page.wait_for_timeout(20)
    answer = held_back[0].fetch()  # answered now: the card not featured yet
    card.focus()
    page.keyboard.press("f")
    expect(card.locator(".badge.featured")).to_be_visible()
    held_back[0].fulfill(response=answer)
    page.evaluate("window.slowPoll")  # the poll has handled its answer
    expect(card.locator(".badge.featured")).to_be_visible()
    expect(page.locator("#live")).not_to_contain_text("Someone else")
    page.unroute("**/poll*")
    assert not problems, problems


def test_new_reports_show_on_cards_away_from_the_one_in_hand(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """Readers report two published cards while the page is open: the poll adds the
    reports (and the Keep button) to the card I am not on, and leaves the card in hand as
    it was until I move off it ("Keep" closes the reports the card showed)."""
    problems = watch(page)
    away = held(db, state=State.PUBLISHED, text="Reported while I look elsewhere.")
    in_hand = held(db, state=State.PUBLISHED, text="Reported while I read it.")
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published")
    current = page.locator(f"#c-{in_hand}")
    expect(current).to_have_class(re.compile("current"))
    current.focus()
    with db.session() as session:
        for n, cid in enumerate((away, in_hand)):
            comment = session.get(Comment, cid)
            assert comment is not None
            reports.add(session, comment, "spam", "buy-now link", f"{n:064x}")
    poll(page)
    other = page.locator(f"#c-{away}")
    expect(other.locator("div.reports")).to_contain_text("Reported 1 time by readers")
    expect(other.get_by_role("button", name="Keep: dismiss reports d")).to_be_visible()
    expect(current.locator("div.reports")).to_have_count(0)
    expect(current).to_be_focused()
    other.focus()
    poll(page)
    expect(current.locator("div.reports")).to_contain_text("Reported 1 time by readers")
    expect(page.locator('.tabs .count[data-queue="reported"]')).to_have_text("2")
    assert not problems, problems


def test_my_unfeature_on_featured_only_takes_the_card_off_the_list(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """On "Featured only", unfeaturing a pick by keyboard takes its card off the list and
    moves on to the next pick, as any action that takes a card out of its queue does. It
    stayed, and the next poll marked it in red as "decided by someone else"."""
    problems = watch(page)
    picks = [held(db, state=State.PUBLISHED, text=f"Editors' pick {i}.") for i in range(3)]
    with db.session() as session:
        for cid in picks:
            comment = session.get(Comment, cid)
            assert comment is not None
            comment.featured_at = comment.created_at
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published?featured=1")
    cards = page.locator("li.card")
    expect(cards).to_have_count(3)
    first = cards.first
    first_id = first.get_attribute("id")
    first.focus()
    page.keyboard.press("f")
    expect(page.locator("#live")).to_contain_text("No longer featured")
    expect(page.locator(f"#{first_id}")).to_have_count(0)
    expect(cards).to_have_count(2)
    expect(cards.first).to_have_class(re.compile("current"))
    poll(page)
    expect(page.locator("#featured-count")).to_have_text("2")
    expect(page.locator("li.card.conflict")).to_have_count(0)
    expect(page.locator("#live")).not_to_contain_text("someone else")
    assert not problems, problems


def test_tab_counts_follow_the_reason_filter_on_every_poll(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """Filtered by "classifier error", the Held tab reads "Held 1 (filtered)" and a poll
    counts the new unscored comments only; the other tabs keep their whole counts."""
    problems = watch(page)
    held(db, spam=None, toxicity=None, text="Could not be scored.")
    held(db)
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/held?reason=classifier_error")
    tab = page.get_by_role("navigation", name="Queues").get_by_role(
        "link", name=re.compile("^Held")
    )
    expect(tab).to_have_accessible_name("Held 1 (filtered)")
    expect(page.get_by_role("link", name="Published 0")).to_be_visible()
    held(db, spam=None, toxicity=None, text="Another one the classifier failed on.")
    held(db)
    poll(page)
    expect(tab).to_have_accessible_name("Held 2 (filtered)")
    expect(page).to_have_title(re.compile(r"^Held \(2\)"))
    assert not problems, problems


def test_a_colleagues_unfeature_on_featured_only_says_unfeatured(
    db: Database, live_server: LiveServer, page: Page, colleague: Page
) -> None:
    """Both moderators have "Featured only" open; the colleague unfeatures a pick that is
    not the last. At my next poll its card is marked in red, out of the list, and the live
    region says "Someone else unfeatured the comment by …", not that someone else decided
    it (the state did not change: it is still published)."""
    problems = watch(page) + watch(colleague)
    picks = [
        held(db, state=State.PUBLISHED, text=f"Editors' pick {i}.", name=name)
        for i, name in enumerate(("Ada Lovelace", "Grace Hopper", "Alan Turing"))
    ]
    with db.session() as session:
        for cid in picks:
            comment = session.get(Comment, cid)
            assert comment is not None
            comment.featured_at = comment.created_at
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published?featured=1")
    log_in(colleague, live_server, db, email="colleague@example.org")
    colleague.goto(f"{live_server.url}/moderation/queue/published?featured=1")
    expect(page.locator("li.card")).to_have_count(3)

    theirs = colleague.locator(f"#c-{picks[1]}")
    theirs.focus()
    colleague.keyboard.press("f")
    expect(colleague.locator(f"#c-{picks[1]}")).to_have_count(0)

    poll(page)
    mine = page.locator(f"#c-{picks[1]}")
    expect(mine).to_have_class(re.compile("conflict"))
    expect(mine.locator(".badge.featured")).to_have_count(0)
    expect(page.locator("#live")).to_contain_text(
        f"Someone else unfeatured the comment by {FSI}Grace Hopper{PDI} (marked in red)."
    )
    expect(page.locator("#live")).not_to_contain_text("decided by someone else")
    expect(page.locator("#featured-count")).to_have_text("2")
    assert not problems, problems


def decide_elsewhere(db: Database, comment_id: str) -> None:
    """Mark a held comment as spam as another moderator would."""
    from service.lifecycle import Change, transition
    from service.status import Rejection

    with db.session() as session:
        change = Change(State.HELD, State.REJECTED, "user:99", "spam", rejection=Rejection.SPAM)
        assert transition(session, comment_id, change) is not None


def test_a_poll_marks_the_only_card_of_a_queue_a_colleague_decided(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """A one-page queue whose last card (and then its only one) a colleague decides: the
    next poll marks it in red and says so. It stayed as it was: only a card with a later
    card still listed was marked (found in review)."""
    problems = watch(page)
    older = held(db, text="The older comment, at the bottom.")
    newer = held(db, text="The newer comment, on top.")
    log_in(page, live_server, db)
    expect(page.locator("li.card")).to_have_count(2)
    decide_elsewhere(db, older)
    poll(page)
    expect(page.locator(f"#c-{older}")).to_have_class(re.compile("conflict"))
    expect(page.locator("#live")).to_contain_text("1 comment was decided by someone else")
    expect(page.locator(f"#c-{newer}")).not_to_have_class(re.compile("conflict"))

    decide_elsewhere(db, newer)
    poll(page)
    expect(page.locator(f"#c-{newer}")).to_have_class(re.compile("conflict"))
    expect(page.locator("li.card.conflict")).to_have_count(2)
    assert not problems, problems


def test_a_poll_tells_a_decided_last_card_from_one_pushed_to_the_next_page(
    app: Flask, db: Database, live_server: LiveServer, page: Page
) -> None:
    """With later pages, a trailing card the poll's page no longer holds is reloaded: one a
    colleague decided is marked in red; one that a new arrival pushed onto the next page
    is still held and is left alone, unmarked and usable."""
    app.config["MODERATION_PAGE_SIZE"] = 3
    problems = watch(page)
    ids = [held(db, text=f"Paged comment {n}.") for n in range(5)]
    shown = ids[::-1][:3]  # newest first
    log_in(page, live_server, db)
    expect(page.locator("li.card")).to_have_count(3)

    decide_elsewhere(db, shown[2])  # the last card of the first page
    poll(page)
    expect(page.locator(f"#c-{shown[2]}")).to_have_class(re.compile("conflict"))
    expect(page.locator("#live")).to_contain_text("1 comment was decided by someone else")

    page.reload()
    expect(page.locator("li.card.conflict")).to_have_count(0)
    shown = [page.locator("li.card").nth(i).get_attribute("id") for i in range(3)]
    arrived = [held(db, text=f"New arrival {n} pushes the cards down.") for n in range(2)]
    decide_elsewhere(db, str(shown[1]).removeprefix("c-"))
    poll(page)
    expect(page.locator(f"#c-{arrived[1]}")).to_be_visible()
    expect(page.locator(f"#{shown[1]}")).to_have_class(re.compile("conflict"))
    expect(page.locator(f"#{shown[2]}")).not_to_have_class(re.compile("conflict"))  # on page 2
    expect(page.locator("#live")).to_contain_text("1 comment was decided by someone else")
    assert not problems, problems


def test_my_own_feature_updates_the_featured_count_at_once(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """The queue polls right after each action (docs/moderation.md): after a removal it
    did, but a feature or unfeature, whose card stays, left "Featured only (0)" as it was
    until the next poll, 10 s later. The count follows my own key at once now, and my own
    feature is not said as a colleague's."""
    problems = watch(page)
    pick = held(db, state=State.PUBLISHED, text="Worth featuring.")
    held(db, state=State.PUBLISHED, text="Another published comment.")
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published")
    expect(page.locator("#featured-count")).to_have_text("0")
    card = page.locator(f"#c-{pick}")
    card.focus()
    page.keyboard.press("f")
    expect(card.locator(".badge.featured")).to_be_visible()
    expect(page.locator("#featured-count")).to_have_text("1", timeout=3_000)
    page.keyboard.press("f")  # unfeature
    expect(card.locator(".badge.featured")).to_have_count(0)
    expect(page.locator("#featured-count")).to_have_text("0", timeout=3_000)
    expect(page.locator("#live")).not_to_contain_text("Someone else")
    assert not problems, problems


def test_a_conflict_brings_the_counts_up_to_date_at_once(
    db: Database, live_server: LiveServer, page: Page, colleague: Page
) -> None:
    """A colleague approved two held comments after my page loaded. My key on one of them
    is a conflict (the card is marked in red): the tabs, the title and the pager said
    "Held 3" until the next poll, 10 s later, while the queue held 1. They follow at once
    now, and the other card my colleague decided is marked too."""
    ids = [held(db, text=f"Held comment {i}.") for i in range(3)]
    log_in(page, live_server, db)
    log_in(colleague, live_server, db, email="colleague@example.org")
    expect(page.locator('.tabs .count[data-queue="held"]')).to_have_text("3")
    for cid in ids[:2]:
        card = colleague.locator(f"#c-{cid}")
        card.focus()
        colleague.keyboard.press("a")
        expect(card).to_have_count(0)
    mine = page.locator(f"#c-{ids[0]}")
    mine.focus()
    page.keyboard.press("s")
    expect(mine).to_have_class(re.compile("conflict"))
    expect(page.locator('.tabs .count[data-queue="held"]')).to_have_text("1", timeout=3_000)
    expect(page).to_have_title(re.compile(r"^Held \(1\)"))
    expect(page.locator(f"#c-{ids[1]}")).to_have_class(re.compile("conflict"))
