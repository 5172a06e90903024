"""The no-JS thread fragment, its iframe page, the token endpoint and the demo page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from service import antibot
from service.status import State
from service.store import Database
from service.store.tables import Comment
from tests.factories import stored


def test_a_long_thread_shows_its_total_on_every_page(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """With more comments than a page holds, the heading still counts the whole thread."""
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    for i in range(3):
        stored(db, state=State.PUBLISHED, thread="long", text=f"Comment {i}")
    html = client.get("/embed/thread?site=default&thread=long").get_data(as_text=True)
    assert "Comments (3)" in html
    assert html.count('<li class="mf-c"') == 2 and "Comment 2" not in html


def test_fragment_lists_published_comments_threaded_with_a_plain_form(
    client: FlaskClient, db: Database
) -> None:
    """The fragment nests replies, hides unpublished comments and has a complete plain form."""
    parent = stored(db, state=State.PUBLISHED, thread="frag", name="Ada", text="First!")
    stored(db, state=State.PUBLISHED, thread="frag", name="Bo", text="A reply", parent=parent.id)
    stored(db, state=State.HELD, thread="frag", name="Cy", text="Held back")
    rv = client.get("/embed/thread?site=default&thread=frag")
    assert rv.status_code == 200
    assert rv.headers["Cache-Control"] == "no-store"
    html = rv.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="comments"')
    assert "Comments (2)" in html
    assert "Held back" not in html
    assert re.search(
        r'id="comment-' + parent.id + r'".*<ol class="mf-list mf-nested">.*A reply', html, re.S
    )
    assert 'method="post" action="http://localhost/api/v1/comments"' in html
    for name in ("name", "email", "text"):
        assert re.search(rf'<label for="mf-{name}">', html)
        assert re.search(rf'id="mf-{name}" name="{name}"[^>]*required aria-required="true"', html)
    assert f'name="{antibot.TOKEN_FIELD}" value="' in html
    assert f'name="{antibot.HONEYPOT_FIELD}" type="text" tabindex="-1"' in html
    assert 'class="mf-hp" aria-hidden="true"' in html
    assert "Your email address will not be published." in html


def test_fragment_reply_link_and_status_message(client: FlaskClient, db: Database) -> None:
    """?reply_to= sets the form's parent; ?moderato=pending shows the awaiting-moderation line."""
    parent = stored(db, state=State.PUBLISHED, thread="frag", name="Ada")
    html = client.get(
        f"/embed/thread?thread=frag&reply_to={parent.id}&moderato=pending&lang=ar"
    ).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html
    assert f'<input type="hidden" name="parent" value="{parent.id}">' in html
    assert "ردًا على <bdi>Ada</bdi>" in html
    assert '<p class="mf-status" role="status">شكرًا لك. تعليقك في انتظار المراجعة.</p>' in html
    assert f"?thread=frag&amp;lang=ar&amp;reply_to={parent.id}#respond" in html


def test_iframe_page_may_be_framed_by_the_sites_origins_only(client: FlaskClient) -> None:
    """format=page is a whole document whose CSP lets only us and the site's origins frame it."""
    rv = client.get("/embed/thread?thread=frag&format=page")
    assert rv.get_data(as_text=True).startswith("<!doctype html>")
    csp = rv.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8000 http://localhost:8000" in csp
    assert "script-src 'self'" in csp


def test_the_fragment_opened_by_a_browser_runs_under_its_pages_policy(
    client: FlaskClient, db: Database
) -> None:
    """The bare fragment carries the same CSP as its ``format=page`` document (and nosniff):
    a server-side include drops the header, but a browser sent to the URL itself gets a
    document of our origin holding readers' HTML, and it had no policy at all."""
    stored(db, state=State.PUBLISHED, thread="frag", name="Ada", text="First!")
    fragment = client.get("/embed/thread?thread=frag")
    page = client.get("/embed/thread?thread=frag&format=page")
    assert fragment.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]
    assert fragment.headers["X-Content-Type-Options"] == "nosniff"


