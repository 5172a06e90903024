"""The dashboard's pages with data tables on a phone (WCAG 1.4.10 Reflow), in Chromium at
360 CSS px: the page never scrolls sideways, a wide table scrolls in its own region (named
and focusable), Threads' controls stay on the screen, and axe-core finds nothing serious."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from service.bidi import isolate
from service.integrations.webhooks import create_endpoint
from service.store import Database
from service.store.tables import AuditEntry, Ban, Site, WebhookDelivery
from service.store.tables_notify import MailMessage
from tests.browser.conftest import LiveServer
from tests.browser.test_embed_a11y import axe_violations, blocking
from tests.browser.test_moderation_dark import dark_and_readable, log_in
from tests.dashboard import held, make_user
from tests.mail_outbox import asking
from tests.service.test_threads import _set

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
THREAD = "https://news.example.org/2024/05/17/council-votes-on-the-new-riverside-bridge-plan"
UNBROKEN = "x" * 90  # a value with nowhere to break: an id, a token, a hash
NOTE = f"Repeated spam from a rotating set of addresses, see {UNBROKEN} and the log above"
URL = f"https://hooks.example.org/receivers/moderato/{UNBROKEN}"


def open_chart_tables(page: Page) -> None:
    """Open each chart's "The numbers, as a table"."""
    for summary in page.locator("details.chart-data summary").all():
        summary.click()


def look_up_ada(page: Page) -> None:
    """Find everything of the address whose comments were seeded."""
    page.get_by_label("E-mail address").fill("ada@example.org")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("button", name="Erase everything of this address")).to_be_visible()


def nothing(page: Page) -> None:
    """The page as loaded."""


PAGES: dict[str, Callable[[Page], None]] = {
    "/moderation/threads": nothing,
    "/moderation/audit": nothing,
    "/moderation/stats?range=30d": open_chart_tables,
    "/moderation/comments/{comment}": nothing,
    "/moderation/bans": nothing,
    "/moderation/users": nothing,
    "/moderation/sites": nothing,
    "/moderation/sites/1/policy": nothing,
    "/moderation/account": nothing,
    "/moderation/privacy": look_up_ada,
    "/moderation/mail": nothing,
    "/moderation/integrations/": nothing,
    "/moderation/integrations/sites/1": nothing,
    "/moderation/integrations/endpoints/1": nothing,
}


def seed(db: Database) -> dict[str, str]:
    """Store what makes the tables wide: a long thread id, long notes and errors, values
    with nowhere to break; return the held comment's id."""
    make_user(db, "admin@example.org")
    make_user(db, f"moderator.of.the.riverside.desk.{'x' * 30}@example.org", role="moderator")
    comment = held(db, thread=THREAD, name="Ada", email="ada@example.org")
    _set(db, THREAD, closed=True, message="Closed after the council's vote, thank you all.")
    _set(db, f"{THREAD}-follow-up", mode="pre")
    mail_id = asking(db, "bob.reader@example.org", thread=THREAD)
    with db.session() as session, session.begin():
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        endpoint = create_endpoint(
            session, site, URL, ["comment.held"], allow_private=True
        ).endpoint
        session.flush()
        session.add(
            WebhookDelivery(
                id=uuid.uuid4().hex,
                endpoint_id=endpoint.id,
                event_type="comment.held",
                payload="{}",
                status="failed",
                attempts=5,
                last_status_code=502,
                last_error=f"HTTP 502 from the receiver: {UNBROKEN}",
            )
        )
        session.add(Ban(site_id=None, kind="email", value=f"{UNBROKEN}@example.org", note=NOTE,
                        created_by="user:1"))  # fmt: skip
        session.add(AuditEntry(comment_id=comment, site_id=site.id, actor="user:1",
                               action="reject", from_state="held", to_state="rejected",
                               note=NOTE, details={"reason": UNBROKEN}))  # fmt: skip
        session.execute(
            update(MailMessage)
            .where(MailMessage.id == mail_id)
            .values(status="failed", attempts=3, last_error=f"550 5.1.1 <{UNBROKEN}>: no such user")
        )
    return {"comment": comment}


