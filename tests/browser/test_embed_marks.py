"""What the widget says about a comment besides its text, in headless Chromium: the
"edited" mark of a comment its author edited, and names isolated (FSI … PDI, without
their direction controls) in the labels of its Reply and Report buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_embed import Publisher, allow_origin, open_widget
from tests.factories import stored

pytestmark = pytest.mark.browser

FSI, PDI = "\u2068", "\u2069"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_an_edited_comment_shows_when_it_was_edited(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A comment its author edited shows "edited" next to its time: a <time> whose datetime
    is the edit's and whose title and words for a screen reader (hidden from sight) say
    when; another shows no mark."""
    allow_origin(db, publisher.origin)
    edited = stored(db, state=State.PUBLISHED, thread="publisher-article", name="Ada", text="New")
    stored(db, state=State.PUBLISHED, thread="publisher-article", name="Bo", text="Old")
    with db.session() as session:
        row = session.get(Comment, edited.id)
        assert row is not None
        row.edited_at = datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC)
    w = open_widget(page, publisher.article(live_server))
    marks = w.locator("time.edited")
    expect(marks).to_have_count(1)
    mark = w.locator(f"#m-c-{edited.id} .meta time.edited")
    expect(mark.locator("[aria-hidden=true]")).to_have_text("edited")
    expect(mark).to_have_attribute("datetime", "2026-11-27T09:30:05.000Z")
    label = mark.get_attribute("title") or ""
    assert label.startswith("Edited ") and "2026" in label, label
    expect(mark.locator(".vh")).to_have_text(label)
    expect(mark).to_match_aria_snapshot(f"- time: {label}")  # what a screen reader reads
    box = mark.bounding_box()
    assert box is not None and box["width"] < 100, box  # the word shows, not the sentence


def test_reply_and_report_are_named_with_the_author_isolated(
    page: Page, live_server: LiveServer, publisher: Publisher, db: Database
) -> None:
    """A right-to-left name carrying an override (U+202E) and an isolate: the Reply and
    Report buttons are named "… FSI name PDI", the name without its controls."""
    allow_origin(db, publisher.origin)
    name = "مريم\u202eevil\u2066 2"
    stored(db, state=State.PUBLISHED, thread="publisher-article", name=name, text="Salam")
    w = open_widget(page, publisher.article(live_server))
    shown = f"{FSI}مريمevil 2{PDI}"
    reply = w.locator("button.reply")
    report = w.locator("button.report")
    expect(reply).to_have_accessible_name(f"Reply to {shown}")
    expect(report).to_have_accessible_name(f"Report the comment by {shown}")
    for button in (reply, report):
        label = button.get_attribute("aria-label") or ""
        assert [c for c in label if c in BIDI] == [FSI, PDI], label
