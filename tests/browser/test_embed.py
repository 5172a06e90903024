"""The embed in headless Chromium: the widget on the demo page and on a publisher's page,
end to end with a real worker process, the real API and the real database."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, Request, expect
from sqlalchemy import select

from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from tests.browser.conftest import LiveServer, Publisher
from tests.factories import BENIGN, SPAM, count_comments, stored
from tests.helpers import wait_for

pytestmark = pytest.mark.browser

#: The isolate a name is wrapped in inside a label ("Reply to FSI name PDI").
FSI, PDI = "\u2068", "\u2069"

WAIT_MS = 30_000  # the worker publishes in well under a second; CI machines are shared


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """This module's app: no minimum fill time, so a scripted (instant) form is not a bot."""
    return {**settings, "FORM_TOKEN_MIN_SECONDS": 0}


def widget(page: Page) -> Locator:
    """Return the widget's root inside its shadow root (Playwright pierces open shadow DOM)."""
    return page.locator("#moderato-thread section.m")


def open_widget(page: Page, url: str) -> Locator:
    """Load ``url`` and wait until the widget has loaded its thread."""
    page.goto(url)
    w = widget(page)
    expect(w.locator("ol.list")).to_be_attached()
    expect(w.locator("div.status")).not_to_have_text("Loading comments…")
    return w


def fill(
    w: Locator, name: str = "Ada Reader", email: str = "ada@example.org", text: str = BENIGN
) -> None:
    """Fill the widget's form like a reader."""
    w.get_by_label("Name").fill(name)
    w.get_by_role("textbox", name="Email").fill(email)
    w.get_by_label(re.compile("^Comment")).fill(text)


def state_of(db: Database, text: str) -> tuple[str, str | None] | None:
    """Return (state, rejection) of the comment with ``text`` once decided, else None."""
    with db.session() as session:
        row = session.scalars(select(Comment).where(Comment.text == text)).one_or_none()
        return None if row is None or row.state == "pending" else (row.state, row.rejection)


def allow_origin(db: Database, origin: str) -> None:
    """Add ``origin`` to the default site's allowed origins (the live server's port is random)."""
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        site.origins = [*site.origins, origin]


def test_benign_comment_is_published_by_the_worker_and_appears(
    page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """A reader's benign comment is published by the worker and appears in place, no reload."""
    start_worker()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("h2")).to_have_text("Comments (0)")
    fill(w)
    w.get_by_role("button", name="Post Comment").click()
    published = w.locator("article.card:not(.own)", has_text=BENIGN)
    expect(published).to_be_visible(timeout=WAIT_MS)
    expect(w.locator(".respond > p.status")).to_have_text("Your comment is published.")
    expect(w.locator("h2")).to_have_text("Comments (1)")
    expect(w.get_by_label(re.compile("^Comment"))).to_have_value("")
    assert state_of(db, BENIGN) == ("published", None)
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_each_comment_from_one_widget_carries_its_own_token(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Two comments from one page load send two different tokens, so neither is 'reused'."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data or "") if r.method == "POST" else None,
    )
    w = open_widget(page, f"{live_server.url}/demo")
    for text in ("First thought on the article.", "And a second one, a minute later."):
        fill(w, text=text)
        w.get_by_role("button", name="Post Comment").click()
        expect(w.locator("article.card.own", has_text=text)).to_be_visible()
    tokens = [parse_qs(body)["form_token"][0] for body in sent]
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    with db.session() as session:
        verdicts = [c.signals["form_token"] for c in session.scalars(select(Comment))]
    assert verdicts == ["valid", "valid"]


def test_a_long_thread_counts_every_comment_and_loads_the_rest(
    app: Flask, page: Page, live_server: LiveServer, db: Database
) -> None:
    """With more comments than a page holds, the heading counts the whole thread from the
    start, and "Load more comments" brings in the rest."""
    app.config["LIST_PAGE_SIZE"] = 2
    for i in range(3):
        stored(db, state=State.PUBLISHED, thread="demo", text=f"Comment number {i}.")
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("h2")).to_have_text("Comments (3)")
    expect(w.locator("article.card")).to_have_count(2)
    w.get_by_role("button", name="Load more comments").focus()
    page.keyboard.press("Enter")
    expect(w.locator("article.card")).to_have_count(3)
    expect(w.get_by_role("button", name="Load more comments")).to_be_hidden()
    expect(w.locator("h2")).to_have_text("Comments (3)")
    # The button went away under the keyboard: focus moves to the comment it brought, and
    # the list's status region says what happened.
    expect(w.locator("article.card", has_text="Comment number 2.")).to_be_focused()
    expect(w.locator(".status[role=status]").first).to_have_text("More comments loaded: 1.")


def test_spam_stays_awaiting_moderation(
    page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """An obvious spam comment shows 'awaiting moderation' and never enters the thread."""
    start_worker()
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w, name="Best Casino Bonus", text=SPAM)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator(".respond > p.status")).to_have_text("Your comment is awaiting moderation.")
    decided = wait_for(lambda: state_of(db, SPAM), timeout=WAIT_MS / 1000)
    assert decided[0] in ("held", "rejected")
    own = w.locator("article.card.own")
    expect(own).to_contain_text("Your comment is awaiting moderation.")
    expect(w.locator("article.card:not(.own)")).to_have_count(0)
    # After a reload the reader still sees it awaiting while it is held; rejected, it goes.
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("article.card.own")).to_have_count(1 if decided[0] == "held" else 0)
    expect(w.locator("article.card:not(.own)")).to_have_count(0)


def _decide(db: Database, text: str, new: State) -> None:
    """Publish or reject (as spam) the pending comment with ``text``, as a moderator would."""
    from service.lifecycle import Change, transition
    from service.status import Rejection

    with db.session() as session:
        comment_id = session.scalars(select(Comment.id).where(Comment.text == text)).one()
        change = Change(
            expected=State.PENDING, new=new, actor="user:1", action="moderate",
            rejection=Rejection.SPAM if new is State.REJECTED else None,
        )  # fmt: skip
        assert transition(session, comment_id, change) is not None


