"""The moderator dashboard in headless Chromium: log in, review, act by keyboard, bulk, XSS."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import update

from service.store import Database
from service.store.tables import Comment, Site
from tests.browser.conftest import LiveServer
from tests.dashboard import PASSWORD, held, make_user, state_of
from tests.factories import post
from tests.helpers import wait_for

pytestmark = pytest.mark.browser

#: A text the shipped spam model scores between the publish and reject thresholds (held).
HELD_TEXT = "Interesting read. Visit my blog for more on this topic: http://myblog.example"


@pytest.fixture
def problems(page: Page) -> Iterator[list[str]]:
    """Collect script errors, console errors (CSP violations included) and dialogs on the page."""
    found: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            found.append(f"console: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: found.append(f"pageerror: {exc}"))
    page.on("dialog", lambda d: (found.append(f"dialog: {d.message}"), d.dismiss()))
    yield found


def log_in(
    page: Page,
    live_server: LiveServer,
    db: Database,
    email: str = "admin@example.org",
    *,
    scripts: bool = True,
) -> None:
    """Create an admin and log in through the login form (``scripts``: wait for the queue's
    scripts, unless the page runs none)."""
    make_user(db, email)
    page.goto(f"{live_server.url}/moderation/")
    expect(page).to_have_url(f"{live_server.url}/moderation/login?next=/moderation/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Queues")).to_be_visible()
    if (
        scripts and "/queue/" in page.url
    ):  # the queue's deferred scripts have run: keys and poll() work
        page.wait_for_function("() => window.moderatoQueue !== undefined")


@pytest.mark.slow
def test_log_in_review_highlighted_reasons_and_approve_by_keyboard(
    app: Flask,
    db: Database,
    live_server: LiveServer,
    page: Page,
    problems: list[str],
    start_worker: Callable[..., Any],
    screenshots_dir: Path,
) -> None:
    """A moderator logs in, sees why a comment was held, approves it with 'a'; it is published."""
    # Pre-moderation with no automatic rejection: the real worker holds the comment whatever the
    # current models score it, with the spam model's real reasons attached.
    with db.session() as session:
        session.execute(
            update(Site)
            .where(Site.slug == "default")
            .values(policy={"mode": "pre", "reject_above": {"spam": 1.0, "toxicity": 1.0}})
        )
    start_worker()
    client = app.test_client()
    comment_id = post(client, thread="browser-approve", name="Sam", text=HELD_TEXT).get_json()["id"]
    wait_for(lambda: state_of(db, comment_id)[0] != "pending", timeout=30)
    assert state_of(db, comment_id) == ("held", None)

    log_in(page, live_server, db)
    card = page.locator(f"#c-{comment_id}")
    expect(card).to_be_visible()
    with db.session() as session:
        decision = session.get(Comment, comment_id).decision  # type: ignore[union-attr]
    assert decision is not None
    placed = [r for r in decision["reasons"] if r["span"]]
    assert placed, decision
    for reason in placed:  # every reason the worker stored is highlighted, with its weight
        a, b = reason["span"]
        quoted = f"\u2068{reason['text']}\u2069"  # isolated: the comment's words, in a title
        expected = f"{reason['model']}: {reason['kind']} “{quoted}” (weight {reason['weight']:.2f})"
        # reasons on the same words share one mark, their labels joined with "; "
        expect(card.locator("mark.r", has_text=HELD_TEXT[a:b]).first).to_have_attribute(
            "title", re.compile(f"(^|; ){re.escape(expected)}(;|$)")
        )
    expect(card.locator(".summary")).to_contain_text(decision["summary"][0])
    expect(card.locator(".model")).to_contain_text("spam-")
    expect(card).to_have_class("card state-held current")

    page.keyboard.press("j")
    expect(card).to_be_focused()
    page.keyboard.press("a")
    expect(card).to_have_count(0)
    expect(page.locator("#live")).to_contain_text("Approve: done")
    assert not problems, problems

    thread = page.request.get(f"{live_server.url}/api/v1/comments?thread=browser-approve").json()
    assert [item["id"] for item in thread["items"]] == [comment_id]


def test_bulk_reject_a_filtered_spam_wave_of_50(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """Filtering the held queue to a 50-comment spam wave and confirming marks just those spam."""
    wave = [
        held(
            db,
            text=f"Cheap watches, best price {n}! http://watches.example",
            email=f"w{n}@wave.example",
        )
        for n in range(50)
    ]
    bystanders = [
        held(db, text=f"A real reader's comment {n}", email=f"r{n}@example.org") for n in range(3)
    ]
    log_in(page, live_server, db)
    expect(page.locator('.tabs .count[data-queue="held"]')).to_have_text("53")

    page.get_by_text("Filter and sort").click()
    page.get_by_label("Author e-mail or @domain").fill("@wave.example")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#matching-count")).to_have_text("50")
    page.locator("#all-action").select_option("spam")
    page.get_by_role("button", name="Review…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Spam: 50 comments?")
    page.get_by_role("button", name="Spam: 50 comments").click()
    expect(page.locator(".flash-success")).to_contain_text("Spam: 50 of 50 comments done.")
    expect(page.locator("li.card")).to_have_count(0)
    assert all(state_of(db, i) == ("rejected", "spam") for i in wave)
    assert all(state_of(db, i) == ("held", None) for i in bystanders)
    assert not problems, problems


def test_hostile_comment_text_renders_as_text(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """A comment '<img src=x onerror=alert(1)>' shows as text (highlighted or not), runs nothing."""
    hostile = "<img src=x onerror=alert(1)>"
    first = held(
        db,
        text=hostile,
        reasons=[{"model": "spam", "kind": "token", "text": "img", "weight": 1, "span": [1, 4]}],
    )
    log_in(page, live_server, db)
    card = page.locator(f"#c-{first}")
    expect(card.locator(".text")).to_have_text(hostile)
    expect(card.locator("img")).to_have_count(0)

    second = held(
        db,
        text=(
            "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"
        ),
    )
    page.evaluate("window.moderatoQueue.poll()")
    expect(page.locator(f"#c-{second}")).to_be_visible()
    expect(page.locator("li.card img, li.card script")).to_have_count(0)
    assert page.title() != "pwned"
    assert not problems, problems


def test_conflict_refreshes_the_card(
    app: Flask, db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """When another moderator acted first, the action reports a conflict; the card shows why."""
    cid = held(db)
    log_in(page, live_server, db)
    card = page.locator(f"#c-{cid}")
    expect(card).to_have_class("card state-held current")  # the queue's script is running
    with db.session() as session:
        from service.lifecycle import Change, transition
        from service.status import Rejection, State

        transition(
            session,
            cid,
            Change(State.HELD, State.REJECTED, "user:99", "spam", rejection=Rejection.SPAM),
        )
    page.keyboard.press("a")
    expect(page.locator("#live")).to_contain_text("Someone else acted on this comment")
    expect(card).to_have_attribute("data-state", "rejected")
    expect(card).to_have_class("card state-rejected conflict current")
    assert state_of(db, cid) == ("rejected", "spam")
    assert not [p for p in problems if "409" not in p], problems
    # the redrawn card's ban form goes back to this queue page, not to the Bans page
    here = page.evaluate("location.pathname + location.search")
    expect(card.locator('form.ban-form input[name="next"]')).to_have_value(here)


def test_keyboard_only_with_visible_focus(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """'?' lists shortcuts; j/k move a visible focus; x selects; s marks spam; no mouse needed."""
    ids = [held(db, text=f"Comment number {n} http://x{n}.example") for n in range(3)]
    log_in(page, live_server, db)
    expect(page.locator("li.card.current")).to_have_count(1)  # the queue's script is running
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.keyboard.press("j")
    page.keyboard.press("Shift+J")  # CapsLock or Shift does not switch shortcuts off
    focused = page.locator(f"#c-{ids[1]}")
    expect(focused).to_be_focused()
    outline = focused.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
    page.keyboard.press("k")
    expect(page.locator(f"#c-{ids[2]}")).to_be_focused()
    page.keyboard.press("x")
    expect(page.locator("#selected-count")).to_have_text("1 selected")
    page.keyboard.press("s")
    expect(page.locator(f"#c-{ids[2]}")).to_have_count(0)
    assert state_of(db, ids[2]) == ("rejected", "spam")
    page.keyboard.press("Tab")
    active = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert active == "solid", active
    assert not problems, problems


def test_queue_updates_on_its_own(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """A comment held after the page loaded appears with the next poll, and the count follows."""
    log_in(page, live_server, db)
    expect(page.locator("#empty")).to_be_visible()
    cid = held(db, text="Arrived later http://late.example")
    page.evaluate("window.moderatoQueue.poll()")
    expect(page.locator(f"#c-{cid}")).to_be_visible()
    expect(page.locator('.tabs .count[data-queue="held"]')).to_have_text("1")
    assert not problems, problems


def test_later_page_refills_as_cards_are_handled(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """On page 2, a handled card's place is taken by the next one, and Next skips nothing."""
    ids = [held(db, text=f"Wave {n} http://w{n}.example") for n in range(60)]
    newest = ids[::-1]
    log_in(page, live_server, db)
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("26–50 of 60 in all")
    expect(page.locator("li.card").first).to_have_id(f"c-{newest[25]}")
    expect(page.locator("li.card.current")).to_have_count(1)
    page.keyboard.press("s")  # the current card (the first) is spam
    expect(page.locator(f"#c-{newest[25]}")).to_have_count(0)
    expect(page.locator(f"#c-{newest[50]}")).to_be_visible()  # moved up from page 3
    expect(page.locator("li.card")).to_have_count(25)
    page.get_by_role("link", name="Next →").click()
    shown = page.locator("li.card").evaluate_all("cards => cards.map(c => c.id.slice(2))")
    assert shown == newest[51:], shown
    assert not problems, problems


