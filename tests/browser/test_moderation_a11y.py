"""Accessibility of the moderator dashboard, checked by axe-core in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from service import reports
from service.integrations.webhooks import create_endpoint
from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from tests.browser.conftest import LiveServer
from tests.browser.test_embed_a11y import axe_violations, blocking
from tests.dashboard import PASSWORD, held, make_user
from tests.factories import stored

pytestmark = pytest.mark.browser

PAGES = [
    "/moderation/queue/held",
    "/moderation/queue/reported",
    "/moderation/queue/published",
    "/moderation/queue/published?featured=1",  # "Featured only", tabs marked "(filtered)"
    "/moderation/queue/held?reason=classifier_error",
    "/moderation/stats",
    "/moderation/audit",
    "/moderation/bans",
    "/moderation/users",
    "/moderation/integrations/",
    "/moderation/integrations/sites/1",  # keys, endpoints, Send a test event
    "/moderation/integrations/endpoints/1",  # its delivery log: ping, change, delete forms
    "/moderation/privacy",
    "/moderation/threads",
    "/moderation/sites",
    "/moderation/sites/1/policy",
]


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page that may inject axe-core despite the dashboard's strict CSP."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    yield ctx.new_page()
    ctx.close()


def test_login_page_has_no_serious_accessibility_violations(
    axe_page: Page, live_server: LiveServer
) -> None:
    """The login form passes axe-core with no serious or critical violations."""
    axe_page.goto(f"{live_server.url}/moderation/login")
    assert blocking(axe_violations(axe_page)) == []


def test_dashboard_pages_have_no_serious_accessibility_violations(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """Queue (with a held card and its highlighted reasons), stats, audit, bans, users,
    integrations (a site's keys and endpoints, an endpoint's delivery log), privacy, threads (one open, one closed) and a privacy lookup that found
    a comment pass axe-core."""
    from tests.service.test_threads import _set

    make_user(db, "admin@example.org")
    held(db, name="Sam", text="Interesting read. Visit my blog for more: http://myblog.example")
    reported = stored(db, state=State.PUBLISHED, text="You are all idiots.")
    with db.session() as session:
        comment = session.get(Comment, reported.id)
        reports.add(session, comment, "abusive", "Rude to other readers", "0" * 64)  # type: ignore[arg-type]
    _set(db, "closed-story", closed=True, message="Closed for the trial.")
    with db.session() as session, session.begin():
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(
            session, site, "https://hooks.example/in", ["comment.held"], allow_private=True
        )
    axe_page.goto(f"{live_server.url}/moderation/login")
    axe_page.get_by_label("E-mail").fill("admin@example.org")
    axe_page.get_by_label("Password").fill(PASSWORD)
    axe_page.get_by_role("button", name="Log in").click()
    expect(axe_page.get_by_role("navigation", name="Queues")).to_be_visible()
    found = {}
    for path in PAGES:
        axe_page.goto(f"{live_server.url}{path}")
        assert axe_page.url.startswith(f"{live_server.url}{path.rstrip('/')}"), axe_page.url
        found[path] = blocking(axe_violations(axe_page))
    assert found == {path: [] for path in PAGES}
    axe_page.goto(f"{live_server.url}/moderation/sites/1/policy")  # a refused policy
    axe_page.get_by_label("spam: publish below").fill("1.5")
    axe_page.get_by_role("button", name="Save policy").click()
    expect(axe_page.get_by_role("alert")).to_contain_text("Spam, publish below: enter a number")
    expect(axe_page.get_by_role("alert")).to_be_focused()  # read first, links to the field
    expect(axe_page.get_by_label("spam: publish below")).to_have_attribute("aria-invalid", "true")
    assert blocking(axe_violations(axe_page)) == []
    axe_page.get_by_label("spam: publish below").fill("0.6")
    axe_page.get_by_role("button", name="Preview on the last 30 days").click()
    expect(axe_page.get_by_role("heading", name=re.compile("and this one"))).to_be_visible()
    assert blocking(axe_violations(axe_page)) == []
    axe_page.goto(f"{live_server.url}/moderation/privacy")  # a lookup that finds a comment
    axe_page.get_by_label("E-mail address").fill("ada@example.org")
    axe_page.get_by_role("button", name="Find").click()
    expect(axe_page.get_by_role("button", name="Erase everything of this address")).to_be_visible()
    assert blocking(axe_violations(axe_page)) == []


def test_a_bad_queue_filter_is_named_kept_marked_and_lists_nothing(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """``?email=notanemail``: an error summary takes focus and names the field by its label,
    linking to it; the field keeps the bad value, is marked invalid and described by its
    error; no card and no bulk action is offered (the whole queue was listed under "All N
    comments matching this filter → Spam"; found in review). axe-core stays clean."""
    make_user(db, "admin@example.org")
    held(db)
    held(db)
    axe_page.goto(f"{live_server.url}/moderation/login")
    axe_page.get_by_label("E-mail").fill("admin@example.org")
    axe_page.get_by_label("Password").fill(PASSWORD)
    axe_page.get_by_role("button", name="Log in").click()
    expect(axe_page.locator("li.card")).to_have_count(2)
    axe_page.goto(f"{live_server.url}/moderation/queue/held?email=notanemail&spam_min=2")
    summary = axe_page.get_by_role("alert").filter(has_text="Filter not applied")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Author e-mail or @domain: Enter an e-mail address")
    expect(summary).to_contain_text("Spam score from: Enter a score between 0 and 1.")
    expect(summary).not_to_contain_text("spam_min")
    field = axe_page.get_by_role("textbox", name="Author e-mail or @domain")
    expect(field).to_have_value("notanemail")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Enter an e-mail address"))
    expect(axe_page.get_by_role("spinbutton", name="Spam score from")).to_have_value("2")
    summary.get_by_role("link", name="Author e-mail or @domain").click()
    expect(field).to_be_focused()
    expect(axe_page.locator("li.card")).to_have_count(0)
    expect(axe_page.locator("#empty")).to_contain_text("Filter not applied")
    expect(axe_page.get_by_text("matching this filter")).to_have_count(0)
    expect(axe_page.get_by_role("button", name="Review…")).to_have_count(0)
    axe_page.evaluate("window.moderatoQueue.poll()")  # no poll brings the whole queue back
    expect(axe_page.locator("li.card")).to_have_count(0)
    assert blocking(axe_violations(axe_page)) == []


def test_score_meters_are_named_and_charts_have_their_numbers_as_tables(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """Each card's score meters are named ("Spam score", "Toxicity score"; they read only
    "meter 0.99"), and each stats chart (an SVG image with a title) offers its values per
    day as a data table a screen reader can walk (found in review). axe-core stays clean
    with the tables open."""
    make_user(db, "admin@example.org")
    held(db, spam=0.99, toxicity=0.03)
    held(db, spam=0.7, toxicity=0.2)
    axe_page.goto(f"{live_server.url}/moderation/login")
    axe_page.get_by_label("E-mail").fill("admin@example.org")
    axe_page.get_by_label("Password").fill(PASSWORD)
    axe_page.get_by_role("button", name="Log in").click()
    expect(axe_page.get_by_role("meter", name="Spam score")).to_have_count(2)
    expect(axe_page.get_by_role("meter", name="Toxicity score")).to_have_count(2)
    expect(axe_page.get_by_role("meter", name="Spam score").first).to_have_attribute(
        "value", re.compile(r"^0\.(99|7)")
    )

    axe_page.goto(f"{live_server.url}/moderation/stats?range=7d")
    for summary in axe_page.locator("details.chart-data summary").all():
        summary.click()
    outcomes = axe_page.get_by_role("table", name="Submissions per day by outcome")
    expect(outcomes).to_be_visible()
    expect(outcomes.get_by_role("row")).to_have_count(8)  # a header row and 7 days
    expect(outcomes.get_by_role("columnheader", name="Held")).to_be_visible()
    held_column = [name.strip() for name in outcomes.locator("thead th").all_inner_texts()].index(
        "Held"
    )
    last = outcomes.locator("tbody tr").last.locator("th, td").nth(held_column)
    expect(last).to_have_text("2")  # today's two held comments
    expect(outcomes.locator("tbody tr").first.locator("td").first).to_have_text("0")
    expect(
        axe_page.get_by_role("table", name="Hold, spam and toxicity rates per day")
    ).to_be_visible()
    decision = axe_page.get_by_role("table", name=re.compile("^Median time to decision"))
    expect(decision.locator("tbody td").first).to_have_text("–")  # nothing decided yet
    assert blocking(axe_violations(axe_page)) == []