def test_a_readers_comment_awaiting_moderation_outlives_a_reload(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """A reader who comes back sees their comments still awaiting moderation (they saw
    nothing and wrote them again); published, one is in the thread once; rejected, it goes."""
    first, second = "My first thought, for the moderators.", "And a second, later one."
    w = open_widget(page, f"{live_server.url}/demo")
    for text in (first, second):
        fill(w, text=text)
        w.get_by_role("button", name="Post Comment").click()
        expect(w.locator("article.card.own", has_text=text)).to_be_visible()
    w = open_widget(page, f"{live_server.url}/demo")  # no worker: both still pending
    own = w.locator("article.card.own")
    expect(own).to_have_count(2)
    expect(own.first).to_contain_text("Your comment is awaiting moderation.")
    expect(own.first).to_contain_text("Ada Reader")

    _decide(db, first, State.PUBLISHED)
    _decide(db, second, State.REJECTED)
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("article.card:not(.own)", has_text=first)).to_have_count(1)
    expect(w.locator("article.card.own")).to_have_count(0)
    expect(w.locator("article.card", has_text=second)).to_have_count(0)
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('moderato:own:'))")
    assert kept == []  # nothing left to keep: the key itself is gone


def test_auto_theme_follows_the_readers_system_setting(
    browser: Any, live_server: LiveServer
) -> None:
    """Without data-theme the widget is dark for a reader whose system prefers dark, live."""
    ctx = browser.new_context(color_scheme="dark")
    try:
        page = ctx.new_page()
        w = open_widget(page, f"{live_server.url}/demo")
        expect(w).to_have_class("m dark")
        page.emulate_media(color_scheme="light")
        expect(w).to_have_class("m")
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("head", "body_style", "dark"),
    [
        ("", "", False),  # a light-only page: the canvas stays white in dark mode
        ('<meta name="color-scheme" content="light dark">', "", True),  # the page allows dark
        ("", "background: #fdfdfd", False),  # the page paints itself light
    ],
    ids=["light-only-page", "page-allows-dark", "light-background"],
)
def test_auto_theme_follows_the_page_a_dark_reader_sees(
    browser: Any,
    live_server: LiveServer,
    publisher: Publisher,
    db: Database,
    head: str,
    body_style: str,
    dark: bool,
) -> None:
    """For a reader in dark mode the widget is dark only where the page around it is: a page
    that declares no dark scheme and paints nothing stays white, so the thread stays light."""
    allow_origin(db, publisher.origin)
    url = publisher.article(live_server, head=head)
    publisher.pages["/article"] = publisher.pages["/article"].replace(
        "<body>", f'<body style="{body_style}">'
    )
    ctx = browser.new_context(color_scheme="dark")
    try:
        w = open_widget(ctx.new_page(), url)
        expect(w).to_have_class("m dark" if dark else "m")
    finally:
        ctx.close()


