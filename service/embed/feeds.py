"""Atom feeds of published comments: a thread's (``/feed/thread.atom``) and a site's
(``/feed/site.atom``), for readers and publishers in their feed readers.

Public like the thread list, without a key: an unknown site is ``404 site_not_found``, a
thread without comments an empty feed (as Isso answers), bad parameters ``422``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import quote, urlsplit, urlunsplit

from flask import Response, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service import atom, cors, sites
from service.comments import latest_published
from service.errors import NotFound
from service.extensions import db
from service.store.tables import Comment, Site

from . import bp
from .views import site_arg, thread_args

#: Entries in a feed: the latest published comments, newest first.
FEED_SIZE = 50
#: Like the counts endpoint: shared caches may keep a feed for half a minute.
FEED_CACHE = "public, max-age=30"
#: Characters of a comment's text in its entry's title.
TITLE_TEXT = 80
#: Direction overrides and isolates: a title cut in the middle of one would leave it open
#: over the rest of a feed reader's line (found in review). Titles drop them; the entry's
#: html keeps the comment as written.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def entry_id(comment_id: str) -> str:
    """Return a comment's entry id: its random id needs no host, so a move keeps it."""
    return f"urn:moderato:comment:{comment_id}"


def thread_page(site: Site, thread: str, comment_id: str | None = None) -> str:
    """Return where a thread is read: the article, when the thread id is an http(s) URL on
    one of the site's origins (or ours), else our no-JS thread page (with ``comment_id``,
    its page that holds that comment). A URL elsewhere is not linked: anyone may name a
    thread, and the site feed would carry the link."""
    parts = urlsplit(thread)
    if parts.scheme in ("http", "https") and parts.netloc and cors.trusted(site, thread):
        return urlunsplit(parts._replace(fragment=""))
    return url_for(
        "embed.thread", site=site.slug, thread=thread, format="page", comment=comment_id,
        _external=True,
    )  # fmt: skip


def comment_link(site: Site, thread: str, comment_id: str) -> str:
    """Return the link to one comment, at the id the widget and the no-JS thread give it:
    the article (the widget finds the comment) or our page that holds it (``comment=``)."""
    return f"{thread_page(site, thread, comment_id)}#comment-{comment_id}"


def last_change(comment: Comment) -> datetime:
    """Return when a published comment last changed: the later of its publication and its
    author's edit (its ``updated``)."""
    published = comment.published_at or comment.created_at
    return max(published, comment.edited_at) if comment.edited_at else published


def entry(comment: Comment, site: Site) -> atom.Entry:
    """Return a published comment as a feed entry: its name and sanitised html, never the
    e-mail address or the scores."""
    text = " ".join(BIDI_CONTROLS.sub("", comment.text).split())
    snippet = text if len(text) <= TITLE_TEXT else text[: TITLE_TEXT - 1].rstrip() + "…"
    parent = comment.parent_id
    return atom.Entry(
        id=entry_id(comment.id),
        title=f"{comment.author_name}: {snippet}",
        author=comment.author_name,
        published=comment.created_at,
        updated=last_change(comment),
        html=comment.html,
        link=comment_link(site, comment.thread, comment.id),
        in_reply_to=(
            (entry_id(parent), comment_link(site, comment.thread, parent)) if parent else None
        ),
    )


def respond(feed: atom.Feed, site: Site) -> BaseResponse:
    """Answer a feed: an ETag (304 when unchanged), cached briefly, readable by the site's
    pages (CORS) and by any feed reader.

    No ``Last-Modified``, and ``If-Modified-Since`` is not answered: a date cannot say that
    nothing changed. The newest entry's date stayed after a take-down or an erasure, so
    a reader revalidating by date kept the erased comment (found in review); and even the
    newest change of anything in the feed is stamped before its commit, to the second,
    so a change within that second or committed late would still be missed. The ETag
    hashes the body: any change is a new one."""
    body = atom.render(feed)
    resp = Response(body, content_type=atom.MEDIA_TYPE)
    resp.set_etag(hashlib.sha256(body).hexdigest()[:32])
    resp.headers["Cache-Control"] = FEED_CACHE
    resp.headers["X-Content-Type-Options"] = "nosniff"
    cors.add_headers(resp, site.origins)
    return resp.make_conditional(request)


def _load(slug: str, thread: str | None) -> tuple[Site, list[Comment]]:
    """Return the site and its latest published comments (of ``thread``, or all)."""
    with db().session() as session:
        site = sites.by_slug(session, slug)
        if site is None:
            raise NotFound(f"There is no site {slug!r}.", code="site_not_found")
        return site, latest_published(session, site, thread, FEED_SIZE)


def _updated(site: Site, rows: list[Comment]) -> datetime:
    """Return the feed's last change: its newest publication or edit, or the site's creation."""
    return max(map(last_change, rows), default=site.created_at)


@bp.get("/feed/thread.atom")
def thread_feed() -> BaseResponse:
    """Serve a thread's latest published comments as an Atom feed."""
    slug, thread = thread_args()
    site, rows = _load(slug, thread)
    feed = atom.Feed(
        id=f"urn:moderato:feed:{site.slug}:thread:{quote(thread, safe='')}",
        title=f"Comments on {BIDI_CONTROLS.sub('', thread)}",
        updated=_updated(site, rows),
        self_url=url_for("embed.thread_feed", site=site.slug, thread=thread, _external=True),
        alternate=thread_page(site, thread),
        entries=[entry(c, site) for c in rows],
    )
    return respond(feed, site)


@bp.get("/feed/site.atom")
def site_feed() -> BaseResponse:
    """Serve a site's latest published comments, across its threads, as an Atom feed."""
    site, rows = _load(site_arg(), None)
    feed = atom.Feed(
        id=f"urn:moderato:feed:{site.slug}",
        title=f"Comments on {site.name}",
        updated=_updated(site, rows),
        self_url=url_for("embed.site_feed", site=site.slug, _external=True),
        alternate=None,
        entries=[entry(c, site) for c in rows],
    )
    return respond(feed, site)
