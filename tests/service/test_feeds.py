"""GET /feed/thread.atom and /feed/site.atom: Atom 1.0 feeds of published comments, read
with a real feed parser (feedparser) and a strict XML parser."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import feedparser
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service import sites, threads
from service.lifecycle import Change, transition
from service.status import Rejection, State
from service.store import Database
from service.store.tables import Comment, Site
from tests.factories import published, stored

NS = {"a": "http://www.w3.org/2005/Atom", "thr": "http://purl.org/syndication/thread/1.0"}
#: An If-Modified-Since far ahead: a server that answered dates would say 304.
LATER = "Sat, 01 Jan 2100 00:00:00 GMT"
THREAD_PAGE = "http://localhost/embed/thread?site=default&thread={}&format=page"


def _at(page: str, comment: Comment) -> str:
    """Return the link to ``comment`` on our no-JS ``page``: the page that holds it."""
    return f"{page}&comment={comment.id}#comment-{comment.id}"


def _feed(client: FlaskClient, query: str, kind: str = "thread") -> Any:
    """Return the parsed feed after checking it is 200, Atom and well-formed."""
    rv = client.get(f"/feed/{kind}.atom?{query}")
    assert rv.status_code == 200, rv.get_data(as_text=True)
    assert rv.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(rv.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _xml(client: FlaskClient, path: str) -> ET.Element:
    rv = client.get(path)
    assert rv.status_code == 200
    return ET.fromstring(rv.get_data())


def _spread(db: Database, comments: list[Comment]) -> None:
    """Give comments distinct creation times, one second apart, in list order."""
    with db.session() as session:
        base = comments[0].created_at - timedelta(seconds=len(comments))
        for i, comment in enumerate(comments):
            when = base + timedelta(seconds=i)
            session.execute(
                update(Comment)
                .where(Comment.id == comment.id)
                .values(created_at=when, published_at=when)
            )


def _urn(comment: Comment) -> str:
    return f"urn:moderato:comment:{comment.id}"


def test_thread_feed_lists_only_published_comments_newest_first(
    client: FlaskClient, db: Database
) -> None:
    """The thread feed holds the thread's published comments, newest first, as Atom 1.0
    entries with their author's name; held, pending, rejected and other threads' are not."""
    first = published(db, thread="t", name="Ada", text="first")
    stored(db, state=State.HELD, thread="t", text="held")
    stored(db, state=State.PENDING, thread="t", text="pending")
    stored(db, state=State.REJECTED, thread="t", text="rejected")
    second = published(db, thread="t", name="Grace", text="second")
    published(db, thread="other", text="elsewhere")
    _spread(db, [first, second])
    feed = _feed(client, "site=default&thread=t")
    assert [e.id for e in feed.entries] == [_urn(second), _urn(first)]
    assert [e.author for e in feed.entries] == ["Grace", "Ada"]
    assert [e.title for e in feed.entries] == ["Grace: second", "Ada: first"]
    assert feed.feed.title == "Comments on t"
    assert feed.feed.updated == feed.entries[0].updated


def test_feed_and_entries_carry_what_atom_requires(client: FlaskClient, db: Database) -> None:
    """The feed has one id, title, updated and an absolute self link; each entry has an id,
    title, author name, published, updated, a link and html content (RFC 4287)."""
    comment = published(db, thread="t")
    root = _xml(client, "/feed/thread.atom?thread=t")
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for tag in ("id", "title", "updated"):
        assert len(root.findall(f"a:{tag}", NS)) == 1
    assert root.findtext("a:id", namespaces=NS) == "urn:moderato:feed:default:thread:t"
    self_link = root.find("a:link[@rel='self']", NS)
    assert self_link is not None
    assert self_link.get("href") == "http://localhost/feed/thread.atom?site=default&thread=t"
    assert self_link.get("type") == "application/atom+xml"
    (entry,) = root.findall("a:entry", NS)
    assert entry.findtext("a:id", namespaces=NS) == _urn(comment)
    assert entry.findtext("a:author/a:name", namespaces=NS) == "Ada Reader"
    for tag in ("title", "published", "updated"):
        assert entry.findtext(f"a:{tag}", namespaces=NS)
    content = entry.find("a:content", NS)
    assert content is not None and content.get("type") == "html"
    link = entry.find("a:link[@rel='alternate']", NS)
    assert link is not None
    assert link.get("href") == _at(THREAD_PAGE.format("t"), comment)


def test_links_follow_the_public_url_not_the_host_header(
    settings: dict[str, Any], db: Database
) -> None:
    """With MODERATO_PUBLIC_URL (under a path) the self link and the entries' links use it,
    whatever Host header the request carried."""
    from service import create_app
    from service.config import public_url

    comment = published(db, thread="t")
    app = create_app({**settings, "PUBLIC_URL": public_url("https://comments.example/c/")})
    try:
        rv = app.test_client().get("/feed/thread.atom?thread=t", headers={"Host": "evil.example"})
        feed = feedparser.parse(rv.get_data())
    finally:
        app.extensions["moderato.db"].dispose()
        app.extensions["moderato.redis"].close()
    base = "https://comments.example/c"
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [
        f"{base}/feed/thread.atom?site=default&thread=t"
    ]
    page = f"{base}/embed/thread?site=default&thread=t&format=page"
    assert feed.entries[0].link == _at(page, comment)
    assert b"evil.example" not in rv.get_data()


def test_ids_are_stable_across_requests_and_new_comments(client: FlaskClient, db: Database) -> None:
    """The feed id and each entry id are the same on every request, and a new comment adds
    an entry without changing the others' ids."""
    old = published(db, thread="t")
    before = _feed(client, "thread=t")
    again = _feed(client, "site=default&thread=t")
    assert before.feed.id == again.feed.id == "urn:moderato:feed:default:thread:t"
    assert [e.id for e in before.entries] == [e.id for e in again.entries] == [_urn(old)]
    new = published(db, thread="t", text="a later comment")
    _spread(db, [old, new])
    after = _feed(client, "thread=t")
    assert after.feed.id == before.feed.id
    assert [e.id for e in after.entries] == [_urn(new), _urn(old)]


