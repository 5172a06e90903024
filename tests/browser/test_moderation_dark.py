"""Dark mode of the moderator dashboard (``prefers-color-scheme: dark``), in Chromium: every
page and state turns dark and stays readable, checked by axe-core (colour contrast above
all) with Playwright's ``color_scheme="dark"`` emulation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from service import featured, reports
from service.clock import utcnow
from service.integrations.webhooks import create_endpoint
from service.moderation import first_admin
from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from tests.browser.conftest import LiveServer
from tests.browser.test_embed_a11y import axe_violations, blocking
from tests.browser.test_moderation_live import decide_elsewhere, poll
from tests.dashboard import PASSWORD, held, make_user
from tests.factories import stored
from tests.service.test_threads import _set as set_thread

pytestmark = pytest.mark.browser

DARK_BG = "rgb(13, 17, 23)"  # moderation.css, --bg in dark mode
MARKED = "Buy cheap pills at pills.example, you idiot."

PAGES = [
    "/moderation/queue/held",
    "/moderation/queue/held?reason=classifier_error",
    "/moderation/queue/reported",
    "/moderation/queue/pending",
    "/moderation/queue/published",
    "/moderation/queue/published?featured=1",
    "/moderation/queue/rejected",
    "/moderation/queue/spam",
    "/moderation/queue/held?email=notanemail",  # a bad filter: the error summary
    "/moderation/audit",
    "/moderation/bans",
    "/moderation/users",
    "/moderation/threads",
    "/moderation/sites",
    "/moderation/sites/1/policy",
    "/moderation/privacy",
    "/moderation/account",
    "/moderation/integrations/",
    "/moderation/integrations/sites/1",
    "/moderation/integrations/endpoints/1",  # its delivery log
]


@pytest.fixture
def dark(browser: Browser) -> Iterator[Page]:
    """A page in dark mode that may inject axe-core despite the dashboard's strict CSP."""
    ctx = browser.new_context(
        viewport={"width": 1200, "height": 900}, bypass_csp=True, color_scheme="dark"
    )
    yield ctx.new_page()
    ctx.close()


def dark_and_readable(page: Page) -> list[dict[str, Any]]:
    """Return what is wrong with the page in dark mode: not drawn dark (its background, a
    text field's), or axe-core's serious violations (colour contrast among them)."""
    looks = page.evaluate(
        """() => {
            const field = document.querySelector("input[type=text], input[type=email]");
            return {
                page: getComputedStyle(document.documentElement).backgroundColor,
                field: field ? getComputedStyle(field).backgroundColor : null,
            };
        }"""
    )
    wrong = [{"id": "not-dark", **looks}] if looks["page"] != DARK_BG else []
    if looks["field"] not in (None, DARK_BG):
        wrong.append({"id": "light-field", **looks})
    return wrong + blocking(axe_violations(page))