@pytest.fixture
def phone(browser: Browser) -> Iterator[dict[str, Page]]:
    """A light and a dark phone-sized page that may inject axe-core despite the CSP."""
    contexts = {
        scheme: browser.new_context(viewport=PHONE, bypass_csp=True, color_scheme=scheme)
        for scheme in ("light", "dark")
    }
    yield {scheme: ctx.new_page() for scheme, ctx in contexts.items()}
    for ctx in contexts.values():
        ctx.close()


def reflow_problems(page: Page) -> list[str]:
    """Return what breaks reflow: the page scrolling sideways, a table outside a scroll
    region, a region that is not focusable or has no name."""
    return page.evaluate(
        """() => {
            const wrong = [];
            const doc = document.documentElement;
            if (doc.scrollWidth > innerWidth) {  // name what sticks out, outside the tables
                const out = [...document.querySelectorAll("body *")].filter(
                    (el) => el.getBoundingClientRect().right > innerWidth && !el.closest("table"));
                wrong.push(`page ${doc.scrollWidth} > ${innerWidth}: ` +
                           out.map((el) => el.outerHTML.slice(0, 100)).join(" | "));
            }
            for (const table of document.querySelectorAll("main table:not(dialog table)")) {
                const region = table.parentElement;
                if (!region.matches(".table-scroll[role=region]")) {
                    wrong.push(`unwrapped: ${table.outerHTML.slice(0, 80)}`);
                    continue;
                }
                if (region.tabIndex !== 0) wrong.push(`not focusable: ${region.outerHTML.slice(0, 80)}`);
                const label = document.getElementById(region.getAttribute("aria-labelledby"));
                if (!label || !label.textContent.trim()) wrong.push(`unnamed: ${region.outerHTML.slice(0, 80)}`);
                if (region.getBoundingClientRect().right > innerWidth) wrong.push("region off-screen");
            }
            return wrong;
        }"""
    )


@pytest.mark.parametrize("path", list(PAGES))
def test_a_table_page_reflows_at_360_px(
    path: str, phone: dict[str, Page], live_server: LiveServer, db: Database
) -> None:
    """At 360 px, light and dark: the document is no wider than the screen; every table of
    the page sits in a region named by its heading or caption that Tab reaches (a wide
    table scrolls there, not the page); axe-core finds nothing serious (contrast and
    scrollable-region-focusable among its rules) and the dark page is drawn dark."""
    ids = seed(db)
    url = f"{live_server.url}{path.format(**ids)}"
    for scheme, page in phone.items():
        log_in(page, live_server)
        page.goto(url)
        PAGES[path](page)
        expect(page.locator("main table").first).to_be_attached()
        assert reflow_problems(page) == [], scheme
        for region in page.locator(".table-scroll").all():
            region.focus()
            expect(region).to_be_focused()
            expect(region).to_have_accessible_name(re.compile(r"\S"))
        found = blocking(axe_violations(page)) if scheme == "light" else dark_and_readable(page)
        assert found == [], scheme


def test_threads_controls_are_on_a_phone_screen(
    phone: dict[str, Page], live_server: LiveServer, db: Database
) -> None:
    """On Threads at 360 px each row is a block: the Reopen and Close buttons and the mode
    control are within the screen without scrolling sideways, each cell labelled by its
    column, and the table keeps its rows and cells for a screen reader."""
    seed(db)
    page = phone["light"]
    log_in(page, live_server)
    page.goto(f"{live_server.url}/moderation/threads")
    table = page.get_by_role("region", name="Threads (2)").get_by_role("table")
    closed, other = isolate(THREAD), isolate(f"{THREAD}-follow-up")
    controls = [
        table.get_by_role("button", name=f"Reopen {closed}", exact=True),
        table.get_by_role("button", name=f"Close {other}", exact=True),
        table.get_by_role("combobox", name=f"Moderation mode of {other}", exact=True),
        table.get_by_role("button", name=f"Set the moderation mode of {other}", exact=True),
    ]
    for control in controls:  # no scrolling: a sideways one would hide what this proves
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    region = page.locator(".table-scroll")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing hides sideways
    expect(table.get_by_role("row")).to_have_count(3)  # the hidden header row and two threads
    expect(table.get_by_role("cell", name="Published: 0")).to_have_count(0)  # label not read
    expect(table.get_by_role("columnheader", name="Published")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
