"""What a publisher's review on phones, odd host pages and Windows high contrast found in
the widget (session 16), each proved fixed in headless Chromium: the stylesheets served
minified parse to the same rules; a host page's ``html { font-size: 62.5% }`` does not
shrink the widget; the "edit until" note wraps inside a nested reply at 320 px; empty live
regions stay in the accessibility tree; cards, the fresh comment's ring and a pressed
toggle stay visible with forced colours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from service import featured
from service.embed import assets
from service.status import State
from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, allow_origin, open_widget, widget
from tests.factories import stored

pytestmark = pytest.mark.browser

THREAD = "publisher-article"


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """No minimum fill time: a scripted (instant) form is not a bot."""
    return {**settings, "FORM_TOKEN_MIN_SECONDS": 0}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A 320 px wide phone with touch, at device scale 2."""
    ctx = browser.new_context(
        viewport={"width": 320, "height": 640}, device_scale_factor=2, has_touch=True
    )
    yield ctx.new_page()
    ctx.close()


def rules(page: Page, css: str) -> list[str]:
    """The rules Chromium parses ``css`` into, as it prints them (a ``var()``'s fallback
    keeps its tokens as written: the space after its comma, which nothing reads, goes)."""
    printed = page.evaluate(
        "css => { const s = new CSSStyleSheet(); s.replaceSync(css);"
        " return Array.from(s.cssRules, r => r.cssText); }",
        css,
    )
    return [re.sub(r",\s+", ",", rule) for rule in printed]


@pytest.mark.parametrize("name", ["widget.css", "fallback.css", "demo.css"])
def test_a_minified_stylesheet_parses_to_the_same_rules(page: Page, name: str) -> None:
    """Comments and whitespace go (the widget's stylesheet is inside its 15 KB budget), and
    nothing Chromium reads changes: the same rules, printed the same."""
    source = (assets.resources.files("service.embed") / "static" / name).read_text("utf-8")
    small = assets.minify_css(source)
    assert "/*" not in small and len(small) < len(source)
    assert rules(page, small) == rules(page, source)


