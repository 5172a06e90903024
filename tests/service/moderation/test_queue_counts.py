"""The queue tabs count what their links list under the active filter, and say so; the
"Featured only" filter of Published and Reported, with its count, on its partial index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from service import featured, reports
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.dashboard import card_ids, held

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def page(client: FlaskClient, path: str) -> str:
    """Return a dashboard page's HTML (asserting it answered 200)."""
    resp = client.get(path, headers=HTML)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def tabs(html: str) -> dict[str, tuple[int, bool]]:
    """Return each queue tab's count and whether it says it is filtered."""
    found = re.findall(
        r'<span class="count" data-queue="(\w+)">(\d+)</span>( <span class="filtered-count">'
        r"\(filtered\)</span>)?</a>",
        html,
    )
    return {q: (int(n), bool(mark)) for q, n, mark in found}


def feature(db: Database, comment_id: str) -> None:
    """Feature a published comment, as a moderator's key does."""
    with db.session() as session:
        assert featured.set_featured(session, comment_id, "feature", "user:1") is not None


def report(db: Database, comment_id: str, reader: int = 0) -> None:
    """Record one reader's report of a published comment."""
    with db.session() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        reports.add(session, comment, "spam", None, f"{reader:064x}")


@pytest.fixture
def mixed(db: Database) -> dict[str, list[str]]:
    """Three held (one unscored), two published, three rejected (two as bots), one spam."""
    return seed(db)


def seed(db: Database) -> dict[str, list[str]]:
    """Store ``mixed``'s comments; return their ids by queue."""
    return {
        "held": [held(db), held(db), held(db, spam=None, toxicity=None, text="unscored")],
        "published": [held(db, state=State.PUBLISHED) for _ in range(2)],
        "rejected": [
            held(db, state=State.REJECTED, rejection="toxic"),
            held(db, state=State.REJECTED, rejection="bot"),
            held(db, state=State.REJECTED, rejection="bot"),
        ],
        "spam": [held(db, state=State.REJECTED, rejection="spam")],
    }


def test_tabs_count_the_reason_filter_where_it_applies_and_say_so(
    client: FlaskClient, db: Database, admin_csrf: str, mixed: dict[str, list[str]]
) -> None:
    """With a Reason filter, the tab of the queue it belongs to counts only those comments
    (it counted the whole queue) and reads "(filtered)"; the other tabs, whose links drop
    the reason, count their whole queue and say nothing. The poll's counts agree, and so
    does the page title."""
    plain = tabs(page(client, "/moderation/queue/held"))
    assert plain == {
        "held": (3, False),
        "reported": (0, False),
        "pending": (0, False),
        "published": (2, False),
        "rejected": (3, False),
        "spam": (1, False),
    }
    html = page(client, "/moderation/queue/held?reason=classifier_error")
    assert card_ids(html) == [mixed["held"][2]]
    assert tabs(html) == {**plain, "held": (1, True)}
    assert "<title>Held (1)" in html
    poll = client.get("/moderation/queue/held/poll?reason=classifier_error", headers=JSON)
    assert poll.get_json()["counts"] == {q: n for q, (n, _) in tabs(html).items()}

    html = page(client, "/moderation/queue/rejected?reason=bot")
    assert tabs(html) == {**plain, "rejected": (2, True)}
    poll = client.get("/moderation/queue/rejected/poll?reason=bot", headers=JSON).get_json()
    assert poll["counts"]["rejected"] == poll["total"] == 2