def test_the_fragment_passes_a_publishers_strict_csp(client: FlaskClient, db: Database) -> None:
    """Included server-side, the fragment lives under the publisher's CSP, not ours: it has
    no script, no inline style (element or attribute) and no event handler attribute, so a
    policy without 'unsafe-inline' that lists our host in style-src and form-action takes it."""
    first = stored(db, state=State.PUBLISHED, thread="frag", name="Ada", text="**Bold** move")
    stored(db, state=State.PUBLISHED, thread="frag", text="A reply", parent=first.id)
    for query in ("", "&lang=ar&moderato=pending", f"&reply_to={first.id}&theme=dark"):
        html = client.get(f"/embed/thread?thread=frag{query}").get_data(as_text=True).lower()
        assert "<script" not in html and "<style" not in html
        assert not re.search(r"\sstyle=", html), query
        assert not re.search(r"\son[a-z]+=", html), query
        assert not re.search(r'(href|action)="javascript:', html), query


def test_thread_and_token_endpoints_report_bad_parameters(client: FlaskClient) -> None:
    """Missing thread and bad site are 422 with every field; an unknown site is 404."""
    rv = client.get("/embed/token?site=Bad%20Slug")
    assert rv.status_code == 422
    assert set(rv.get_json()["error"]["fields"]) == {"site", "thread"}
    rv = client.get("/embed/thread?site=nosuchsite&thread=x")
    assert rv.status_code == 404
    assert rv.get_json()["error"]["code"] == "site_not_found"


def test_demo_page_shows_an_article_the_embed_tag_and_the_fallback(client: FlaskClient) -> None:
    """/demo is an article (headline, byline, body) with the one-tag embed, under a strict CSP."""
    rv = client.get("/demo")
    assert rv.status_code == 200
    html = rv.get_data(as_text=True)
    assert "<h1>Council approves riverside cycle path" in html
    assert 'class="byline"' in html
    assert '<div id="moderato-thread"><section id="comments"' in html
    assert re.search(r'<script src="/embed.js" data-site="default" data-thread="demo"', html)
    assert "connect-src 'self'" in rv.headers["Content-Security-Policy"]
    arabic = client.get("/demo?lang=ar&theme=dark").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl" class="theme-dark">' in arabic


def test_demo_page_answers_404_with_the_setting_when_off(app: Flask, client: FlaskClient) -> None:
    """With DEMO_PAGE off (production's default) /demo is a 404 that names the setting."""
    app.config["DEMO_PAGE"] = False
    rv = client.get("/demo", headers={"Accept": "application/json"})
    assert rv.status_code == 404
    error = rv.get_json()["error"]
    assert error["code"] == "demo_off" and "MODERATO_DEMO_PAGE" in error["message"]


def test_included_in_a_publishers_page_the_links_keep_that_pages_query(
    client: FlaskClient, db: Database
) -> None:
    """With a trusted return_to (a server-side include), Reply and Load more link to the
    publisher's page with its own query kept (a relative ?reply_to=… dropped its ?id=123;
    found in review); framed (format=page) or with an untrusted return_to they stay ours."""
    from urllib.parse import quote

    comment = stored(db, state=State.PUBLISHED, thread="ssi", text="Hello")
    page = "http://127.0.0.1:8000/article.php?id=123&reply_to=old"
    html = client.get(
        f"/embed/thread?site=default&thread=ssi&return_to={quote(page, safe='')}"
    ).get_data(as_text=True)
    assert (
        f'href="http://127.0.0.1:8000/article.php?id=123&amp;reply_to={comment.id}#respond"' in html
    )
    framed = client.get(
        f"/embed/thread?site=default&thread=ssi&format=page&return_to={quote(page, safe='')}"
    ).get_data(as_text=True)
    assert 'href="?site=default&amp;thread=ssi' in framed
    assert f"article.php?id=123&amp;reply_to={comment.id}" not in framed
    foreign = quote("https://evil.example/x?id=1", safe="")
    html = client.get(f"/embed/thread?site=default&thread=ssi&return_to={foreign}").get_data(
        as_text=True
    )
    assert "evil.example/x?id=1&amp;reply_to" not in html and 'href="?site=default' in html