def test_content_is_the_thread_apis_html_and_never_the_email_or_scores(
    client: FlaskClient, db: Database
) -> None:
    """An entry's content is the sanitised html the thread API serves; the e-mail address,
    its avatar hash and the scores appear nowhere in the feed."""
    comment = published(
        db,
        thread="t",
        email="secret.person@mail.example",
        text="<script>alert(1)</script> *hi* https://example.org",
    )
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == comment.id).values(spam=0.123457, toxicity=0.7531)
        )
    listed = client.get("/api/v1/comments?thread=t").get_json()["items"][0]
    feed = _feed(client, "thread=t")
    assert feed.entries[0].content[0].value == listed["html"]
    assert feed.entries[0].content[0].type == "text/html"
    body = client.get("/feed/thread.atom?thread=t").get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body
    for secret in ("secret.person", "mail.example", "0.123457", "0.7531", listed["avatar"]):
        assert secret not in body
    assert hashlib.sha256(b"secret.person@mail.example").hexdigest() not in body


def test_replies_carry_thr_in_reply_to(client: FlaskClient, db: Database) -> None:
    """A reply's entry names its parent's entry id and link (RFC 4685); a top-level
    comment has none."""
    parent = published(db, thread="t")
    reply = published(db, thread="t", parent=parent.id, text="I agree")
    _spread(db, [parent, reply])
    root = _xml(client, "/feed/thread.atom?thread=t")
    entries = {e.findtext("a:id", namespaces=NS): e for e in root.findall("a:entry", NS)}
    marks = entries[_urn(reply)].findall("thr:in-reply-to", NS)
    assert len(marks) == 1
    assert marks[0].get("ref") == _urn(parent)
    assert marks[0].get("href") == _at(THREAD_PAGE.format("t"), parent)
    assert entries[_urn(parent)].find("thr:in-reply-to", NS) is None
    assert root.get("xmlns:thr") is None  # a real namespace declaration, not an attribute