def test_auto_theme_is_dark_on_a_dark_only_page_for_a_light_reader(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A page that declares only a dark scheme shows a dark canvas to every reader, so the
    thread on it is dark though the reader's system is light (found in review)."""
    allow_origin(db, publisher.origin)
    url = publisher.article(live_server, head='<meta name="color-scheme" content="dark">')
    page.emulate_media(color_scheme="light")
    expect(open_widget(page, url)).to_have_class("m dark")


def test_swapped_containers_leave_no_listeners_behind(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A single-page app that replaces the thread's container and renders again, many
    times, keeps one live theme listener (the old hosts' ones stop; found in review)."""
    allow_origin(db, publisher.origin)
    open_widget(page, publisher.article(live_server))
    for i in range(6):
        page.evaluate(
            """i => { const old = document.getElementById('moderato-thread');
                const box = document.createElement('div'); box.id = 'moderato-thread';
                old.replaceWith(box); Moderato.render({thread: 'publisher-article-' + i}); }""",
            i,
        )
        expect(widget(page).locator("div.status")).not_to_have_text("Loading comments…")
    assert page.evaluate("Moderato.live.length") == 1


def test_auto_theme_follows_a_page_that_switches_its_own_theme(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A page whose own toggle paints it dark (a class on <html>) turns the thread dark, live,
    and back; an element with its own background nearer the thread wins over the page's."""
    allow_origin(db, publisher.origin)
    style = "<style>html.night body { background: #101010; color: #eee; }</style>"
    url = publisher.article(live_server, head=style)
    w = open_widget(page, url)
    expect(w).to_have_class("m")
    page.evaluate("document.documentElement.classList.add('night')")
    expect(w).to_have_class("m dark")
    page.evaluate("document.documentElement.classList.remove('night')")
    expect(w).to_have_class("m")
    page.evaluate("document.querySelector('main').style.background = 'rgb(20, 30, 40)'")
    page.evaluate("document.body.setAttribute('data-x', '1')")  # any change repaints
    expect(w).to_have_class("m dark")


@pytest.mark.parametrize(
    ("allowed", "works"),
    [("moderato moderato-html", True), ("someone-else", False)],
    ids=["policies-allowed", "policies-not-allowed"],
)
def test_widget_loads_on_a_page_enforcing_trusted_types(
    page: Page,
    live_server: LiveServer,
    publisher: Publisher,
    db: Database,
    allowed: str,
    works: bool,
) -> None:
    """On a page that enforces Trusted Types, the loader and the widget use their own named
    policies: allowed by name, the thread renders (a published link included) with no
    violation; not allowed, the browser blocks it (so the first case proves enforcement)."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="publisher-article", text="see https://example.org/a")
    csp = (
        '<meta http-equiv="Content-Security-Policy" '
        f"content=\"require-trusted-types-for 'script'; trusted-types {allowed}\">"
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = publisher.article(live_server, head=csp)
    if works:
        w = open_widget(page, url)
        expect(w.locator(".body a[href='https://example.org/a']")).to_have_count(1)
        assert not [e for e in errors if "Trusted" in e or "trusted-types" in e], errors
    else:
        page.goto(url)
        wait_for(lambda: any("trusted-types needs" in e for e in errors))
        expect(widget(page)).to_have_count(0)


def test_a_late_reply_loads_with_its_conversation_not_at_the_top(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Newest first, two conversations a page: a late reply to the oldest comment is not
    shown at the top of the first page; "Load more" brings it nested under its parent."""
    app.config["LIST_PAGE_SIZE"] = 2
    allow_origin(db, publisher.origin)
    made = {}
    timeline = [
        ("Oldest point", None),
        ("Middle point", None),
        ("Newest point", None),
        ("Late answer", "Oldest point"),
    ]
    for i, (text, parent) in enumerate(timeline):
        row = stored(
            db,
            state=State.PUBLISHED,
            thread="publisher-article",
            text=text,
            parent=made[parent].id if parent else None,
        )
        made[text] = row
        with db.session() as session:
            moved = session.get(Comment, row.id)
            assert moved is not None
            moved.created_at -= timedelta(hours=10 - i)
    url = publisher.article(live_server)
    publisher.pages["/article"] = publisher.pages["/article"].replace(
        "data-thread=", 'data-order="newest" data-thread='
    )
    w = open_widget(page, url)
    cards = w.locator("ol.list > li > article.card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Newest point")
    expect(w.locator("article.card", has_text="Late answer")).to_have_count(0)
    w.get_by_role("button", name="Load more comments").click()
    expect(cards).to_have_count(3)
    nested = w.locator("ol.list > li", has_text="Oldest point").locator("ol.replies article.card")
    expect(nested).to_have_text(re.compile("Late answer"))
    expect(w.get_by_role("button", name="Load more comments")).to_be_hidden()


def test_a_link_to_a_comment_on_a_later_page_opens_the_page_that_holds_it(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """#comment-<id> (a feed entry's link) for a comment three pages in: the widget shows
    the page that holds it (the server finds it) and scrolls to it (found in review)."""
    app.config["LIST_PAGE_SIZE"] = 1
    allow_origin(db, publisher.origin)
    rows = [
        stored(db, state=State.PUBLISHED, thread="publisher-article", text=f"Point {i}")
        for i in range(4)
    ]
    with db.session() as session:
        for i, row in enumerate(rows):
            moved = session.get(Comment, row.id)
            assert moved is not None
            moved.created_at -= timedelta(hours=10 - i)
    filler = "<p>" + "An article paragraph. " * 400 + "</p>"
    url = publisher.article(live_server, body=filler)
    page.goto(f"{url}#comment-{rows[2].id}")
    target = widget(page).locator(f"#m-c-{rows[2].id}")
    expect(target).to_be_in_viewport()
    expect(widget(page).locator("article.card")).to_have_count(1)


def test_switching_the_view_while_more_loads_keeps_one_list(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database, app: Flask
) -> None:
    """ "Load more" on its way when the reader switches to the featured view: the late
    answer is dropped, the featured view shows only featured comments, and the thread
    keeps working (it had mixed the lists, then called the page broken; found in review)."""
    from service import featured

    app.config["LIST_PAGE_SIZE"] = 2
    allow_origin(db, publisher.origin)
    rows = [
        stored(db, state=State.PUBLISHED, thread="publisher-article", text=f"Item {i}")
        for i in range(5)
    ]
    with db.session() as session:
        assert featured.set_featured(session, rows[0].id, "feature", "user:1") is not None
    held_back: list[Any] = []
    page.route("**/api/v1/comments?*cursor=*", lambda route: held_back.append(route))
    w = open_widget(page, publisher.article(live_server))
    w.get_by_role("button", name="Load more comments").click()
    wait_for(lambda: held_back)
    w.get_by_role("button", name=re.compile("^Featured")).click()
    expect(w.locator("article.card")).to_have_count(1)
    with page.expect_response(lambda r: "cursor=" in r.url):
        held_back[0].continue_()
    page.wait_for_timeout(300)  # the late answer's handler has run by now
    expect(w.locator("article.card")).to_have_count(1)
    expect(w.locator("article.card .feat")).to_have_count(1)
    expect(w.get_by_role("button", name="Post Comment")).to_be_visible()


def test_missing_email_is_caught_in_the_browser_without_a_request(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Without an email the field error shows at once (aria-invalid, alert) and nothing is sent."""
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w, email="")
    w.get_by_role("button", name="Post Comment").click()
    email = w.get_by_role("textbox", name="Email")
    expect(w.locator("#m-email-err")).to_have_text("This field is required.")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(w.get_by_role("alert")).to_have_text("Fields to correct: 1.")
    assert email.get_attribute("aria-describedby") == "m-email-err"
    assert posts == []
    assert count_comments(db) == 0


def test_client_counts_characters_like_the_server(page: Page, live_server: LiveServer) -> None:
    """5,000 emoji pass (code points, as the server counts) and 5,001 are too long."""
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w, text="😀" * 5001)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("#m-text-err")).to_have_text("Too long: at most 5000 characters.")
    expect(w.locator("#m-text-count")).to_have_text("5001 of 5000 characters")
    w.get_by_label(re.compile("^Comment")).fill("  " + "😀" * 5000 + "\r\n ")
    expect(w.locator("#m-text-count")).to_have_text("5000 of 5000 characters")


def test_server_side_422_is_shown_next_to_its_field(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """An address only the server rejects (a reserved domain) gets a 422 shown by its field."""
    responses: list[int] = []
    page.on(
        "response", lambda r: responses.append(r.status) if r.request.method == "POST" else None
    )
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w, email="ada@reader.invalid")
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("#m-email-err")).to_have_text(
        "Enter a valid email address, such as name@example.com."
    )
    expect(w.get_by_role("textbox", name="Email")).to_have_attribute("aria-invalid", "true")
    assert responses == [422]
    expect(w.get_by_label(re.compile("^Comment"))).to_have_value(BENIGN)
    assert count_comments(db) == 0


def test_host_page_hostile_css_does_not_break_the_widget(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """`display: none` on form, div, input… and garish `*` rules leave the widget usable."""
    hostile = (
        "<style>form, div, section, p, span, input, textarea, button, label, ol, li, article, "
        "select, h2, h3 { display: none !important; visibility: hidden !important; }"
        " * { color: #f0f !important; background: #ff0 !important; letter-spacing: 6px "
        "!important; text-transform: uppercase !important; }</style>"
    )
    probe = '<aside class="card btn respond" id="probe">host element</aside>'
    url = publisher.article(live_server, probe, head=hostile)
    allow_origin(db, publisher.origin)
    w = open_widget(page, url)
    for label in ("Name", "Email", "Website", "Comment"):
        expect(w.get_by_label(label)).to_be_visible()
    button = w.get_by_role("button", name="Post Comment")
    expect(button).to_be_visible()
    style = button.evaluate(
        "b => { const s = getComputedStyle(b); return [s.color, s.textTransform]; }"
    )
    assert style == ["rgb(255, 255, 255)", "none"]
    box = w.get_by_label(re.compile("^Comment")).bounding_box()
    assert box is not None and box["height"] > 80 and box["width"] > 200
    radius = page.locator("#probe").evaluate("e => getComputedStyle(e).borderTopLeftRadius")
    assert radius == "0px"  # our .btn / .card rules stayed inside the shadow root
    fill(w)
    button.click()
    expect(w.locator(".respond > p.status")).to_have_text("Your comment is awaiting moderation.")
    assert count_comments(db) == 1


def test_published_html_and_script_render_inertly(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """<script>, <img onerror> and javascript: links in comments never run; links get rel ugc."""
    allow_origin(db, publisher.origin)
    attack = (
        '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
        '[click me](javascript:window.__pwned=3) <a href="javascript:window.__pwned=4">x</a> '
        "see https://example.org/page"
    )
    stored(db, state=State.PUBLISHED, thread="publisher-article", name="Mallory", text=attack)
    raw = stored(db, state=State.PUBLISHED, thread="publisher-article", name="Raw", text="raw")
    with db.session() as session:  # as if a sanitiser bug had let raw HTML into the database
        row = session.get(Comment, raw.id)
        assert row is not None
        row.html = (
            '<p>raw <img src=x onerror="window.__pwned=5"><svg onload="window.__pwned=6"></svg>'
            '<a href="javascript:window.__pwned=7" onclick="window.__pwned=8">link</a>'
            '<script>window.__pwned=9</script><iframe src="javascript:parent.__pwned=10">'
            "</iframe><svg><style>.x{color:red}</style><text>svgtext</text></svg>"
            "<math><mi>mathtext</mi></math></p>"
        )
        row.author_url = "javascript:window.__pwned=11"
    page.add_init_script("window.__pwned = 0")
    w = open_widget(page, publisher.article(live_server))
    expect(w.locator("article.card")).to_have_count(2)
    defused = w.locator(".body a:not([href])")  # the javascript: links, now without href
    assert defused.count() >= 1
    for link in defused.all():
        link.click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned") == 0
    assert w.locator("script, img, svg, iframe").count() == 0
    links = w.locator(".body a, .by a")
    assert links.count() >= 2
    for link in links.all():
        assert link.get_attribute("rel") == "nofollow ugc noopener"
        assert not (link.get_attribute("href") or "").lower().startswith("javascript")
    expect(w.locator(".body a[href='https://example.org/page']")).to_have_count(1)
    expect(w.locator(".by", has_text="Raw").locator("a")).to_have_count(0)
    # SVG and MathML go whole: their text was copied through (found in review)
    raw_body = w.locator("article.card", has_text="Raw").locator(".body").inner_text()
    assert "svgtext" not in raw_body and "mathtext" not in raw_body and ".x{" not in raw_body


def test_without_javascript_the_fallback_form_posts_and_comes_back(
    browser: Any,
    live_server: LiveServer,
    start_worker: Callable[..., Any],
    db: Database,
    screenshots_dir: Any,
) -> None:
    """With JavaScript off the plain form posts, comes back with a status, then lists it."""
    start_worker()
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demo")
        form = page.locator("section.moderato-fallback form")
        form.get_by_label("Name").fill("Nora Script-Free")
        form.get_by_role("textbox", name="Email").fill("nora@example.org")
        form.get_by_label(re.compile("^Comment")).fill(BENIGN)
        form.get_by_role("button", name="Post Comment").click()
        page.wait_for_url(f"{live_server.url}/demo?moderato=pending#comments")
        expect(page.get_by_role("status")).to_have_text(
            "Thank you. Your comment is awaiting moderation."
        )
        assert wait_for(lambda: state_of(db, BENIGN), timeout=WAIT_MS / 1000)[0] == "published"
        with db.session() as session:
            row = session.scalars(select(Comment)).one()
            assert row.signals == {"source": "form", "form_token": "valid"}
        page.reload()
        expect(page.locator("section.moderato-fallback .mf-card", has_text=BENIGN)).to_be_visible()
        page.screenshot(path=str(screenshots_dir / "embed-nojs.png"), full_page=True)
    finally:
        ctx.close()


def test_without_javascript_a_refused_comment_comes_back_filled_in(
    browser: Any, live_server: LiveServer, db: Database, screenshots_dir: Any
) -> None:
    """With JavaScript off, a post with a bad email comes back as the form with what the
    reader typed, the summary focused; its link leads to the field; fixed and sent again,
    the comment is taken and the reader is back on the article with the thanks line."""
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demo")
        form = page.locator("section.moderato-fallback form")
        form.get_by_label("Name").fill("Nora Script-Free")
        form.get_by_role("textbox", name="Email").fill("nora@localhost")  # the browser lets it by
        form.get_by_label(re.compile("^Comment")).fill(BENIGN)
        form.get_by_role("button", name="Post Comment").click()
        summary = page.locator(".mf-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Fields to correct: 1.")
        email = page.get_by_role("textbox", name="Email")
        expect(email).to_have_value("nora@localhost")
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(email).to_have_accessible_description(
            "Enter a valid email address, such as name@example.com."
        )
        expect(page.get_by_label(re.compile("^Comment"))).to_have_value(BENIGN)
        expect(page.get_by_role("link", name="Back to the comments")).to_have_attribute(
            "href", f"{live_server.url}/demo#respond"
        )
        page.screenshot(path=str(screenshots_dir / "embed-nojs-not-sent.png"), full_page=True)
        summary.get_by_role("link", name=re.compile("^Email")).click()
        expect(email).to_be_focused()
        email.fill("nora@example.org")
        page.get_by_role("button", name="Post Comment").click()
        page.wait_for_url(f"{live_server.url}/demo?moderato=pending#comments")
        expect(page.get_by_role("status")).to_have_text(
            "Thank you. Your comment is awaiting moderation."
        )
        with db.session() as session:
            row = session.scalars(select(Comment)).one()
            assert (row.author_email, row.text) == ("nora@example.org", BENIGN)
            assert row.signals == {"source": "form", "form_token": "valid"}
    finally:
        ctx.close()


def test_a_rate_limited_reader_is_told_how_long_to_wait(
    app: Flask, page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Past the per-client limit the widget says when to try again, from the 429's
    Retry-After: in seconds on our demo page, in whole minutes and in French on a
    publisher's page (another origin: the header must be readable there)."""
    app.config.update(ANON_RATE_PER_MINUTE=1.5, ANON_RATE_BURST=1)  # one post per 40 s
    w = open_widget(page, f"{live_server.url}/demo")
    for _ in range(2):
        fill(w)
        w.get_by_role("button", name="Post Comment").click()
        expect(w.get_by_role("button", name="Post Comment")).to_have_attribute(
            "aria-disabled", "false"
        )
    expect(w.locator("div.summary")).to_have_text(
        re.compile(r"^You are commenting too quickly\. Try again in (39|40) seconds\.$")
    )
    assert count_comments(db) == 1

    allow_origin(db, publisher.origin)
    app.config.update(ANON_RATE_PER_MINUTE=0.5)  # one post per 2 minutes, from a fresh bucket
    conn = app.extensions["moderato.redis"]
    conn.delete(*conn.keys("moderato:rate:*"))
    url = publisher.article(live_server)
    publisher.pages["/article"] = publisher.pages["/article"].replace(
        'data-site="default"', 'data-site="default" data-lang="fr"'
    )
    w = open_widget(page, url)
    w.get_by_label("Nom").fill("Ada")
    w.get_by_label("E-mail").fill("ada@example.org")
    for _ in range(2):
        w.get_by_label(re.compile("^Commentaire")).fill(BENIGN)
        w.get_by_role("button", name="Publier le commentaire").click()
        expect(w.get_by_role("button", name="Publier le commentaire")).to_have_attribute(
            "aria-disabled", "false"
        )
    expect(w.locator("div.summary")).to_have_text(
        "Vous commentez trop vite. Réessayez dans 2 minutes."
    )
    assert count_comments(db) == 2


def test_a_rate_limited_report_says_how_long_to_wait(
    app: Flask, page: Page, live_server: LiveServer, db: Database
) -> None:
    """A report over the per-client limit (comments and reports share it) says when to
    try again, worded for reports."""
    stored(db, state=State.PUBLISHED, thread="demo", name="Troll", text="You are all idiots.")
    app.config.update(ANON_RATE_PER_MINUTE=1.5, ANON_RATE_BURST=1)  # one post per 40 s
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("article.card.own")).to_have_count(1)
    w.get_by_role("button", name=f"Report the comment by {FSI}Troll{PDI}").click()
    w.get_by_role("radio", name="Spam or advertising").check()
    w.get_by_role("button", name="Send report").click()
    expect(w.locator("form.reportf .status")).to_have_text(
        re.compile(r"^You are sending reports too quickly\. Try again in (39|40) seconds\.$")
    )


def test_the_servers_words_for_a_wait_are_the_browsers(page: Page) -> None:
    """The no-JS page's "in 40 seconds" (service/embed/i18n.py) says what the widget's
    Intl.RelativeTimeFormat says in Chromium, in every language and plural form."""
    from service.embed import i18n

    cases = [
        (lang, n)
        for lang in i18n.catalogue()
        for n in (1, 2, 3, 10, 11, 40, 59, 60, 90, 120, 180, 600, 660, 6000, 6060)
    ]
    browser_says = page.evaluate(
        """(cases) => cases.map(([lang, s]) => new Intl.RelativeTimeFormat(lang)
             .format(s < 60 ? s : Math.ceil(s / 60), s < 60 ? "second" : "minute"))""",
        cases,
    )
    assert [i18n.wait_text(lang, n) for lang, n in cases] == browser_says


def test_too_fast_form_is_rejected_as_a_bot_but_sees_success(
    app: Flask, page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """A form sent too soon after loading is told 'awaiting moderation' but rejected as a bot."""
    app.config["FORM_TOKEN_MIN_SECONDS"] = 60
    start_worker()
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator(".respond > p.status")).to_have_text("Your comment is awaiting moderation.")
    assert wait_for(lambda: state_of(db, BENIGN), timeout=WAIT_MS / 1000) == ("rejected", "bot")


def test_a_foreign_origin_cannot_read_or_post(
    page: Page,
    live_server: LiveServer,
    publisher: Publisher,
    db: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A page on an origin the site lacks cannot read the thread: the widget names the setup
    mistake and offers no form (a reader typed a whole comment for nothing; found in
    review); a post from that page anyway gets 403 and is not stored."""
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    w = open_widget(page, publisher.article(live_server))
    # The refusal is readable by the page, so the widget names the setup mistake.
    expect(w.locator("div.status")).to_contain_text(
        "This page is not allowed to post comments to this thread."
    )
    expect(w.locator("form[aria-label='Leave a Reply']")).to_be_hidden()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        status = page.evaluate(
            """(url) => fetch(url, {method: "POST", body: new URLSearchParams({thread:
                 "publisher-article", name: "Ada", email: "ada@example.org", text: "Hello"})})
               .then((r) => r.status)""",
            f"{live_server.url}/api/v1/comments",
        )
    assert status == 403
    assert len(posts) == 1  # sent, and refused by the server (no Origin would have been 202)
    assert '"POST /api/v1/comments HTTP/1.1" 403' in caplog.text
    assert count_comments(db) == 0


def test_reply_with_the_keyboard_alone(page: Page, live_server: LiveServer, db: Database) -> None:
    """Reply, cancel (Cancel or Escape; focus returns) and send a nested reply with the
    keyboard, focus visible."""
    stored(db, state=State.PUBLISHED, thread="demo", name="Ada", text="Is the path lit at night?")
    w = open_widget(page, f"{live_server.url}/demo")
    reply = w.get_by_role("button", name=f"Reply to {FSI}Ada{PDI}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if reply.evaluate("b => b.getRootNode().activeElement === b"):
            break
    expect(reply).to_be_focused()
    outline = reply.evaluate(
        "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth"
    )
    assert outline == "solid 3px"
    page.keyboard.press("Enter")
    comment = w.get_by_label(re.compile("^Comment"))
    expect(comment).to_be_focused()
    expect(w.locator("li .respond .replying")).to_contain_text("Replying to Ada")
    expect(w.locator("li .respond .replying bdi")).to_have_text(re.compile("^Ada"))  # isolated
    w.get_by_role("button", name="Cancel reply").focus()
    page.keyboard.press("Enter")
    expect(reply).to_be_focused()
    expect(w.locator("li .respond")).to_have_count(0)
    page.keyboard.press("Enter")  # Escape in the form cancels the reply too
    expect(comment).to_be_focused()
    page.keyboard.press("Escape")
    expect(reply).to_be_focused()
    expect(w.locator("li .respond")).to_have_count(0)
    page.keyboard.press("Enter")
    fill(w, name="Bo", text="Yes, with low lamps every 30 m.")
    comment.focus()
    page.keyboard.press("Tab")
    expect(w.get_by_role("button", name="Post Comment")).to_be_focused()
    page.keyboard.press("Enter")
    nested = w.locator("li ol.replies article.card.own")
    expect(nested).to_contain_text("Yes, with low lamps every 30 m.")
    with db.session() as session:
        row = session.scalars(select(Comment).where(Comment.author_name == "Bo")).one()
        assert row.parent_id is not None


def test_focus_stays_on_its_reply_button_when_the_readers_comment_is_published(
    page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """The thread re-renders when the reader's own comment is published; a keyboard user
    sitting on another comment's Reply button stays there (review finding: focus fell to
    the page body)."""
    stored(db, state=State.PUBLISHED, thread="demo", name="Grace", text="An earlier comment.")
    start_worker()
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("article.card.own")).to_be_visible()
    reply = w.get_by_role("button", name=f"Reply to {FSI}Grace{PDI}")
    reply.focus()
    expect(w.locator("article.card:not(.own)", has_text=BENIGN)).to_be_visible(timeout=WAIT_MS)
    expect(reply).to_be_focused()


def test_an_index_page_shows_each_articles_comment_count(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """One count.js tag on a publisher's index page fills each marked link with its
    thread's published comments, in the page's language with its plural rules; a link
    with no thread named counts the article it points to; a page that adds links later
    calls Moderato.counts(). Held comments do not count."""
    allow_origin(db, publisher.origin)
    article = f"{publisher.origin}/news/river-path"
    for _ in range(3):
        stored(db, state=State.PUBLISHED, thread="river")
    stored(db, state=State.HELD, thread="river")
    stored(db, state=State.PUBLISHED, thread=article)
    stored(db, state=State.PUBLISHED, thread="late")
    stored(db, state=State.PUBLISHED, thread="late")

    def index(lang: str) -> str:
        publisher.pages[f"/{lang}"] = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>News</title>'
            "</head><body><ul>"
            '<li><a id="river" href="/news/river" data-moderato-count="river">Comments</a></li>'
            '<li><a id="quiet" href="/news/quiet" data-moderato-count="quiet">Comments</a></li>'
            '<li><a id="path" href="/news/river-path#comments" data-moderato-count>Comments</a>'
            f'</li></ul><script src="{live_server.url}/embed/count.js" async></script>'
            "</body></html>"
        )
        return f"{publisher.origin}/{lang}"

    page.goto(index("en"))
    expect(page.locator("#river")).to_have_text("3 comments", timeout=WAIT_MS)
    expect(page.locator("#quiet")).to_have_text("No comments")
    expect(page.locator("#path")).to_have_text("1 comment")
    assert page.locator("#river").get_attribute("data-moderato-count-value") == "3"

    page.evaluate(
        """() => { const a = document.createElement("a");
                   a.id = "late"; a.dataset.moderatoCount = "late"; a.textContent = "Comments";
                   document.body.append(a); window.Moderato.counts(); }"""
    )
    expect(page.locator("#late")).to_have_text("2 comments", timeout=WAIT_MS)

    page.goto(index("fr"))
    expect(page.locator("#river")).to_have_text("3 commentaires", timeout=WAIT_MS)
    expect(page.locator("#quiet")).to_have_text("Aucun commentaire")
    page.goto(index("ar"))
    expect(page.locator("#river")).to_have_text("3 تعليقات", timeout=WAIT_MS)
    expect(page.locator("#path")).to_have_text("1 تعليق")


def test_a_reader_reports_a_comment_with_the_keyboard(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Report opens a small form in the comment (focus on the first reason); sending without
    a reason says to choose one; Cancel returns focus to Report; a sent report thanks the
    reader, the button becomes "Reported", and the report waits in the Reported queue."""
    from service.store.tables import Report

    stored(db, state=State.PUBLISHED, thread="demo", name="Troll", text="You are all idiots.")
    w = open_widget(page, f"{live_server.url}/demo")
    report = w.get_by_role("button", name=f"Report the comment by {FSI}Troll{PDI}")
    report.focus()
    page.keyboard.press("Enter")
    expect(report).to_have_attribute("aria-expanded", "true")
    first = w.get_by_role("radio", name="Spam or advertising")
    expect(first).to_be_focused()
    expect(w.get_by_role("radiogroup")).to_have_attribute("aria-required", "true")
    w.get_by_role("button", name="Cancel").click()
    expect(report).to_be_focused()
    expect(w.locator("form.reportf")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(first).to_be_focused()
    page.keyboard.press("Escape")  # Escape closes it too
    expect(w.locator("form.reportf")).to_have_count(0)
    expect(report).to_be_focused()

    page.keyboard.press("Enter")
    w.get_by_role("button", name="Send report").click()
    expect(w.locator("form.reportf .status")).to_have_text("Choose a reason.")
    expect(w.get_by_role("radiogroup")).to_have_attribute("aria-invalid", "true")
    w.get_by_role("radio", name="Abusive or harassing").check()
    w.get_by_label("Anything a moderator should know (optional)").fill("Insults other readers")
    w.get_by_role("button", name="Send report").click()
    expect(w.locator("div.status")).to_have_text(
        "Thank you. A moderator will look at this comment.", timeout=WAIT_MS
    )
    expect(w.get_by_text("Reported", exact=True)).to_be_focused()
    expect(w.get_by_role("button", name=f"Report the comment by {FSI}Troll{PDI}")).to_have_count(0)
    with db.session() as session:
        (row,) = session.scalars(select(Report)).all()
        assert (row.reason, row.note) == ("abusive", "Insults other readers")


def test_counts_for_a_long_index_page_go_in_requests_a_server_accepts(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Sixty links to long article URLs (no thread named, so the URL is the thread) are
    counted in several requests under ~3 KB of query each; before, one 7 KB request got a
    414 from gunicorn and every link kept its text (found in review)."""
    allow_origin(db, publisher.origin)
    slug = "a-rather-long-article-slug-about-the-riverside-cycle-path-and-its-loading-bays"
    links = "".join(
        f'<a id="l{n}" href="/news/2026/11/27/{slug}-{n}" data-moderato-count>Comments</a>'
        for n in range(60)
    )
    stored(db, state=State.PUBLISHED, thread=f"{publisher.origin}/news/2026/11/27/{slug}-59")
    publisher.pages["/long"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>News</title></head>'
        f'<body>{links}<script src="{live_server.url}/embed/count.js" async></script></body></html>'
    )
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/v1/counts" in r.url else None)
    page.goto(f"{publisher.origin}/long")
    expect(page.locator("#l59")).to_have_text("1 comment", timeout=WAIT_MS)
    expect(page.locator("#l0")).to_have_text("No comments")
    assert len(sent) >= 3 and all(len(u.split("?", 1)[1]) <= 3100 for u in sent), sent


def test_without_javascript_a_reader_reports_a_comment(
    browser: Any, live_server: LiveServer, db: Database
) -> None:
    """With JavaScript off, Report opens a plain form under the comment (a disclosure); a
    reason is required by the browser; sending it comes back with a thanks line."""
    from service.store.tables import Report

    stored(db, state=State.PUBLISHED, thread="demo", name="Troll", text="You are all idiots.")
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    try:
        page.goto(f"{live_server.url}/demo")
        card = page.locator("section.moderato-fallback li.mf-c", has_text="You are all idiots.")
        card.get_by_text("Report", exact=True).click()
        send = card.get_by_role("button", name="Send report")
        send.click()  # no reason chosen: the browser keeps the form here
        expect(page).to_have_url(f"{live_server.url}/demo")
        card.get_by_role("radio", name="Abusive or harassing").check()
        send.click()
        page.wait_for_url(f"{live_server.url}/demo?moderato=reported#comments")
        expect(page.locator("section.moderato-fallback .mf-status")).to_have_text(
            "Thank you. A moderator will look at this comment."
        )
        with db.session() as session:
            assert [r.reason for r in session.scalars(select(Report))] == ["abusive"]
    finally:
        ctx.close()


def test_a_closed_thread_shows_its_comments_and_the_closing_message(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Closed by a moderator: the comments stay (Report too), the form and the Reply
    buttons go, the moderator's message is shown; a reader who had the form open when it
    closed sees why the post failed."""
    from tests.service.test_threads import _set

    stored(db, state=State.PUBLISHED, thread="demo", name="Early", text="An early comment.")
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w)  # the form is open: the moderator closes the thread meanwhile
    _set(db, "demo", closed=True, message="The trial has begun.")
    w.get_by_role("button", name="Post comment").click()
    expect(w.locator("div.summary")).to_have_text("Comments are closed on this article.")

    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.get_by_text("An early comment.")).to_be_visible()
    expect(w.locator("p.closed")).to_have_text("Comments are closed. The trial has begun.")
    expect(w.locator("form[aria-label='Leave a Reply']")).to_be_hidden()
    expect(w.get_by_role("button", name=re.compile("^Reply"))).to_have_count(0)
    expect(w.get_by_role("button", name=f"Report the comment by {FSI}Early{PDI}")).to_be_visible()


def test_a_single_page_app_shows_each_articles_thread_in_place(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Moderato.render() swaps the thread in place (an omitted setting is kept, the page's
    language tag formats dates); a tag re-added to <head> on navigation replaces the
    thread where it is instead of mounting an invisible one in <head> (found in review)."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="publisher-article", text="On the first article.")
    stored(db, state=State.PUBLISHED, thread="second-article", text="On the second article.")
    w = open_widget(page, publisher.article(live_server))
    expect(w.get_by_text("On the first article.")).to_be_visible()

    page.evaluate("Moderato.render({thread: 'second-article', lang: 'en-GB'})")
    expect(w.get_by_text("On the second article.")).to_be_visible()
    expect(w.get_by_text("On the first article.")).to_have_count(0)
    expect(w.locator("time").first).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}"))

    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.src = document.querySelector("script[data-site]").src;
          s.dataset.site = "default";
          s.dataset.thread = "publisher-article";
          document.head.appendChild(s);
        }"""
    )
    expect(w.get_by_text("On the first article.")).to_be_visible()
    expect(w.get_by_text("On the second article.")).to_have_count(0)
    assert page.locator("head [data-moderato]").count() == 0
    expect(page.locator("section.m")).to_have_count(1)


def test_a_setup_mistake_says_so_instead_of_offering_a_form(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A data-site with no such site: the reader sees that the page is set up wrong (not a
    network error), no form to fill in vain, and the publisher a console hint."""
    allow_origin(db, publisher.origin)
    url = publisher.article(live_server)
    publisher.pages["/article"] = publisher.pages["/article"].replace(
        'data-site="default"', 'data-site="dialy-news"'
    )
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(url)
    w = widget(page)
    expect(w.locator("div.status")).to_have_text(
        "The comments on this page are not set up correctly."
    )
    expect(w.locator("form[aria-label='Leave a Reply']")).to_be_hidden()
    assert any('there is no site "dialy-news"' in text for text in warnings), warnings


def test_focus_stays_on_report_when_the_thread_is_redrawn(
    page: Page, live_server: LiveServer, start_worker: Callable[..., Any], db: Database
) -> None:
    """A reader on another comment's Report button keeps it when their own comment is
    published and the thread redraws (it went to Reply: both buttons share a class)."""
    start_worker()
    stored(db, state=State.PUBLISHED, thread="demo", name="Grace", text="An earlier comment.")
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("article.card.own")).to_have_count(1)
    report = w.get_by_role("button", name=f"Report the comment by {FSI}Grace{PDI}")
    report.focus()
    expect(w.locator(".respond > p.status")).to_have_text(
        "Your comment is published.", timeout=WAIT_MS
    )
    expect(w.get_by_role("button", name=f"Report the comment by {FSI}Grace{PDI}")).to_be_focused()


def test_several_threads_on_one_page_have_landmarks_named_apart(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """Three embeds on one page: a screen reader's landmark list tells them apart, by the
    thread's data-title when the page gives one, else by a number ("Comments 2"); a thread
    swapped in by Moderato.render keeps its number or takes its new title; axe finds no
    landmark named twice."""
    from tests.browser.test_embed_a11y import axe_violations

    allow_origin(db, publisher.origin)
    tag = f'<script src="{live_server.url}/embed.js" data-site="default"'  # in page order
    publisher.pages["/several"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Letters</title>'
        "</head><body><main><h1>Letters to the editor</h1>"
        f'<h2>River path</h2>{tag} data-thread="river" data-title="River path plans"></script>'
        f'<h2>Budget</h2>{tag} data-thread="budget"></script>'
        f'<h2>Bakery</h2>{tag} data-thread="bakery"></script>'
        "</main></body></html>"
    )
    page.goto(f"{publisher.origin}/several")
    expect(page.locator("section.m #m-respond > form")).to_have_count(3)
    named = [
        (f"Comments: {FSI}River path plans{PDI}", f"Leave a Reply: {FSI}River path plans{PDI}"),
        ("Comments 2", "Leave a Reply 2"),
        ("Comments 3", "Leave a Reply 3"),
    ]
    for i, (region, form) in enumerate(named):  # in page order
        expect(page.get_by_role("region", name=region, exact=True)).to_have_count(1)
        expect(page.get_by_role("form", name=form, exact=True)).to_have_count(1)
        section = page.locator("section.m").nth(i)
        expect(section).to_have_attribute("aria-label", region)
        expect(section.locator("#m-respond > form")).to_have_attribute("aria-label", form)
    assert [v["id"] for v in axe_violations(page) if v["id"].startswith("landmark")] == []

    host = page.locator("[data-moderato]").nth(2)
    host.evaluate("el => Moderato.render({target: el, thread: 'bakery-2'})")
    assert host.evaluate("el => el.__moderato.thread") == "bakery-2"
    expect(page.get_by_role("region", name="Comments 3", exact=True)).to_have_count(1)
    host.evaluate("el => Moderato.render({target: el, thread: 'letters', title: 'Letters'})")
    expect(
        page.get_by_role("region", name=f"Comments: {FSI}Letters{PDI}", exact=True)
    ).to_have_count(1)


def test_render_called_before_the_widget_has_loaded_waits_for_it(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A single-page app may call Moderato.render() right after the tag, before the bundle
    arrives: the call waits instead of throwing (found in re-review)."""
    allow_origin(db, publisher.origin)
    stored(db, state=State.PUBLISHED, thread="second-article", text="On the second article.")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    publisher.pages["/spa"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SPA</title></head>'
        '<body><div id="moderato-thread"></div>'
        f'<script src="{live_server.url}/embed.js" data-site="default" '
        'data-thread="publisher-article"></script>'
        "<script>Moderato.render({thread: 'second-article'});</script></body></html>"
    )
    page.goto(f"{publisher.origin}/spa")
    expect(widget(page).get_by_text("On the second article.")).to_be_visible()
    assert errors == []


def test_two_tabs_keep_each_others_comments_awaiting_moderation(
    page: Page, live_server: LiveServer, db: Database
) -> None:
    """Each write re-reads the stored list and changes one comment, so a second tab does
    not erase the first tab's comment (found in review); entries older than a week or not
    comments at all are dropped from storage, and a damaged list neither blanks the thread
    nor turns an accepted post into "could not be sent"."""
    first, second = "Written in the first tab.", "Written in the second tab."
    w = open_widget(page, f"{live_server.url}/demo")
    other = page.context.new_page()
    w2 = open_widget(other, f"{live_server.url}/demo")
    fill(w, text=first)
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("article.card.own", has_text=first)).to_be_visible()
    fill(w2, text=second)
    w2.get_by_role("button", name="Post Comment").click()
    expect(w2.locator("article.card.own", has_text=second)).to_be_visible()
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("article.card.own")).to_have_count(2)

    page.evaluate(
        """() => {
          const k = Object.keys(localStorage).find(k => k.startsWith('moderato:own:'));
          const kept = JSON.parse(localStorage.getItem(k));
          localStorage.setItem(k, JSON.stringify([null, {v: 2}, 7,
            {id: 'old', own: true, text: 'A week and a day ago.', author_name: 'Ada',
             created_at: new Date(Date.now() - 8 * 864e5).toISOString()}, ...kept]));
        }"""
    )
    w = open_widget(page, f"{live_server.url}/demo")
    expect(w.locator("article.card.own")).to_have_count(2)
    left = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage)"
        ".find(k => k.startsWith('moderato:own:')))).map(o => o.text)"
    )
    assert sorted(left) == sorted([first, second])
    page.evaluate(
        "localStorage.setItem(Object.keys(localStorage)"
        ".find(k => k.startsWith('moderato:own:')), '{\"v\": 2}')"
    )
    w = open_widget(page, f"{live_server.url}/demo")
    fill(w, text="After the list was damaged.")
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator(".respond > p.status")).to_have_text("Your comment is awaiting moderation.")
    expect(w.locator("div.summary")).to_have_text("")


def test_an_app_that_rebuilds_its_container_keeps_one_name_and_its_site(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A single-page app that replaces the thread's container and re-adds the tag on each
    navigation has one thread on the page: it is "Comments", not "Comments 4"; render()
    into a container the app built anew keeps the site (it fell back to the default site
    and read "not allowed"), and a new title on the same thread is shown (found in review)."""
    from service import sites as site_ops

    with db.session() as session:
        slug = site_ops.create(session, "City Desk", [publisher.origin]).site.slug
    for n in (1, 2):
        stored(db, state=State.PUBLISHED, site=slug, thread=f"a{n}", text=f"On article {n}.")
    tag = (
        f'<script src="{live_server.url}/embed.js" data-site="{slug}" data-target="moderato-thread"'
    )
    publisher.pages["/app"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>App</title></head>'
        f'<body><main><div id="moderato-thread"></div>{tag} data-thread="a1"></script>'
        "</main></body></html>"
    )
    page.goto(f"{publisher.origin}/app")
    expect(widget(page).get_by_text("On article 1.")).to_be_visible()
    for thread in ("a2", "a1", "a2"):
        page.evaluate(
            """([src, slug, thread]) => {
              document.getElementById('moderato-thread').remove();
              const host = document.createElement('div');
              host.id = 'moderato-thread';
              document.querySelector('main').appendChild(host);
              const s = document.createElement('script');
              s.src = src; s.dataset.site = slug; s.dataset.thread = thread;
              s.dataset.target = 'moderato-thread';
              document.body.appendChild(s);
            }""",
            [f"{live_server.url}/embed.js", slug, thread],
        )
        expect(widget(page).get_by_text(f"On article {thread[1]}.")).to_be_visible()
        expect(page.get_by_role("region", name="Comments", exact=True)).to_have_count(1)
    page.evaluate(
        """() => {
          const host = document.createElement('div');
          document.querySelector('main').replaceChildren(host);
          Moderato.render({target: host, thread: 'a1'});
        }"""
    )
    expect(page.locator("main section.m").get_by_text("On article 1.")).to_be_visible()
    page.evaluate("Moderato.render({target: document.querySelector('main div'), title: 'Story'})")
    expect(page.get_by_role("region", name=f"Comments: {FSI}Story{PDI}", exact=True)).to_have_count(
        1
    )
