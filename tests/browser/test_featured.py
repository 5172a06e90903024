"""Featured comments in headless Chromium: a moderator features one by keyboard, readers see
the badge and the Featured view in the widget; axe-core finds nothing serious in either."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from service import featured
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed_a11y import VARIANTS, axe_violations, blocking, seed_thread
from tests.browser.test_moderation import log_in
from tests.factories import stored

pytestmark = pytest.mark.browser


@pytest.fixture
def problems(page: Page) -> Iterator[list[str]]:
    """Collect script errors, console errors (CSP violations included) and dialogs."""
    found: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            found.append(f"console: {msg.text} ({msg.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: found.append(f"pageerror: {exc}"))
    page.on("dialog", lambda d: (found.append(f"dialog: {d.message}"), d.dismiss()))
    yield found


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page that may inject axe-core despite our pages' strict CSP."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    yield ctx.new_page()
    ctx.close()


def featured_of(db: Database, comment_id: str) -> bool:
    """Tell whether a comment is featured, from the database."""
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row.featured_at is not None


def widget(page: Page) -> Locator:
    """Return the widget's root inside its shadow root."""
    return page.locator("#moderato-thread section.m")


def test_a_moderator_features_by_keyboard_and_the_article_shows_it(
    db: Database, live_server: LiveServer, page: Page, problems: list[str]
) -> None:
    """On the Published queue a moderator presses ``j`` then ``f``: the card stays, focused,
    with a "Featured" badge and an Unfeature button, and ``?`` lists the key. The article's
    widget then marks the comment "Featured" and offers "Featured (1)", a toggle that shows
    only it and then everything again. ``f`` once more unfeatures it, and the widget drops
    both badge and control."""
    seed_thread(db)
    log_in(page, live_server, db)
    page.goto(f"{live_server.url}/moderation/queue/published")
    card = page.locator("li.card").first
    expect(card).to_have_class(re.compile(r"\bcurrent\b"))  # the queue's script is running
    cid = card.get_attribute("data-id")
    assert cid is not None
    name = card.locator(".author").inner_text()
    page.keyboard.press("j")
    expect(card).to_be_focused()
    page.keyboard.press("f")
    expect(page.locator("#live")).to_contain_text(f"Featured (\u2068{name}\u2069).")
    card = page.locator(f"#c-{cid}")
    expect(card.locator(".badge.featured")).to_have_text("Featured")
    expect(card.get_by_role("button", name=re.compile("^Unfeature"))).to_be_visible()
    expect(card).to_be_focused()
    assert featured_of(db, cid)
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_contain_text("Feature a published comment")
    page.keyboard.press("Escape")

    page.goto(f"{live_server.url}/demo")
    w = widget(page)
    expect(w.locator("article.card")).to_have_count(4)
    pick = w.get_by_role("button", name="Featured (1)")
    expect(pick).to_have_attribute("aria-pressed", "false")
    mine = w.locator(f"#m-c-{cid} > article")
    expect(mine.locator(".feat")).to_have_text("Featured")
    expect(w.locator(".feat")).to_have_count(1)
    pick.focus()
    page.keyboard.press("Enter")
    expect(w.locator("article.card")).to_have_count(1)
    expect(mine).to_be_visible()
    expect(pick).to_have_attribute("aria-pressed", "true")
    expect(w.locator("h2")).to_have_text("Comments (4)")  # the thread's count, not the view's
    page.keyboard.press("Enter")
    expect(w.locator("article.card")).to_have_count(4)
    expect(pick).to_have_attribute("aria-pressed", "false")

    page.goto(f"{live_server.url}/moderation/queue/published")
    page.locator(f"#c-{cid}").focus()
    page.keyboard.press("f")
    expect(page.locator("#live")).to_contain_text(f"No longer featured (\u2068{name}\u2069).")
    expect(page.locator(f"#c-{cid} .badge.featured")).to_have_count(0)
    assert not featured_of(db, cid)
    page.goto(f"{live_server.url}/demo")
    expect(widget(page).locator("article.card")).to_have_count(4)
    expect(widget(page).locator(".feat")).to_have_count(0)
    expect(widget(page).get_by_role("button", name=re.compile("^Featured"))).to_be_hidden()
    assert not problems, problems


def _feature_one(db: Database) -> str:
    """Seed the demo thread and feature its first comment; return that comment's id."""
    seed_thread(db)
    first = stored(db, state=State.PUBLISHED, thread="demo", name="Editor's pick", text="Sharp.")
    with db.session() as session:
        assert featured.set_featured(session, first.id, "feature", "user:1") is not None
    return first.id


def test_the_badge_and_the_featured_view_pass_axe(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """In light, dark and right-to-left, the widget with a featured comment, and its
    Featured view switched on, have no serious or critical axe violations (the badge's
    contrast included); so has the no-JS thread in light and dark, in both views."""
    _feature_one(db)
    for variant, url in VARIANTS.items():
        axe_page.goto(live_server.url + url)
        w = widget(axe_page)
        expect(w.locator("article.card")).to_have_count(5)
        expect(w.locator(".feat")).to_have_count(1)
        assert blocking(axe_violations(axe_page)) == [], variant
        w.locator("button[aria-pressed]").click()
        expect(w.locator("article.card")).to_have_count(1)
        assert blocking(axe_violations(axe_page)) == [], f"{variant}, featured view"
    for query in ("theme=light", "theme=dark", "theme=dark&featured=1", "lang=ar&featured=1"):
        axe_page.goto(f"{live_server.url}/embed/thread?thread=demo&format=page&{query}")
        expect(axe_page.locator(".mf-feat")).to_have_count(1)
        assert blocking(axe_violations(axe_page)) == [], query


def test_a_featured_card_passes_axe_in_the_dashboard(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """The Published queue with a featured card (badge, Unfeature button) and that
    comment's page (its history lists the feature) have no serious axe violations."""
    cid = _feature_one(db)
    log_in(axe_page, live_server, db)
    axe_page.goto(f"{live_server.url}/moderation/queue/published")
    expect(axe_page.locator(f"#c-{cid} .badge.featured")).to_be_visible()
    assert blocking(axe_violations(axe_page)) == []
    axe_page.goto(f"{live_server.url}/moderation/comments/{cid}")
    expect(axe_page.locator(f"#c-{cid} .badge.featured")).to_be_visible()
    assert blocking(axe_violations(axe_page)) == []
