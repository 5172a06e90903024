"""Screenshots of the dashboard for the README: the held queue and the stats page."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from service.clock import utcnow
from service.lifecycle import Change, transition
from service.status import Label, Rejection, State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.browser.conftest import LiveServer
from tests.browser.test_moderation import log_in
from tests.dashboard import held

pytestmark = pytest.mark.browser

QUEUE = [
    (
        "Maya Lindqvist",
        "maya@example.org",
        "Great breakdown of the council budget. I wrote a longer analysis on my blog, "
        "see http://budget-watch.example/analysis if you want the spreadsheets.",
        0.81,
        0.02,
        [
            ("spam", "link", "http://budget-watch.example/analysis", 3.2),
            ("spam", "token", "blog", 0.9),
        ],
    ),
    (
        "Tom R.",
        "tom.r@example.net",
        "This is the dumbest take I have read all week, the author clearly has no idea.",
        0.04,
        0.74,
        [("toxicity", "token", "dumbest", 2.9), ("toxicity", "token", "no idea", 0.8)],
    ),
    (
        "Best Crypto Deals",
        "deals@promo-mail.example",
        "Earn 5000 a week from home!! Free crypto giveaway at casino-bonus.example, WhatsApp now",
        0.93,
        0.08,
        [
            ("spam", "link", "casino-bonus.example", 4.5),
            ("spam", "token", "giveaway", 2.1),
            ("spam", "token", "WhatsApp", 1.7),
            ("spam", "author", "name looks commercial", 1.2),
        ],
    ),
]


def populate_stats(db: Database) -> None:
    """Create a week of comments with outcomes, holds, moderator decisions and labels."""
    rng = random.Random(7)
    now = utcnow()
    for day in range(7):
        for n in range(rng.randint(8, 16)):
            when = now - timedelta(days=day, hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
            roll = rng.random()
            spam = round(rng.uniform(0.55, 0.93) if roll < 0.45 else rng.uniform(0.0, 0.4), 2)
            state = State.HELD if spam >= 0.5 else State.PUBLISHED
            cid = held(db, text=f"Comment {day}-{n} http://site{n}.example", spam=spam, state=state)
            with db.session() as session:
                row = session.get(Comment, cid)
                assert row is not None
                row.created_at = when
                for entry in session.query(AuditEntry).filter(AuditEntry.comment_id == cid):
                    entry.created_at = when + timedelta(seconds=2)
            if state is State.HELD and day > 0:
                label = Label.SPAM if spam > 0.7 or rng.random() < 0.3 else Label.HAM
                with db.session() as session:
                    transition(
                        session,
                        cid,
                        Change(
                            State.HELD,
                            State.REJECTED if label is Label.SPAM else State.PUBLISHED,
                            "user:1",
                            "spam" if label is Label.SPAM else "ham",
                            rejection=Rejection.SPAM if label is Label.SPAM else None,
                            label=label,
                        ),
                    )
                    last = (
                        session.query(AuditEntry)
                        .filter(AuditEntry.comment_id == cid)
                        .order_by(AuditEntry.id.desc())
                        .first()
                    )
                    assert last is not None
                    last.created_at = when + timedelta(minutes=rng.randint(5, 240))


def test_screenshots_of_queue_and_stats(
    db: Database, live_server: LiveServer, page: Page, screenshots_dir: Path
) -> None:
    """The held queue and the stats page render fully and are saved as screenshots, in light
    and in dark mode (``prefers-color-scheme: dark``, emulated)."""
    log_in(page, live_server, db)
    populate_stats(db)
    with db.session() as session:
        for row in session.query(Comment).filter(Comment.state == State.HELD.value):
            row.state = State.REJECTED.value
            row.rejection = Rejection.SPAM.value
    for name, email, text, spam, tox, signals in QUEUE:
        reasons = []
        for model, kind, token, weight in signals:
            start = text.find(token)
            reasons.append(
                {"model": model, "kind": kind, "text": token, "weight": weight,
                 "span": [start, start + len(token)] if start >= 0 else None}
            )  # fmt: skip
        summary = [
            f"{score} score {value:.2f} is at or above the publish threshold 0.50"
            for score, value in (("spam", spam), ("toxicity", tox))
            if value >= 0.5
        ]
        held(db, name=name, email=email, text=text, spam=spam, toxicity=tox, reasons=reasons,
             summary=summary, thread="https://news.example/2026/council-budget",
             ip_hash=hashlib.sha256(email.encode()).hexdigest()[:16])  # fmt: skip
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.goto(f"{live_server.url}/moderation/queue/held")
    expect(page.locator("li.card")).to_have_count(3)
    page.keyboard.press("j")
    page.screenshot(path=str(screenshots_dir / "moderation-queue.png"), full_page=True)

    page.goto(f"{live_server.url}/moderation/stats?range=7d")
    expect(page.locator("svg.chart")).to_have_count(3)
    page.screenshot(path=str(screenshots_dir / "moderation-stats.png"), full_page=True)

    page.emulate_media(color_scheme="dark")
    page.goto(f"{live_server.url}/moderation/queue/held")
    expect(page.locator("li.card")).to_have_count(3)
    page.keyboard.press("j")
    page.screenshot(path=str(screenshots_dir / "moderation-queue-dark.png"), full_page=True)
    page.goto(f"{live_server.url}/moderation/stats?range=7d")
    expect(page.locator("svg.chart")).to_have_count(3)
    page.locator("details.chart-data summary").first.click()  # a chart's table, open
    page.screenshot(path=str(screenshots_dir / "moderation-stats-dark.png"), full_page=True)
    for name in ("queue", "stats", "queue-dark", "stats-dark"):
        assert (screenshots_dir / f"moderation-{name}.png").stat().st_size > 10_000
