"""Right-to-left names and direction controls in the dashboard, in headless Chromium: the
labels a screen reader reads and the sentences the page says keep the user's part
isolated (FSI … PDI), without its controls; the visible text is isolated by markup."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from service.store import Database
from tests.browser.conftest import LiveServer
from tests.browser.test_moderation import log_in
from tests.browser.test_moderation_live import watch
from tests.dashboard import held

pytestmark = pytest.mark.browser

FSI, PDI = "\u2068", "\u2069"
ARABIC = "مريم 2"
SPOOF = "Ada\u202eevil\u2069 reversed"  # stored before names were checked


def test_right_to_left_and_spoofed_names_stay_in_their_place(
    db: Database, live_server: LiveServer, page: Page
) -> None:
    """The checkbox and the note field of a card are named "… by FSI name PDI" (a
    right-to-left name, and one that carried an override, which the label drops); the
    visible name, thread and signal are isolated by markup; and the sentences the script
    builds with a name (a failed action) isolate it the same way, without the tags the
    card shows for hidden controls."""
    problems = watch(page)
    rtl = held(db, name=ARABIC, thread="مقال-2", text="تعليق http://myblog.example")
    spoof = held(db, name=SPOOF, email="spoof@example.org")
    log_in(page, live_server, db)
    card = page.locator(f"#c-{rtl}")
    expect(card.get_by_role("checkbox")).to_have_accessible_name(
        f"Select the comment by {FSI}{ARABIC}{PDI}"
    )
    expect(card.get_by_role("textbox")).to_have_accessible_name(
        f"Note for the comment by {FSI}{ARABIC}{PDI}"
    )
    isolation = card.locator(".author, .thread bdi, .reasons bdi, a.email bdi").evaluate_all(
        "els => els.map(e => getComputedStyle(e).unicodeBidi)"
    )
    assert isolation == ["isolate"] * 4, isolation
    other = page.locator(f"#c-{spoof}")
    expect(other.locator(".author")).to_contain_text("⟨RLO⟩")
    expect(other.get_by_role("checkbox")).to_have_accessible_name(
        f"Select the comment by {FSI}Adaevil reversed{PDI}"
    )

    other.focus()
    page.context.set_offline(True)
    page.keyboard.press("a")
    expect(page.locator("#live")).to_contain_text(
        f"nothing changed for {FSI}Adaevil reversed{PDI}. Try again."
    )
    page.context.set_offline(False)
    card.focus()
    page.keyboard.press("a")
    expect(page.locator("#live")).to_contain_text(f"Approve: done ({FSI}{ARABIC}{PDI}).")
    assert not [p for p in problems if not re.search("ERR_INTERNET_DISCONNECTED", p)], problems