def test_a_thread_named_by_its_article_url_links_to_the_article(
    client: FlaskClient, db: Database
) -> None:
    """A thread id that is a URL on one of the site's origins is the feed's alternate link,
    and each entry links to it with #comment-<id>; a URL on any other origin is not linked
    (anyone can name a thread): the no-JS thread page stands in."""
    with db.session() as session:
        sites.create(session, "News", ["https://news.example"], slug="news")
    article = "https://news.example/2026/river?id=7#top"
    ours = published(db, site="news", thread=article)
    foreign = published(db, site="news", thread="https://evil.example/phish")
    feed = _feed(client, "site=news&thread=" + article.replace("?", "%3F").replace("#", "%23"))
    assert feed.feed.link == "https://news.example/2026/river?id=7"
    assert feed.entries[0].link == f"https://news.example/2026/river?id=7#comment-{ours.id}"
    other = _feed(client, "site=news&thread=https://evil.example/phish")
    assert urlsplit(other.feed.link).netloc == "localhost"
    assert other.feed.link.startswith("http://localhost/embed/thread?site=news&thread=https")
    assert other.entries[0].link == _at(other.feed.link, foreign)


def test_an_entry_link_reaches_the_comment_in_the_no_js_thread(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    """An entry of a thread without an article URL links to the no-JS thread page that
    holds its comment (``comment=``: the newest is three pages in, a page a conversation),
    where the comment carries the anchor the link names; the feed's own link is the page."""
    app.config["LIST_MAX_PAGE_SIZE"] = 1
    comments = [published(db, thread="slug-thread", text=f"number {i}") for i in range(3)]
    _spread(db, comments)
    feed = _feed(client, "thread=slug-thread")
    assert "comment=" not in feed.feed.link
    for entry in feed.entries:
        page, anchor = entry.link.split("#")
        html = client.get(page.removeprefix("http://localhost")).get_data(as_text=True)
        assert html.count('<li class="mf-c" id="comment-') == 1
        assert f'id="{anchor}"' in html
    assert feed.entries[0].link.endswith(f"comment={comments[-1].id}#comment-{comments[-1].id}")


def test_site_feed_lists_the_sites_latest_published_comments_across_threads(
    client: FlaskClient, db: Database
) -> None:
    """The site feed holds every thread's published comments of that site only, newest
    first, each linking into its own thread; its title names the site."""
    with db.session() as session:
        sites.create(session, "Elsewhere", ["https://else.example"], slug="else")
    a = published(db, thread="a", text="in a")
    b = published(db, thread="b", text="in b")
    stored(db, state=State.HELD, thread="a", text="held")
    published(db, site="else", thread="a", text="another site")
    _spread(db, [a, b])
    feed = _feed(client, "site=default", kind="site")
    assert [e.id for e in feed.entries] == [_urn(b), _urn(a)]
    assert feed.entries[0].link == _at(THREAD_PAGE.format("b"), b)
    assert feed.entries[1].link == _at(THREAD_PAGE.format("a"), a)
    assert feed.feed.id == "urn:moderato:feed:default"
    assert feed.feed.title == "Comments on Default site"
    assert _feed(client, "", kind="site").feed.id == feed.feed.id  # site defaults to default


def test_a_feed_holds_the_fifty_latest_comments(client: FlaskClient, db: Database) -> None:
    """Of 53 published comments, the feed holds the 50 newest."""
    comments = [published(db, thread="long", text=f"c{i}") for i in range(53)]
    _spread(db, comments)
    entries = _feed(client, "thread=long").entries
    assert [e.id for e in entries] == [_urn(c) for c in reversed(comments[3:])]


def test_conditional_get_answers_304_until_the_feed_changes(
    client: FlaskClient, db: Database
) -> None:
    """The ETag answers 304 while nothing changed; a new comment gives 200 with a new ETag;
    the feed is publicly cacheable for 30 seconds. No Last-Modified: a date alone is never
    answered with 304."""
    first_comment = published(db, thread="t")
    _spread(db, [first_comment])
    first = client.get("/feed/thread.atom?thread=t")
    assert first.headers["Cache-Control"] == "public, max-age=30"
    assert "Last-Modified" not in first.headers
    etag = first.headers["ETag"]
    same = client.get("/feed/thread.atom?thread=t", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.get_data() == b""
    since = client.get("/feed/thread.atom?thread=t", headers={"If-Modified-Since": LATER})
    assert since.status_code == 200
    published(db, thread="t", text="news")  # published a second or more after the first
    changed = client.get("/feed/thread.atom?thread=t", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_take_down_or_an_erasure_is_never_answered_304(client: FlaskClient, db: Database) -> None:
    """A comment taken down, then one erased, leaves the feed at the next revalidation,
    by ETag or by date: the newest entry's date kept Last-Modified as it was, so
    If-Modified-Since answered 304 and kept serving the erased comment (found in review)."""
    from service import privacy

    kept = published(db, thread="t", text="Kept words", email="bob@example.org")
    down = published(db, thread="t", text="Taken down words", email="bob@example.org")
    erased = published(db, thread="t", text="Erased words", email="zoe@example.org")
    _spread(db, [kept, erased, down])  # the newest entry is the one taken down
    before = client.get("/feed/thread.atom?thread=t")
    validators = {"If-None-Match": before.headers["ETag"], "If-Modified-Since": LATER}
    with db.session() as session:
        change = Change(State.PUBLISHED, State.REJECTED, "moderator:1", "takedown",
                        rejection=Rejection.MODERATOR)  # fmt: skip
        assert transition(session, down.id, change) is not None
    with db.session() as session:
        assert privacy.erase(session, "zoe@example.org", "cli").comments == 1
    for name, value in validators.items():
        after = client.get("/feed/thread.atom?thread=t", headers={name: value})
        assert after.status_code == 200, name
        assert [e.id for e in feedparser.parse(after.get_data()).entries] == [_urn(kept)]


def test_a_comment_approved_late_moves_the_feeds_updated_time(
    client: FlaskClient, db: Database
) -> None:
    """A comment held for a day and then approved by a moderator appears with its
    publication as the entry's and the feed's updated time, so a reader polling with the
    ETag gets it."""
    comment = stored(db, state=State.HELD, thread="t")
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(created_at=comment.created_at - timedelta(days=1))
        )
    before = client.get("/feed/thread.atom?thread=t")
    with db.session() as session:
        change = Change(State.HELD, State.PUBLISHED, actor="moderator:1", action="approve")
        assert transition(session, comment.id, change) is not None
    after = client.get(
        "/feed/thread.atom?thread=t", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    feed = feedparser.parse(after.get_data())
    entry = feed.entries[0]
    assert entry.published_parsed < entry.updated_parsed
    assert feed.feed.updated == entry.updated


def test_a_closed_thread_keeps_its_feed(client: FlaskClient, db: Database) -> None:
    """Closing a thread stops new comments, not its feed."""
    comment = published(db, thread="t")
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        threads.update(session, site, "t", "test", closed=True, message="Enough.")
    assert [e.id for e in _feed(client, "thread=t").entries] == [_urn(comment)]


def test_an_unknown_site_is_404_and_a_thread_without_comments_an_empty_feed(
    client: FlaskClient,
) -> None:
    """A site that does not exist answers 404 site_not_found in the JSON error shape (both
    feeds); a thread with no published comment is a valid, empty feed."""
    for path in ("/feed/thread.atom?site=nope&thread=t", "/feed/site.atom?site=nope"):
        rv = client.get(path)
        assert rv.status_code == 404
        assert rv.get_json()["error"]["code"] == "site_not_found"
    empty = _feed(client, "thread=never-commented")
    assert empty.entries == [] and empty.feed.updated


def test_bad_parameters_answer_422_naming_each(client: FlaskClient) -> None:
    """A missing, too long or control-character thread, or a site no slug can be, is 422
    validation_failed with the parameter's field error."""
    cases = {
        "/feed/thread.atom": {"thread": "required"},
        "/feed/thread.atom?thread=%20%20": {"thread": "required"},
        "/feed/thread.atom?thread=" + "x" * 513: {"thread": "too_long"},
        "/feed/thread.atom?thread=a%00b": {"thread": "control_characters"},
        "/feed/thread.atom?site=Not%20A%20Slug&thread=t": {"site": "invalid_site"},
        "/feed/site.atom?site=%3Cscript%3E": {"site": "invalid_site"},
    }
    for path, fields in cases.items():
        rv = client.get(path)
        assert rv.status_code == 422, path
        body = rv.get_json()["error"]
        assert body["code"] == "validation_failed"
        assert {k: v["code"] for k, v in body["fields"].items()} == fields, path


def test_the_sites_pages_may_read_a_feed_and_other_pages_are_not_refused(
    client: FlaskClient, db: Database
) -> None:
    """A page on one of the site's origins gets CORS headers; a page elsewhere (or a feed
    reader's extension) still gets the public feed, without them; both vary by Origin."""
    published(db, thread="t")
    allowed = client.get("/feed/thread.atom?thread=t", headers={"Origin": "http://127.0.0.1:8000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    other = client.get("/feed/thread.atom?thread=t", headers={"Origin": "https://else.example"})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_the_no_js_page_and_the_demo_advertise_the_thread_feed(client: FlaskClient) -> None:
    """The no-JS thread page and the demo article have a feed discovery link in their head,
    and the no-JS thread a visible link, to the thread's feed."""
    feed_url = "http://localhost/feed/thread.atom?site=default&amp;thread=a+b"
    page = client.get("/embed/thread?site=default&thread=a%20b&format=page")
    html = page.get_data(as_text=True)
    head = html.split("</head>")[0]
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Comments feed (Atom)" '
        f'href="{feed_url}">' in head
    )
    assert f'<a href="{feed_url}" type="application/atom+xml">Comments feed (Atom)</a>' in html
    demo = client.get("/demo?lang=fr").get_data(as_text=True).split("</head>")[0]
    assert 'title="Flux des commentaires (Atom)"' in demo
    assert 'href="http://localhost/feed/thread.atom?site=default&amp;thread=demo"' in demo


def test_an_edited_entrys_updated_time_is_its_edit_when_that_came_after_publication(
    client: FlaskClient, db: Database
) -> None:
    """An entry's (and the feed's) updated time is the later of the comment's publication
    and its author's edit; a comment never edited keeps its publication as updated."""
    edited = published(db, thread="t")
    plain = published(db, thread="t")
    _spread(db, [edited, plain])  # published two and one seconds ago
    with db.session() as session:
        row = session.get(Comment, edited.id)
        assert row is not None and row.published_at is not None
        edited_at = row.published_at + timedelta(minutes=5)
        row.edited_at = edited_at
    rv = client.get("/feed/thread.atom?thread=t")
    root = ET.fromstring(rv.get_data())
    updated = {
        e.findtext("a:id", namespaces=NS): e.findtext("a:updated", namespaces=NS)
        for e in root.findall("a:entry", NS)
    }
    stamp = edited_at.strftime("%Y-%m-%dT%H:%M:%S")
    assert (updated[_urn(edited)] or "").startswith(stamp)
    assert not (updated[_urn(plain)] or "").startswith(stamp)
    assert (root.findtext("a:updated", namespaces=NS) or "").startswith(stamp)
    assert not _feed(client, "thread=t").bozo
