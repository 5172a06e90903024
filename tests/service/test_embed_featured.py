"""Featured comments for readers: the no-JS thread's badge and Featured view, and the
strings the widget bundle carries for them."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from service import featured
from service.embed import assets
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import stored


def feature(db: Database, *comments: Comment) -> None:
    """Feature ``comments`` as a moderator does."""
    with db.session() as session:
        for comment in comments:
            assert featured.set_featured(session, comment.id, "feature", "user:1") is not None


def cards(html: str) -> list[str]:
    """Return the ids of the comments a no-JS page lists, in order."""
    return re.findall(r'<li class="mf-c" id="comment-([^"]+)"', html)


def test_a_featured_comment_has_a_badge_and_the_thread_a_featured_view(
    client: FlaskClient, db: Database
) -> None:
    """The no-JS thread marks a featured comment with a "Featured" badge (text, only on that
    comment) and offers "Comments (3)" (current) and "Featured (1)" as two views."""
    rows = [stored(db, state=State.PUBLISHED, thread="nojs", text=f"c{i}") for i in range(3)]
    feature(db, rows[1])
    html = client.get("/embed/thread?site=default&thread=nojs").get_data(as_text=True)
    assert cards(html) == [r.id for r in rows]
    assert html.count('<span class="mf-feat">Featured</span>') == 1
    second = html[
        html.index(f'id="comment-{rows[1].id}"') : html.index(f'id="comment-{rows[2].id}"')
    ]
    assert '<span class="mf-feat">Featured</span>' in second
    assert (
        '<a href="?site=default&amp;thread=nojs#comments" aria-current="true">Comments (3)</a>'
        in html
    )
    assert (
        '<a href="?site=default&amp;thread=nojs&amp;featured=1#comments">Featured (1)</a>' in html
    )


def test_the_featured_view_lists_only_featured_comments_and_keeps_itself(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """With ``featured=1`` the no-JS thread lists the featured comments only, across pages
    (Load more and Reply keep the view), its heading still counts the whole thread, and
    the Featured view is the current one."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    rows = [stored(db, state=State.PUBLISHED, thread="nojs", text=f"c{i}") for i in range(5)]
    feature(db, rows[0], rows[2], rows[4])
    html = client.get("/embed/thread?site=default&thread=nojs&featured=1").get_data(as_text=True)
    assert cards(html) == [rows[0].id, rows[2].id]
    assert "Comments (5)" in html
    assert 'featured=1#comments" aria-current="true">Featured (3)</a>' in html
    more = re.search(r'<a class="mf-more" href="([^"]+)"', html)
    assert more is not None and "featured=1" in more.group(1)
    assert f"featured=1&amp;reply_to={rows[0].id}#respond" in html
    rest = client.get("/embed/thread" + more.group(1).replace("&amp;", "&").split("#")[0])
    assert cards(rest.get_data(as_text=True)) == [rows[4].id]


def test_no_featured_view_without_featured_comments(client: FlaskClient, db: Database) -> None:
    """A thread nobody featured has neither badge nor views: nothing to choose between."""
    stored(db, state=State.PUBLISHED, thread="plain")
    html = client.get("/embed/thread?site=default&thread=plain").get_data(as_text=True)
    assert "mf-feat" not in html and "mf-views" not in html


def test_the_badge_and_view_are_translated(client: FlaskClient, db: Database) -> None:
    """French and Arabic readers get the badge and the view in their language."""
    feature(db, stored(db, state=State.PUBLISHED, thread="i18n"))
    fr = client.get("/embed/thread?thread=i18n&lang=fr").get_data(as_text=True)
    assert '<span class="mf-feat">Mis en avant</span>' in fr and ">Mis en avant (1)</a>" in fr
    ar = client.get("/embed/thread?thread=i18n&lang=ar").get_data(as_text=True)
    assert '<span class="mf-feat">مميز</span>' in ar and ">المميزة (1)</a>" in ar


def test_included_in_a_publishers_page_the_featured_view_links_there(
    client: FlaskClient, db: Database
) -> None:
    """Included server-side with a trusted ``return_to``, the views link to the publisher's
    page (its own query kept, ``featured`` replaced), as Reply and Load more do."""
    feature(db, stored(db, state=State.PUBLISHED, thread="ssi"))
    page = "http://127.0.0.1:8000/article.php?id=123&featured=1"
    html = client.get(
        f"/embed/thread?site=default&thread=ssi&return_to={quote(page, safe='')}"
    ).get_data(as_text=True)
    assert 'href="http://127.0.0.1:8000/article.php?id=123&amp;featured=1#comments"' in html
    assert 'href="http://127.0.0.1:8000/article.php?id=123#comments" aria-current="true"' in html


def test_the_widget_bundle_carries_the_featured_strings() -> None:
    """The widget bundle has the badge's and the view's words in every language, and the
    stylesheet gives the badge the accent pair (the contrast the theme guarantees)."""
    body = assets.asset("widget.js").body.decode()
    for word in ('"featured":"Featured"', '"featured_n":"Mis en avant ({count})"', "المميزة"):
        assert word in body
    assert ".feat{background:var(--a);color:var(--ac);" in body  # minified
