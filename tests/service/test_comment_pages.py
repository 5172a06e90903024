"""The no-JS thread's ``comment=<id>``: a link to one comment opens the page of
conversations that holds it, the very page "Load more" from the first page reaches."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from service import conversations
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import stored

PAGE = "/embed/thread?site=default&thread=t&format=page"

#: (text, parent text, state): roots, replies at depth, a reply whose parent is held (a
#: conversation of its own), and late replies to early comments.
SPECS: list[tuple[str, str | None, State]] = [
    ("r0", None, State.PUBLISHED),
    ("r1", None, State.PUBLISHED),
    ("r0-a", "r0", State.PUBLISHED),
    ("r2", None, State.PUBLISHED),
    ("held", "r1", State.HELD),
    ("r2-a", "r2", State.PUBLISHED),
    ("r3", None, State.PUBLISHED),
    ("under held", "held", State.PUBLISHED),
    ("r2-a-a", "r2-a", State.PUBLISHED),
    ("r4", None, State.PUBLISHED),
    ("r2-b", "r2", State.PUBLISHED),
    ("r5", None, State.PUBLISHED),
    ("r6", None, State.PUBLISHED),
    ("r5-a", "r5", State.PUBLISHED),
    ("r0-b", "r0", State.PUBLISHED),
    ("r7", None, State.PUBLISHED),
]


def build(db: Database, specs: list[tuple[str, str | None, State]]) -> dict[str, Comment]:
    """Store the comments of thread ``t`` one minute apart, in the given order."""
    made: dict[str, Comment] = {}
    for text, parent, state in specs:
        parent_id = made[parent].id if parent else None
        made[text] = stored(db, state=state, thread="t", text=text, parent=parent_id)
    with db.session() as session:
        base = made[specs[0][0]].created_at
        for i, (text, _, _) in enumerate(specs):
            session.execute(
                update(Comment)
                .where(Comment.id == made[text].id)
                .values(created_at=base + timedelta(minutes=i))
            )
    return made


def shown(html: str) -> tuple[list[str], str | None]:
    """Return the ids of the comments a no-JS page lists, in order, and its next cursor."""
    ids = re.findall(r'<li class="mf-c" id="comment-([\w-]+)"', html)
    more = re.search(r'class="mf-more" href="[^"]*cursor=([\w-]+)', html)
    return ids, more[1] if more else None


def get(client: FlaskClient, url: str) -> str:
    rv = client.get(url)
    assert rv.status_code == 200
    return rv.get_data(as_text=True)


def walk(client: FlaskClient, query: str) -> list[tuple[list[str], str | None]]:
    """Return every page of the thread, following "Load more" from the first."""
    pages = [shown(get(client, PAGE + query))]
    while pages[-1][1]:
        pages.append(shown(get(client, f"{PAGE}{query}&cursor={pages[-1][1]}")))
    return pages


def assert_every_comment_lands(
    client: FlaskClient, ids: dict[str, str], cut: frozenset[str] = frozenset()
) -> None:
    """For each comment (id: its conversation's root) and order, ``comment=<id>`` opens
    the page "Load more" reaches that lists its root: the same comments, the same next
    cursor (a reply ``cut`` by MAX_REPLIES is on no page: its root's page is the place)."""
    for order in ("oldest", "newest"):
        pages = walk(client, f"&order={order}")
        assert len(pages) >= 3
        for cid, root in ids.items():
            holding = next(page for page in pages if root in page[0])
            assert (cid in holding[0]) != (cid in cut)
            assert shown(get(client, f"{PAGE}&order={order}&comment={cid}")) == holding, cid


def roots(made: dict[str, Comment]) -> dict[str, str]:
    """Return each published comment's id with its conversation's root id."""
    by_id = {c.id: c for c in made.values()}
    found = {}
    for c in made.values():
        if c.state != State.PUBLISHED.value:
            continue
        top = c
        while top.parent_id and by_id[top.parent_id].state == State.PUBLISHED.value:
            top = by_id[top.parent_id]
        found[c.id] = top.id
    return found


def test_a_link_to_a_comment_opens_the_page_of_its_conversation(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """Two conversations a page, either order: a root three pages in, a late reply to the
    first comment, a reply at depth, a reply under a held comment each open the page
    "Load more" reaches with them on it, with its cursors (the page goes on from there);
    the page carries the comment's anchor, which the browser scrolls to."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    made = build(db, SPECS)
    ids = roots(made)
    assert_every_comment_lands(client, ids)
    assert sorted(i for page in walk(client, "") for i in page[0]) == sorted(ids)
    deep = get(client, f"{PAGE}&comment={made['r4'].id}")  # three pages in
    assert shown(deep)[0] == [made["under held"].id, made["r4"].id]
    assert f'id="comment-{made["r4"].id}"' in deep


def test_pages_ended_early_by_the_replies_bound_are_laid_out_alike(
    app: Flask, client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a thread with more replies than a page brings (MAX_REPLIES), pages end before
    the conversation that passes the bound; a link lands on the same page as "Load more"
    does, cut conversations included."""
    monkeypatch.setattr(conversations, "MAX_REPLIES", 2)
    app.config["LIST_MAX_PAGE_SIZE"] = 3
    made = build(db, SPECS)
    assert_every_comment_lands(client, roots(made), frozenset([made["r2-b"].id]))
    first, cut = walk(client, "")[:2]  # r0 and r1 (r2's replies pass it), then r2 alone
    assert first[0] == [made[t].id for t in ("r0", "r0-a", "r0-b", "r1")]
    assert cut[0] == [made[t].id for t in ("r2", "r2-a", "r2-a-a")]
    assert shown(get(client, f"{PAGE}&comment={made['r2-b'].id}")) == cut


@pytest.mark.parametrize("which", ["unknown", "held", "rejected", "other thread", "not an id"])
def test_a_link_to_a_comment_not_in_the_thread_opens_the_first_page(
    app: Flask, client: FlaskClient, db: Database, which: str
) -> None:
    """An id that is not a published comment of this thread (unknown, held, rejected, of
    another thread, malformed) opens the first page, as a page without it: no error, and
    nothing tells a held comment from one that never was."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    made = build(db, SPECS)
    elsewhere = stored(db, state=State.PUBLISHED, thread="other", text="elsewhere")
    rejected = stored(db, state=State.REJECTED, thread="t", text="gone")
    cid: Any = {
        "unknown": "A" * 22,
        "held": made["held"].id,
        "rejected": rejected.id,
        "other thread": elsewhere.id,
        "not an id": "<b>",
    }[which]
    first = get(client, PAGE)
    assert shown(get(client, f"{PAGE}&comment={made['r7'].id}")) != shown(first)  # honoured
    page = get(client, f"{PAGE}&comment={cid}")
    assert shown(page) == shown(first) and shown(first)[1]
    token = re.compile(r'name="form_token" value="[^"]*"')
    assert token.sub("", page) == token.sub("", first)


def test_a_cursor_or_the_featured_view_wins_over_a_comment(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """The page's own links never carry ``comment`` (Load more goes on from the page),
    and a cursor or ``featured=1`` beside one is served as it would be without it."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    made = build(db, SPECS)
    deep = get(client, f"{PAGE}&comment={made['r7'].id}")
    assert shown(deep) == ([made["r7"].id], None)  # the last page
    assert "comment=" not in deep.replace(f'id="comment-{made["r7"].id}', "")
    cursor = shown(get(client, PAGE))[1]
    with_cursor = get(client, f"{PAGE}&cursor={cursor}&comment={made['r7'].id}")
    assert shown(with_cursor) == shown(get(client, f"{PAGE}&cursor={cursor}"))
    featured = get(client, f"{PAGE}&featured=1&comment={made['r7'].id}")
    assert shown(featured) == ([], None)


def test_included_in_a_publishers_page_a_link_to_a_comment_opens_its_page(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """A server-side include forwards ``comment`` like ``cursor``: the fragment opens at
    the comment's page, and its links back to the publisher's page drop ``comment`` (its
    "Load more" goes on from there, its Reply opens the form)."""
    from urllib.parse import quote

    app.config["LIST_MAX_PAGE_SIZE"] = 2
    made = build(db, SPECS)
    target = made["r4"].id
    article = f"http://127.0.0.1:8000/article.php?id=123&comment={target}"
    html = get(
        client, f"/embed/thread?site=default&thread=t&comment={target}&return_to={quote(article)}"
    )
    assert shown(html)[0] == [made["under held"].id, target]
    more = re.search(r'class="mf-more" href="([^"]+)"', html)
    assert more is not None and more[1].startswith("http://127.0.0.1:8000/article.php?id=123&amp;")
    assert "comment=" not in more[1] and "cursor=" in more[1]
    assert f"article.php?id=123&amp;reply_to={target}#respond" in html


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Back to the first comments"), ("fr", "Revenir aux premiers commentaires")],
)
def test_a_page_past_the_first_links_back_to_it(
    app: Flask, client: FlaskClient, db: Database, lang: str, label: str
) -> None:
    """A page opened at a comment three pages in (or reached by "Load more") has a link,
    in the page's language, back to the first page of its view: no cursor, no comment, the
    page's own settings kept. The first page, even opened at a comment on it, has none."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    made = build(db, SPECS)
    query = f"{PAGE}&lang={lang}&order=newest"
    deep = get(client, f"{query}&comment={made['r1'].id}")
    link = re.search(r'<a class="mf-first" href="([^"]+)">([^<]+)</a>', deep)
    assert link is not None and link[2] == label
    assert "cursor=" not in link[1] and "comment=" not in link[1]
    assert "order=newest" in link[1] and f"lang={lang}" in link[1]
    back = "/embed/thread" + html.unescape(link[1]).removesuffix("#comments")
    assert shown(get(client, back)) == shown(get(client, query))
    cursor = shown(get(client, query))[1]
    assert 'class="mf-first"' in get(client, f"{query}&cursor={cursor}")
    for opened in (query, f"{query}&comment={made['r7'].id}"):
        assert 'class="mf-first"' not in get(client, opened)