def test_a_return_to_a_browser_reads_as_another_host_is_not_trusted(
    client: FlaskClient, db: Database
) -> None:
    """http://evil.example\\@127.0.0.1:8000/ is our origin to Python and evil.example to a
    browser: the fragment's links stay ours (found in re-review), as with user info."""
    from urllib.parse import quote

    stored(db, state=State.PUBLISHED, thread="ssi", text="Hello")
    for page in ("http://evil.example\\@127.0.0.1:8000/article", "http://x@127.0.0.1:8000/a"):
        html = client.get(
            f"/embed/thread?site=default&thread=ssi&return_to={quote(page, safe='')}"
        ).get_data(as_text=True)
        assert 'href="http://evil.example' not in html and 'href="http://x@' not in html
        assert 'href="?site=default&amp;thread=ssi' in html


def test_an_edited_comment_carries_an_edited_mark_naming_when(
    client: FlaskClient, db: Database
) -> None:
    """Next to its time, a comment its author edited shows "edited" in a <time> whose
    datetime, title and words for a screen reader (visually hidden; the visible word is
    hidden from it) give the edit's time, in the page's language; a comment never edited
    shows no mark."""
    edited = stored(db, state=State.PUBLISHED, thread="ed", name="Ada", text="Edited text")
    stored(db, state=State.PUBLISHED, thread="ed", name="Bo", text="Never edited")
    with db.session() as session:
        row = session.get(Comment, edited.id)
        assert row is not None
        row.edited_at = datetime(2026, 11, 27, 9, 30, 5, tzinfo=UTC)
    html = client.get("/embed/thread?site=default&thread=ed").get_data(as_text=True)
    mark = (
        '<time class="mf-edited" datetime="2026-11-27T09:30:05Z" '
        'title="Edited 2026-11-27 09:30 UTC"><span aria-hidden="true">edited</span>'
        '<span class="mf-vh">Edited 2026-11-27 09:30 UTC</span></time>'
    )
    assert html.count(mark) == 1
    card = html.split(f'id="comment-{edited.id}"')[1].split("</header>")[0]
    assert mark in card
    french = client.get("/embed/thread?site=default&thread=ed&lang=fr").get_data(as_text=True)
    assert '<span aria-hidden="true">modifié</span>' in french
    assert '<span class="mf-vh">Modifié le 2026-11-27 09:30 UTC</span></time>' in french


def test_names_in_the_reply_and_report_labels_are_isolated(
    client: FlaskClient, db: Database
) -> None:
    """The Reply link and the Report summary are named with the author's name in FSI … PDI,
    without the direction controls it carried (as the widget and the dashboard do)."""
    stored(db, state=State.PUBLISHED, thread="bidi", name="مريم\u202eevil\u2066", text="Hi")
    html = client.get("/embed/thread?site=default&thread=bidi").get_data(as_text=True)
    assert 'aria-label="Reply to \u2068مريمevil\u2069"' in html
    assert 'aria-label="Report the comment by \u2068مريمevil\u2069"' in html


def test_the_fragment_takes_the_widgets_heading_levels(client: FlaskClient, db: Database) -> None:
    """``heading_level=3`` makes an included fragment's headings h3 and h4 (the widget's
    ``data-heading-level``; the fragment was fixed at h2/h3), its links keep it, and a value
    outside 2 to 5 gives h2/h3, as in the widget."""
    stored(db, state=State.PUBLISHED, thread="frag", text="First!")
    html = client.get("/embed/thread?thread=frag&heading_level=3").get_data(as_text=True)
    assert re.search(r'<h3 id="mf-title">Comments \(1\)</h3>', html)
    assert re.search(r'<h4 id="mf-form-title">Leave a Reply</h4>', html)
    assert "<h2" not in html
    assert "heading_level=3" in re.search(r'<a [^>]*href="([^"]*reply_to[^"]*)"', html)[1]
    for value in ("1", "6", "three", ""):
        other = client.get(f"/embed/thread?thread=frag&heading_level={value}").get_data(True)
        assert '<h2 id="mf-title">' in other and '<h3 id="mf-form-title">' in other