def test_works_without_javascript(browser: Browser, db: Database, live_server: LiveServer) -> None:
    """With JavaScript off, the card's buttons and the bulk form still act, through plain forms."""
    ids = [held(db, text=f"Plain form {n} http://p{n}.example") for n in range(3)]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server, db, scripts=False)
        page.locator(f"#c-{ids[0]}").get_by_role("button", name="Approve").click()
        expect(page.locator(".flash-success")).to_contain_text("Approve: done")
        expect(page.locator(f"#c-{ids[0]}")).to_have_count(0)
        page.locator(f"#c-{ids[1]} input.select").check()
        page.locator(f"#c-{ids[2]} input.select").check()
        page.locator("#bulk-form").get_by_role("button", name="Spam", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text("Spam: 2 of 2 comments done.")
        assert state_of(db, ids[0]) == ("published", None)
        assert state_of(db, ids[1]) == state_of(db, ids[2]) == ("rejected", "spam")
    finally:
        context.close()


def test_a_poll_answered_before_an_action_does_not_bring_the_card_back(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """A slow poll that the server answered before an approval lands after it: the approved
    card stays gone (review finding: cards came back marked new, then 409 on acting)."""
    ids = [held(db, text=f"Slow poll {n} http://s{n}.example") for n in range(2)]
    log_in(page, live_server, db)
    first = page.locator("li.card.current")
    expect(first).to_have_count(1)
    gone = first.get_attribute("id")
    release: list[Any] = []

    def hold_poll(route: Any) -> None:
        release.append(route.fetch())  # answered now (the card still held) …
        release.append(route)

    page.route("**/queue/*/poll*", hold_poll)
    page.evaluate("() => { window.moderatoQueue.poll(); }")  # not awaited: it is held
    for _ in range(100):  # route handlers run while Playwright waits, not in time.sleep
        if len(release) == 2:
            break
        page.wait_for_timeout(100)
    assert len(release) == 2
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(f"#{gone}")).to_have_count(0)
    for n in range(0, len(release), 2):  # the held poll first: delivered after the approval
        release[n + 1].fulfill(response=release[n])
    page.unroute("**/queue/*/poll*")
    page.evaluate("window.moderatoQueue.poll()")
    page.wait_for_timeout(300)
    expect(page.locator(f"#{gone}")).to_have_count(0)
    expect(page.locator("li.card")).to_have_count(1)
    assert {state_of(db, i)[0] for i in ids} == {"published", "held"}
    assert not problems, problems


def test_shortcuts_work_from_a_checkbox_and_the_last_card_leaves_a_message(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """Tab onto a card's checkbox, and j/a still act (only text fields swallow keys); when the
    last card goes, the page says so, keeps focus, and the title and total follow."""
    cid = held(db, text="Only one http://one.example")
    log_in(page, live_server, db)
    expect(page).to_have_title(re.compile(r"\(1\)"))
    page.locator(f"#c-{cid} input.select").focus()
    page.keyboard.press("a")
    expect(page.locator(f"#c-{cid}")).to_have_count(0)
    assert state_of(db, cid) == ("published", None)
    empty = page.locator("#empty")
    expect(empty).to_be_visible()
    expect(empty).to_be_focused()
    expect(page).to_have_title(re.compile(r"\(0\)"))
    expect(page.locator("#page-total")).to_have_text("0")
    assert not problems, problems


def test_a_shortcut_never_acts_on_a_card_scrolled_out_of_sight(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """Scrolled away from the current card, the first 'a' brings it into view and says so;
    only the second approves it (review finding: 'a' approved an off-screen card)."""
    ids = [
        held(db, text=f"Comment {n} " + "long line " * 60 + f"http://c{n}.example")
        for n in range(12)
    ]
    log_in(page, live_server, db)
    current = page.locator("li.card.current")
    expect(current).to_have_count(1)
    cid = current.get_attribute("data-id")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(current).not_to_be_in_viewport()
    page.keyboard.press("a")
    expect(page.locator("#live")).to_contain_text("press it again to act")
    expect(page.locator(f"#c-{cid}")).to_be_in_viewport()
    assert state_of(db, cid) == ("held", None)  # type: ignore[arg-type]
    page.keyboard.press("a")
    expect(page.locator(f"#c-{cid}")).to_have_count(0)
    assert state_of(db, cid) == ("published", None)  # type: ignore[arg-type]
    assert len(ids) == 12 and not problems, problems


def test_the_comment_page_history_follows_an_action(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """On a comment's own page, acting adds the action to the History table in place."""
    cid = held(db)
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/comments/{cid}")
    rows = page.locator("#details table tbody tr")
    expect(rows.first).to_be_visible()
    before = rows.count()
    expect(page.locator("#details")).not_to_contain_text("held → published")
    expect(page.locator(f"#c-{cid}")).to_have_class(re.compile("current"))
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(f"#c-{cid}")).to_have_attribute("data-state", "published")
    expect(rows).to_have_count(before + 1)
    expect(page.locator("#details table")).to_contain_text("held → published")
    expect(page.locator("#details")).to_contain_text("ok by")
    assert not problems, problems


def test_clear_the_reported_queue_by_keyboard(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """The Reported tab counts reported comments; a card says why readers reported it; d
    keeps one (its reports dismissed), r takes the other down."""
    from service import reports
    from service.status import State
    from tests.factories import stored

    ids = []
    for n, text in enumerate(("A sharp but fair comment.", "You are all idiots.")):
        comment_id = stored(db, state=State.PUBLISHED, text=text).id
        with db.session() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None
            reports.add(session, comment, "abusive", "Rude to others" if n else None, f"{n:064x}")
        ids.append(comment_id)
    log_in(page, live_server, db)
    tab = page.get_by_role("link", name=re.compile(r"^Reported"))
    expect(tab).to_contain_text("2")
    tab.click()
    expect(page.locator("li.card")).to_have_count(2)
    expect(page.locator(f"#c-{ids[1]} .reports")).to_contain_text("“Rude to others”")
    page.keyboard.press("j")
    focused = page.locator("li.card.current")
    first = focused.get_attribute("data-id")
    page.keyboard.press("d")
    expect(page.locator(f"#c-{first}")).to_have_count(0)
    page.keyboard.press("j")
    second = page.locator("li.card.current").get_attribute("data-id")
    page.keyboard.press("r")
    expect(page.locator(f"#c-{second}")).to_have_count(0)
    expect(page.locator("#empty")).to_contain_text("Nothing left on this page")
    assert {state_of(db, first), state_of(db, second)} == {
        ("published", None),
        ("rejected", "toxic"),
    }
    assert not problems, problems


def test_after_a_conflict_no_key_or_bulk_action_undoes_a_colleagues_decision(
    app: Flask, db: Database, live_server: LiveServer, page: Page
) -> None:
    """A colleague approved the first card behind this page's back. The key meant for it
    conflicts; the card shows it published, in red, and takes no keys and no selection;
    focus is already on the next card, so the next key acts there (it took the colleague's
    comment down; found in review), and Select page + Spam leaves it alone."""
    from service.lifecycle import Change, transition
    from service.status import State

    ids = [held(db, text=f"Held number {n} http://h{n}.example") for n in range(3)]
    first, second, third = ids[::-1]  # newest first
    log_in(page, live_server, db)
    expect(page.locator(f"#c-{first}")).to_have_class(re.compile("current"))
    with db.session() as session:
        transition(session, first, Change(State.HELD, State.PUBLISHED, "user:99", "approve"))
    page.keyboard.press("r")
    conflict = page.locator(f"#c-{first}")
    expect(conflict).to_have_class(re.compile("conflict"))
    expect(conflict).to_have_attribute("data-state", "published")
    expect(page.locator(f"#c-{second}")).to_be_focused()
    page.keyboard.press("s")
    expect(page.locator(f"#c-{second}")).to_have_count(0)
    assert state_of(db, second) == ("rejected", "spam")
    assert state_of(db, first) == ("published", None)

    page.keyboard.press("k")
    expect(conflict).to_be_focused()
    page.keyboard.press("s")
    expect(page.locator("#live")).to_contain_text("was decided meanwhile")
    assert state_of(db, first) == ("published", None)
    expect(conflict.locator("input.select")).to_be_disabled()

    page.on("dialog", lambda d: d.accept())
    page.locator("#select-all").check()
    expect(page.locator("#selected-count")).to_have_text("1 selected")
    page.locator("#bulk-form").get_by_role("button", name="Spam", exact=True).click()
    wait_for(lambda: state_of(db, third)[0] == "rejected", timeout=10)
    assert state_of(db, first) == ("published", None)


def test_keys_pressed_while_a_decision_saves_each_land_on_their_own_card(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """With 150 ms of network latency and a key every 60 ms, a s a s a s decide six cards in
    order: focus moves on as soon as a decision is sent (keys were dropped, and later
    ones landed on the wrong card; found in review)."""
    ids = [held(db, text=f"Fast number {n} http://f{n}.example") for n in range(6)]
    shown = ids[::-1]
    log_in(page, live_server, db)
    expect(page.locator(f"#c-{shown[0]}")).to_have_class(re.compile("current"))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.locator(f"#c-{shown[0]}").focus()
    for key in "asasas":
        page.keyboard.press(key)
        page.wait_for_timeout(60)
    expect(page.locator("li.card")).to_have_count(0, timeout=15000)
    states = [state_of(db, cid)[0] for cid in shown]
    assert states == ["published", "rejected"] * 3, states


def test_a_poll_marks_cards_another_moderator_decided(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """Cards decided elsewhere are marked as conflicts (inert) by the next poll, instead of
    waiting for a key to find out; a card moving up after one's own action is not
    announced as a new arrival (it overwrote the action's message)."""
    from service.lifecycle import Change, transition
    from service.status import Rejection, State

    ids = [held(db, text=f"Polled number {n} http://p{n}.example") for n in range(27)]
    shown = ids[::-1]
    log_in(page, live_server, db)
    expect(page.locator("li.card")).to_have_count(25)
    with db.session() as session:
        transition(session, shown[3], Change(State.HELD, State.REJECTED, "user:99", "spam",
                                             rejection=Rejection.SPAM))  # fmt: skip
    page.evaluate("window.moderatoQueue.poll()")
    expect(page.locator(f"#c-{shown[3]}")).to_have_class(re.compile("conflict"))
    expect(page.locator("#live")).to_contain_text("1 comment was decided by someone else")

    page.locator(f"#c-{shown[0]}").focus()
    page.keyboard.press("a")
    expect(page.locator(f"#c-{shown[0]}")).to_have_count(0)
    expect(page.locator(f"#c-{shown[25]}")).to_be_visible()  # moved up from page 2
    expect(page.locator("#live")).to_contain_text("Approve: done")
    expect(page.locator("#live")).not_to_contain_text("arrived")
    # the pager follows: 27 held, one decided elsewhere, one approved here
    expect(page.locator(".pager")).to_contain_text("1–25 of 25 in all")


def test_messages_are_said_where_a_keyboard_moderator_is(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """The live region is rendered before its first message (one that appears with it is
    not read), stays in view, keeps an action's result beside a later note, says a
    page's own message (a ban's, with its undo), and a card whose action failed while
    focus moved on is marked (found in review)."""
    first = held(db, email="one@example.org")
    second = held(db, email="two@example.org")
    log_in(page, live_server, db)
    live = page.locator("#live")
    assert live.evaluate("el => getComputedStyle(el).display") != "none"
    assert live.evaluate("el => getComputedStyle(el).position") == "sticky"
    card = page.locator(f"#c-{second}")
    expect(page.locator(f"#c-{second}, #c-{first}").first).to_have_class(re.compile("current"))
    page.context.set_offline(True)
    page.keyboard.press("a")
    expect(live).to_contain_text("The network failed; nothing changed for")
    page.context.set_offline(False)
    failed = page.locator("li.card.failed")
    expect(failed).to_have_count(1)
    page.evaluate("moderato.announce('A note from the poll.', 'info')")
    expect(live.locator("p")).to_have_count(2)
    expect(live).to_contain_text("The network failed")

    card.locator("details.ban summary").click()
    card.locator("form.ban-form button[type=submit]").click()
    expect(live).to_contain_text("Banned email two@example.org on this site.")
    expect(page.get_by_role("button", name=re.compile("^Undo: lift the ban"))).to_be_visible()