def test_every_tab_says_filtered_under_a_filter_all_queues_share(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A thread (or e-mail, score, date…) filter narrows every tab, and every tab says so;
    its link keeps the filter, so the count is what the tab lists."""
    wave = [held(db, thread="wave"), held(db, thread="wave", state=State.PUBLISHED)]
    held(db, thread="calm")
    html = page(client, "/moderation/queue/held?thread=wave")
    counted = tabs(html)
    assert counted["held"] == (1, True) and counted["published"] == (1, True)
    assert counted["spam"] == (0, True)
    assert card_ids(page(client, "/moderation/queue/published?thread=wave")) == [wave[1]]


def test_featured_only_lists_the_picks_with_a_count_and_a_link(
    client: FlaskClient, db: Database, admin_csrf: str, mixed: dict[str, list[str]]
) -> None:
    """Published offers "Featured only (N)": ``featured=1`` lists the featured comments
    alone, the Published tab counts them "(filtered)", Reported keeps the filter in its
    link and counts the reported picks, and the queues of unpublished comments drop it
    from their links and offer no such box."""
    pick, other = mixed["published"]
    feature(db, pick)
    reported_pick = held(db, state=State.PUBLISHED, text="A reported pick")
    feature(db, reported_pick)
    report(db, reported_pick)
    report(db, other)

    html = page(client, "/moderation/queue/published")
    assert (
        '<input type="checkbox" name="featured" value="1" id="filter-featured"> Featured only'
        in html
    )
    assert '(<span id="featured-count">2</span>)' in html
    assert tabs(html)["published"] == (3, False)

    html = page(client, "/moderation/queue/published?featured=1")
    assert card_ids(html) == [reported_pick, pick]
    assert 'name="featured" value="1" checked' in html
    assert tabs(html)["published"] == (2, True) and tabs(html)["reported"] == (1, True)
    assert tabs(html)["held"] == (3, False)
    links = dict(re.findall(r'<li><a href="/moderation/queue/(\w+)\??([^"]*)"', html))
    assert links["reported"] == "featured=1" and links["held"] == ""
    assert card_ids(page(client, "/moderation/queue/reported?featured=1")) == [reported_pick]
    assert 'id="featured-count"' not in page(client, "/moderation/queue/held")

    poll = client.get("/moderation/queue/published/poll", headers=JSON).get_json()
    assert poll["featured_count"] == 2 and poll["featured"] == [reported_pick, pick]
    assert (
        client.get("/moderation/queue/held/poll", headers=JSON).get_json()["featured_count"] is None
    )


def test_featured_only_is_refused_where_no_comment_can_be_featured(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """``featured=1`` on Held (or any queue of unpublished comments) and a value other than
    0 or 1 are field errors, in the page and in the JSON error shape."""
    resp = client.get("/moderation/queue/held?featured=1", headers=HTML)
    assert resp.status_code == 422
    assert "Featured only: Only published comments are featured" in resp.get_data(as_text=True)
    bad = client.get("/moderation/queue/published/poll?featured=yes", headers=JSON)
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"]["featured"]["code"] == "invalid_choice"
    assert client.get("/moderation/queue/published?featured=0", headers=HTML).status_code == 200


def test_a_filter_wide_action_takes_the_featured_only(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The "all matching" review of Published with "Featured only" counts and takes the
    featured comments alone."""
    picks = [held(db, state=State.PUBLISHED, text=f"Pick {n}") for n in range(2)]
    held(db, state=State.PUBLISHED, text="Not a pick")
    for cid in picks:
        feature(db, cid)
    html = page(client, "/moderation/queue/published/bulk?featured=1&action=spam")
    assert "<h1>Take down: spam: 2 comments?</h1>" in html
    assert "<strong>Featured only</strong>: <bdi>1</bdi>" in html


@pytest.fixture
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the app's engine runs while the test runs."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_featured_only_reads_the_partial_index(
    client: FlaskClient, db: Database, admin_csrf: str, statements: list[tuple[str, Any]]
) -> None:
    """Every query of a "Featured only" page and poll (the list, its count, the tabs it
    narrows) reads the partial index of featured comments (EXPLAIN QUERY PLAN): without
    statistics SQLite took the published comments' index and read every published comment
    of the site."""
    for n in range(3):
        cid = held(db, state=State.PUBLISHED, text=f"Published {n}")
        if n:
            feature(db, cid)
    statements.clear()
    page(client, "/moderation/queue/published?featured=1&site=default")
    client.get("/moderation/queue/reported/poll?featured=1", headers=JSON)
    page(client, "/moderation/queue/published")  # the box's count
    on_featured = [(sql, p) for sql, p in statements if "featured_at IS NOT NULL" in sql]
    assert len(on_featured) >= 5
    with db.engine.connect() as conn:
        for sql, params in on_featured:
            plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
            # SEARCH by site, or (an admin's every site) a SCAN of the featured rows alone
            assert re.match(r"(SEARCH|SCAN) comments USING INDEX ix_comments_featured\b", plan[0])
