"""Accessibility of the embed, checked by axe-core in Chromium; the README's screenshots.

axe-core (MPL-2.0, Deque Systems) is a test-only asset: the ``axe.min.js`` shipped inside
the ``axe-playwright-python`` wheel from PyPI (the ``test`` extra); nothing is vendored.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.factories import stored

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
VARIANTS = {
    "light": "/demo?theme=light",
    "dark": "/demo?theme=dark",
    "rtl": "/demo?lang=ar&theme=light",
}


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page that may inject axe-core despite our pages' strict CSP."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    yield ctx.new_page()
    ctx.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page (shadow DOM included); return its violations."""
    source = resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")
    page.add_script_tag(content=source)
    return page.evaluate(  # type: ignore[no-any-return]
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" "))
            }));
        }""",
        TAGS,
    )


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING]


def seed_thread(db: Database) -> None:
    """Store a small, realistic published thread on the demo article."""
    first = stored(
        db,
        state=State.PUBLISHED,
        thread="demo",
        name="Tomás Ferreira",
        email="tomas@example.org",
        url="https://tomas.example.org",
        text="Finally! I cycle to the campus every day and the ring road is *terrifying* "
        "at rush hour. Does anyone know if the path will be lit at night?",
    )
    stored(
        db,
        state=State.PUBLISHED,
        thread="demo",
        name="Ines (transport committee)",
        email="ines@example.org",
        parent=first.id,
        text="Yes: low lamps every 30 m along the whole towpath. The plans are at "
        "https://example.org/riverside-plans",
    )
    stored(
        db,
        state=State.PUBLISHED,
        thread="demo",
        name="Harbour Street Bakery",
        email="bakery@example.org",
        text="We support the path, but eleven loading bays is a lot. A six-month review "
        "is the least the council can do.",
    )
    stored(
        db,
        state=State.PUBLISHED,
        thread="demo",
        name="ليلى",
        email="layla@example.org",
        text="خبر رائع! أتمنى أن يمتد المسار إلى محطة القطار أيضًا.",
    )


def open_demo(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#moderato-thread section.m article.card")).to_have_count(4)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_demo_passes_axe_and_is_screenshotted(
    axe_page: Page,
    live_server: LiveServer,
    db: Database,
    screenshots_dir: Path,
    variant: str,
) -> None:
    """The demo (light, dark, RTL) has no serious axe violations; screenshots go to docs/."""
    seed_thread(db)
    open_demo(axe_page, live_server.url + VARIANTS[variant])
    section = axe_page.locator("#moderato-thread section.m")
    if variant == "rtl":
        expect(section).to_have_attribute("dir", "rtl")
    background = section.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == ("rgb(27, 28, 31)" if variant == "dark" else "rgb(255, 255, 255)")
    assert blocking(axe_violations(axe_page)) == []
    axe_page.screenshot(path=str(screenshots_dir / f"embed-{variant}.png"), full_page=True)


def test_form_with_errors_passes_axe(axe_page: Page, live_server: LiveServer, db: Database) -> None:
    """With every field in error (aria-invalid, messages, alert) axe still finds nothing serious."""
    seed_thread(db)
    open_demo(axe_page, live_server.url + "/demo")
    w = axe_page.locator("#moderato-thread section.m")
    w.get_by_label("Website").fill("not a url")
    w.get_by_role("button", name="Post Comment").click()
    expect(w.locator("[aria-invalid=true]")).to_have_count(4)
    assert blocking(axe_violations(axe_page)) == []


def test_open_report_form_passes_axe(axe_page: Page, live_server: LiveServer, db: Database) -> None:
    """With a report form open in a comment (and its "choose a reason" message), in light,
    dark and right-to-left, axe finds nothing serious."""
    seed_thread(db)
    for url in VARIANTS.values():
        open_demo(axe_page, live_server.url + url)
        w = axe_page.locator("#moderato-thread section.m")
        w.locator("button.report").first.click()
        w.locator("form.reportf button[type=submit]").click()
        expect(w.locator("form.reportf .status")).not_to_be_empty()
        assert blocking(axe_violations(axe_page)) == [], url


def test_no_js_thread_page_passes_axe(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """The no-JavaScript thread (the iframe page) has no serious or critical axe violations."""
    seed_thread(db)
    axe_page.goto(f"{live_server.url}/embed/thread?site=default&thread=demo&format=page")
    expect(axe_page.locator(".mf-card")).to_have_count(4)
    assert blocking(axe_violations(axe_page)) == []


def test_no_js_form_sent_back_with_errors_passes_axe(
    axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """The form sent back to a reader without JavaScript (error summary, invalid fields,
    their messages) has no serious or critical axe violations, in English and Arabic. (The
    iframe page has no script, so the post is the plain form's.)"""
    for lang in ("en", "ar"):
        url = f"{live_server.url}/embed/thread?site=default&thread=demo&format=page&lang={lang}"
        axe_page.goto(url)
        axe_page.locator("#mf-name").fill("Ada")
        axe_page.locator("#mf-email").fill("ada@localhost")  # the browser's rule, not ours
        axe_page.locator("#mf-text").fill("Hello")
        axe_page.locator("button.mf-submit").click()
        expect(axe_page.locator(".mf-summary")).to_be_focused()
        expect(axe_page.locator("[aria-invalid=true]")).to_have_count(1)
        assert blocking(axe_violations(axe_page)) == [], lang


def test_a_later_page_opened_by_a_link_passes_axe(
    app: Flask, axe_page: Page, live_server: LiveServer, db: Database
) -> None:
    """A link to a comment on a later page, in the widget (its "Back to the first
    comments" button shown) in light, dark and right-to-left, and in the no-JS page (its
    link back): axe finds nothing serious."""
    app.config["LIST_PAGE_SIZE"] = app.config["LIST_MAX_PAGE_SIZE"] = 2
    seed_thread(db)
    with db.session() as session:
        last = session.scalars(
            select(Comment.id).where(Comment.thread == "demo").order_by(Comment.created_at.desc())
        ).first()
    for url in VARIANTS.values():
        axe_page.goto(f"{live_server.url}{url}#comment-{last}")
        w = axe_page.locator("#moderato-thread section.m")
        expect(w.locator(f"#m-c-{last} > article")).to_be_focused()
        expect(w.locator(":scope > button.btn2:visible")).to_have_count(1)  # back to the first
        assert blocking(axe_violations(axe_page)) == [], url
    page_url = f"{live_server.url}/embed/thread?site=default&thread=demo&format=page"
    axe_page.goto(f"{page_url}&comment={last}#comment-{last}")
    expect(axe_page.locator(".mf-first")).to_be_visible()
    assert blocking(axe_violations(axe_page)) == []