def test_a_host_pages_small_root_font_does_not_shrink_the_widget(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A host page with ``html { font-size: 62.5% }`` (a common pattern) got a widget in
    10 px text and 20 px tall buttons: its size is now the reader's default, and its
    spacing follows it; a publisher's ``--moderato-font-size`` still wins."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread=THREAD, text="A readable comment.")
    head = "<style>html { font-size: 62.5% } body { font-size: 1.8rem }</style>"
    w = open_widget(page, publisher.article(live_server, head=head))
    text = w.locator("article.card .body").first

    def px(locator: Any, prop: str) -> float:
        return float(locator.evaluate(f"e => getComputedStyle(e).{prop}").removesuffix("px"))

    assert px(text, "fontSize") == 16
    assert px(w.get_by_role("button", name="Reply").first, "height") >= 24
    assert px(w.locator("article.card").first, "paddingTop") == 12  # .75em of 16 px

    head += "<style>#moderato-thread { --moderato-font-size: 20px }</style>"
    w = open_widget(page, publisher.article(live_server, head=head))
    assert px(w.locator("article.card .body").first, "fontSize") == 20


def test_the_edit_note_wraps_in_a_nested_reply_on_a_phone(
    phone: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """At 320 px, in French, a reply five levels deep: the row of Edit, Delete and "Vous
    pouvez le modifier … jusqu'à 21:53." ran past the card, which cut it off (WCAG 1.4.10);
    it wraps now, and nothing in the card is wider than the card."""
    allow_origin(db, publisher.origin)
    parent = None
    for depth in range(4):
        row = stored(db, state=State.PUBLISHED, thread=THREAD, text=f"Level {depth}", parent=parent)
        parent = row.id
    url = publisher.article(live_server)
    publisher.pages["/article"] = publisher.pages["/article"].replace(
        'data-site="default"', 'data-site="default" data-lang="fr"'
    )
    w = open_widget(phone, url)
    w.get_by_role("button", name="Répondre").last.click()
    w.get_by_label("Nom").fill("Ada Lectrice")
    w.get_by_role("textbox", name="E-mail").fill("ada@example.org")
    w.get_by_label(re.compile("^Commentaire")).fill("Une réponse tout au fond du fil.")
    w.get_by_role("button", name="Publier le commentaire").click()
    own = w.locator("article.card.own")
    expect(own.get_by_role("button", name="Modifier votre commentaire")).to_be_visible()
    widths = own.evaluate(
        "a => [a.clientWidth, a.scrollWidth, a.getBoundingClientRect().right,"
        " Math.max(...Array.from(a.querySelectorAll('*'), e => e.getBoundingClientRect().right))]"
    )
    client, scroll, right, widest = widths
    assert scroll <= client, widths
    assert widest <= right + 0.5, widths


def test_empty_live_regions_stay_in_the_accessibility_tree(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """An empty status region was ``display: none``, so not in the accessibility tree: a
    region that appears with its text is not announced by every screen reader. Empty, it
    now takes no room and is in the tree, ready to speak."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread=THREAD, text="A comment.")
    w = open_widget(page, publisher.article(live_server))
    regions = w.locator(".status[role=status]")
    assert regions.count() >= 2
    for i in range(regions.count()):
        region = regions.nth(i)
        expect(region).to_have_text("")
        assert region.evaluate("e => getComputedStyle(e).display") != "none"
        assert region.evaluate("e => e.getBoundingClientRect().height") == 0
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    roles = [n.get("role", {}).get("value") for n in tree["nodes"] if not n.get("ignored")]
    assert roles.count("status") >= regions.count(), roles


def test_forced_colours_keep_cards_the_ring_and_a_pressed_toggle(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Windows high contrast drops backgrounds and box shadows: cards had no edge, the
    linked or fresh comment lost its ring, and "Featured (1)" looked the same pressed or
    not. Each now has something forced colours keep (a border, an outline, system colours
    for the pressed state)."""
    allow_origin(db, publisher.origin)
    pick = stored(db, state=State.PUBLISHED, thread=THREAD, text="The pick.")
    stored(db, state=State.PUBLISHED, thread=THREAD, text="Another comment.")
    with db.session() as session:
        assert featured.set_featured(session, pick.id, "feature", "user:1") is not None
    page.emulate_media(forced_colors="active", color_scheme="dark")
    page.goto(publisher.article(live_server) + f"#comment-{pick.id}")
    w = widget(page)
    card = w.locator(f"#m-c-{pick.id} > article")
    expect(card).to_have_class("card new")
    assert card.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    other = w.locator("article.card", has_text="Another comment.")
    assert other.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"

    toggle = w.get_by_role("button", name="Featured (1)")
    before = toggle.evaluate("e => getComputedStyle(e).backgroundColor")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    after = toggle.evaluate("e => getComputedStyle(e).backgroundColor")
    assert after != before and after not in ("rgba(0, 0, 0, 0)", "rgb(0, 0, 0)"), after


CODE = (
    "Try this:\n\n```\n"
    + "curl -s https://comments.example.org/api/v1/comments?site=default&thread=a-long-thread-id"
    + "\n```\n"
)


def test_a_long_code_block_wraps_on_a_phone_in_the_widget_and_without_javascript(
    phone: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A comment's fenced code block with a long line: the widget's ``<pre>`` scrolled
    sideways, a region no keyboard could reach (axe-core: scrollable-region-focusable,
    serious), and the no-JS thread's card (``overflow: hidden``) cut the line off. The code
    wraps in both now, within its card, and axe-core finds nothing serious."""
    from tests.browser.test_embed_a11y import axe_violations, blocking

    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread=THREAD, text=CODE)
    w = open_widget(phone, publisher.article(live_server))
    pre = w.locator("article.card .body pre")
    expect(pre).to_contain_text("a-long-thread-id")
    client, scroll = pre.evaluate("e => [e.clientWidth, e.scrollWidth]")
    assert scroll <= client, (client, scroll)
    assert blocking(axe_violations(phone)) == []

    phone.goto(f"{live_server.url}/embed/thread?site=default&thread={THREAD}&format=page")
    pre = phone.locator(".mf-body pre")
    expect(pre).to_contain_text("a-long-thread-id")
    widths = pre.evaluate(
        "e => [e.clientWidth, e.scrollWidth, e.getBoundingClientRect().right,"
        " e.closest('.mf-card').getBoundingClientRect().right]"
    )
    client, scroll, right, card = widths
    assert scroll <= client and right <= card, widths