def log_in(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/moderation/login")
    page.get_by_label("E-mail").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Queues")).to_be_visible()
    page.wait_for_function("() => window.moderatoQueue !== undefined")


def seed(db: Database) -> dict[str, str]:
    """Store a comment in every state a card can show; return the interesting ids."""
    make_user(db, "admin@example.org")
    spans = {"pills.example": ("spam", "link"), "cheap pills": ("spam", "token")}
    spans |= {"pills": ("toxicity", "token"), "idiot": ("toxicity", "token")}
    reasons = []
    for text, (model, kind) in spans.items():
        start = MARKED.index(text)
        reasons.append(
            {"model": model, "kind": kind, "text": text, "weight": 2.0,
             "span": [start, start + len(text)]}
        )  # fmt: skip
    ids = {
        "edited": held(db, name="Dee\u202e", text="Edited words."),  # a hidden control shown
        "marked": held(db, name="Sam", text=MARKED, spam=0.93, toxicity=0.81, reasons=reasons),
        "unscored": held(db, text="Held unscored.", spam=None, toxicity=None),
        "spam": held(db, state=State.REJECTED, rejection="spam", text="Casino bonus!"),
        "toxic": held(db, state=State.REJECTED, rejection="toxic", text="Rude words."),
    }
    stored(db, text="Waiting for the classifier.")
    reported = stored(db, state=State.PUBLISHED, text="You are all wrong.")
    pick = stored(db, state=State.PUBLISHED, name="Editor's pick", text="Sharp and kind.")
    with db.session() as session:
        comment = session.get(Comment, reported.id)
        reports.add(session, comment, "abusive", "Rude to other readers", "0" * 64)  # type: ignore[arg-type]
        assert featured.set_featured(session, pick.id, "feature", "user:1") is not None
    with db.session() as session:
        row = session.get(Comment, ids["edited"])
        assert row is not None
        row.edited_at, row.previous_text = utcnow(), "The words before the edit."
    with db.session() as session, session.begin():
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(
            session, site, "https://hooks.example/in", ["comment.held"], allow_private=True
        )
    set_thread(db, "closed-story", closed=True, message="Closed for the trial.")
    return ids


def test_the_setup_and_login_pages_are_dark_and_readable(
    app: Flask, dark: Page, live_server: LiveServer, db: Database
) -> None:
    """The first admin's setup page, the login page and its refusal (the message, the
    focused field) are dark with no contrast violations."""
    dark.goto(first_admin.setup_url(live_server.url, app.config["SECRET_KEY"]))
    expect(dark.get_by_role("heading", level=1)).to_contain_text("first admin")
    assert dark_and_readable(dark) == []
    make_user(db, "admin@example.org")
    dark.goto(f"{live_server.url}/moderation/login")
    assert dark_and_readable(dark) == []
    dark.get_by_label("E-mail").fill("admin@example.org")
    dark.get_by_label("Password").fill("not the password")
    dark.get_by_role("button", name="Log in").click()
    expect(dark.get_by_label("Password")).to_be_focused()
    assert dark_and_readable(dark) == []


def test_every_dashboard_page_is_dark_and_readable(
    dark: Page, live_server: LiveServer, db: Database
) -> None:
    """Each queue (held cards with spam, toxicity and overlapping highlights, score meters,
    an unscored card, reports, a featured badge, rejected and spam cards), a bad filter's
    summary, a card's history, and the admin pages are dark, with no contrast violation."""
    ids = seed(db)
    log_in(dark, live_server)
    card = dark.locator(f"#c-{ids['marked']}")
    for kind in ("spam", "tox", "both"):
        expect(card.locator(f"mark.r-{kind}").first).to_be_visible()
    edited = dark.locator(f"#c-{ids['edited']}")
    expect(edited.locator(".badge.edited")).to_be_visible()
    expect(edited.locator("details.before-edit")).to_contain_text("The words before the edit.")
    expect(edited.locator(".author .ctl")).to_be_visible()
    found = {}
    for path in [*PAGES, f"/moderation/comments/{ids['marked']}", "/moderation/comments/nope"]:
        dark.goto(f"{live_server.url}{path}")
        found[path] = dark_and_readable(dark)
    assert found == {path: [] for path in found}

    dark.goto(f"{live_server.url}/moderation/sites/1/policy")  # refused, then replayed
    dark.get_by_label("spam: publish below").fill("1.5")
    dark.get_by_role("button", name="Save policy").click()
    expect(dark.get_by_role("alert")).to_be_focused()
    assert dark_and_readable(dark) == []
    dark.get_by_label("spam: publish below").fill("0.6")
    dark.get_by_role("button", name="Preview on the last 30 days").click()
    expect(dark.get_by_role("heading", name=re.compile("and this one"))).to_be_visible()
    assert dark_and_readable(dark) == []
    dark.goto(f"{live_server.url}/moderation/privacy")  # a lookup that finds comments
    dark.get_by_label("E-mail address").fill("ada@example.org")
    dark.get_by_role("button", name="Find").click()
    expect(dark.get_by_role("button", name="Erase everything of this address")).to_be_visible()
    assert dark_and_readable(dark) == []


def test_the_queues_states_are_dark_and_readable(
    dark: Page, live_server: LiveServer, db: Database
) -> None:
    """On the held queue in dark mode: the current card's focus ring, every kind of
    message, a card marked in red after a colleague decided it, the shortcuts' help and a
    ban's flash with its Undo stay readable; so does the bulk review page."""
    ids = seed(db)
    log_in(dark, live_server)
    dark.keyboard.press("j")
    expect(dark.locator(f"#c-{ids['unscored']}")).to_be_focused()  # newest first
    ring = dark.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert ring == "rgb(245, 158, 11)"  # the amber ring, on a dark card
    for kind in ("success", "error", "info", "conflict"):
        dark.evaluate("([text, kind]) => moderato.announce(text, kind)", [f"A {kind}.", kind])
    expect(dark.locator("#live .flash")).to_have_count(2)  # it keeps the last two
    assert dark_and_readable(dark) == []
    dark.evaluate("moderato.announce('A success.', 'success')")
    dark.evaluate("moderato.announce('An info.', 'info')")
    assert dark_and_readable(dark) == []

    decide_elsewhere(db, ids["marked"])
    poll(dark)
    expect(dark.locator(f"#c-{ids['marked']}")).to_have_class(re.compile("conflict"))
    assert dark_and_readable(dark) == []

    dark.keyboard.press("?")
    expect(dark.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert dark_and_readable(dark) == []
    dark.keyboard.press("Escape")

    dark.goto(f"{live_server.url}/moderation/bans")
    dark.get_by_label("Value").fill("spammer@promo.example")
    dark.get_by_role("button", name="Ban", exact=True).click()
    expect(dark.get_by_role("button", name=re.compile("^Undo: lift the ban"))).to_be_visible()
    expect(dark.locator("#live")).to_contain_text("spammer@promo.example")
    assert dark_and_readable(dark) == []

    dark.goto(f"{live_server.url}/moderation/queue/held")
    dark.get_by_role("button", name="Review…").click()
    expect(dark.get_by_role("heading", level=1)).to_have_text("Approve: 2 comments?")
    assert dark_and_readable(dark) == []


def test_the_stats_charts_and_tables_are_dark_and_readable(
    dark: Page, live_server: LiveServer, db: Database
) -> None:
    """The stats page in dark mode: the SVG charts' axis labels, gridlines, legend and
    series take the dark theme's colours (they kept the light ones, dark grey text on a dark
    panel), and the charts' tables, opened, have no contrast violation."""
    seed(db)
    log_in(dark, live_server)
    dark.goto(f"{live_server.url}/moderation/stats?range=7d")
    for summary in dark.locator("details.chart-data summary").all():
        summary.click()
    chart = dark.get_by_role("img", name="Submissions per day by outcome")
    paint = chart.evaluate(
        """svg => ({
            axis: getComputedStyle(svg.querySelector(".axis")).fill,
            legend: getComputedStyle(svg.querySelector(".legend")).fill,
            grid: getComputedStyle(svg.querySelector(".grid-line")).stroke,
            held: getComputedStyle(svg.querySelector("rect.tone-held")).fill,
        })"""
    )
    assert paint == {
        "axis": "rgb(157, 167, 179)",  # --muted
        "legend": "rgb(230, 237, 243)",  # --fg
        "grid": "rgb(61, 68, 77)",  # --line
        "held": "rgb(210, 153, 34)",  # --tone-held
    }
    expect(dark.get_by_role("table", name="Submissions per day by outcome")).to_be_visible()
    assert dark_and_readable(dark) == []
