"""The no-JavaScript thread: server-rendered comments and a plain form posting to intake.

Used by ``GET /embed/thread`` (server-side include or iframe) and by the demo page
(inside the widget's target, where the widget replaces it). A refused post of its form
comes back as a page from ``service.embed.not_sent``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app, render_template, url_for
from markupsafe import Markup

from service import antibot, cors, mailer, reports, threads
from service.bidi import isolate
from service.clock import utcnow
from service.comment_pages import page_holding
from service.comments import (
    cursor_scope,
    decode_cursor,
    encode_cursor,
    published_in_thread,
)
from service.conversations import thread_page
from service.embed import assets, i18n
from service.extensions import db
from service.ids import looks_like_id
from service.store.tables import Comment, Site
from service.urls import with_query

MAX_DEPTH = 4
STATUS_KEYS = {"pending": "received", "published": "published", "reported": "report_thanks"}
THEMES = ("light", "dark")


def theme_of(value: str | None) -> str:
    """Return ``light`` or ``dark`` when asked for, else ``auto`` (follow the reader's system)."""
    return value if value in THEMES and value is not None else "auto"


@dataclass(slots=True)
class Node:
    """A comment and its replies, as the no-JS thread nests them."""

    comment: Comment
    depth: int
    replies: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class ThreadRequest:
    """What to render: which thread, in which language and order, and the page's own links."""

    site: Site
    thread: str
    lang: str = i18n.DEFAULT
    order: str = "oldest"
    theme: str = "auto"
    cursor: str | None = None
    reply_to: str | None = None
    status: str | None = None
    return_to: str | None = None
    #: Only the comments a moderator featured (``featured=1``).
    featured: bool = False
    #: Open at the page that holds this comment's conversation (``comment=<id>``).
    comment: str | None = None
    #: The level of the thread's heading (``heading_level=2…5``, the widget's
    #: ``data-heading-level``); the form's is one below it.
    heading_level: int = 2
    link_args: dict[str, str] = field(default_factory=dict)


def nest(rows: list[Comment]) -> list[Node]:
    """Nest replies under their parents; a reply whose parent is not shown stays top-level."""
    by_id: dict[str, Node] = {}
    top: list[Node] = []
    for row in rows:
        by_id[row.id] = Node(row, 0)
    for row in rows:
        node = by_id[row.id]
        parent = by_id.get(row.parent_id or "")
        if parent is None:
            top.append(node)
        else:
            parent.replies.append(node)
    _set_depth(top, 0)
    return top


def _set_depth(nodes: list[Node], depth: int) -> None:
    for node in nodes:
        node.depth = depth
        node.replies.sort(key=lambda n: (n.comment.created_at, n.comment.id))
        _set_depth(node.replies, depth + 1)


def heading_level(value: str | None) -> int:
    """Return a ``heading_level`` argument as a level from 2 to 5; anything else is 2, as
    the widget reads ``data-heading-level``."""
    return int(value) if value in ("2", "3", "4", "5") else 2


def avatar_class(avatar: str) -> str:
    """Return one of eight avatar colour classes, from the avatar hash (no image is loaded)."""
    try:
        return f"av{int(avatar[:2], 16) % 8}"
    except ValueError:
        return "av0"


#: What a link of the thread changes, and what a publisher's page forwards to us.
PAGE_PARAMS = ("reply_to", "cursor", "moderato", "featured", "comment")


def _link(req: ThreadRequest, anchor: str, **changes: str | None) -> str:
    """A link of the thread: on our own page, the thread's URL with ``changes``; in a
    publisher's page (a server-side include with a trusted ``return_to``), that page's
    URL, its own query kept, with ``changes`` (the publisher forwards them to us; found
    in review: a relative query dropped the page's ``?id=123``)."""
    included = req.link_args.get("format") != "page"  # not our own page in an iframe
    if included and req.return_to and cors.trusted(req.site, req.return_to):
        add = [(k, v) for k, v in changes.items() if v]
        return with_query(req.return_to, PAGE_PARAMS, add, anchor.removeprefix("#"))
    merged = {**req.link_args, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v}) + anchor


def feed_url(site: str, thread: str) -> str:
    """Return the absolute URL of a thread's Atom feed."""
    return url_for("embed.thread_feed", site=site, thread=thread, _external=True)


def render_thread(req: ThreadRequest) -> Markup:
    """Render the thread and its form as an HTML fragment (``<section id="comments">``)."""
    cfg = current_app.config
    paging = "comment" if req.featured else "conversation"
    scope = cursor_scope(req.site.slug, req.thread, req.order, paging, req.featured)
    after = decode_cursor(req.cursor, scope) if req.cursor else None
    newest_first = req.order == "newest"
    with db().session() as session:
        if req.comment and not (req.cursor or req.featured) and looks_like_id(req.comment):
            # a link to one comment (a feed entry's, a mail's) opens at its conversation's
            # page; any other id opens the first page, as if there were none
            after = page_holding(
                session, req.site, req.thread, req.comment,
                newest_first=newest_first, limit=cfg["LIST_MAX_PAGE_SIZE"],
            )  # fmt: skip
        page = thread_page(
            session, req.site, req.thread, by="conversation", featured=req.featured,
            newest_first=newest_first, after=after, limit=cfg["LIST_MAX_PAGE_SIZE"],
        )  # fmt: skip
        rows = page.rows
        closed = threads.state(session, req.site, req.thread)
        parent = next((c for c in rows if c.id == req.reply_to), None)
        if parent is None and req.reply_to and looks_like_id(req.reply_to):
            # Reply on a later page: its links lead to the first page (found in review)
            parent = published_in_thread(session, req.site, req.thread, req.reply_to)
    # the featured view's own links stay in it (our page's links keep it in link_args; a
    # publisher's page gets it added, as it forwards ``featured`` like ``cursor``)
    view = {"featured": "1"} if req.featured else {}
    t = i18n.translator(req.lang)
    token = antibot.issue_token(cfg["SECRET_KEY"], req.site.slug, req.thread, utcnow().timestamp())
    html = render_template(
        "embed/thread.html",
        t=t,
        req=req,
        dir=i18n.direction(req.lang),
        nodes=nest(rows),
        count=page.total,
        picks=page.featured_total,
        all_link=_link(req, "#comments", featured=None),
        featured_link=_link(req, "#comments", featured="1"),
        # a page past the first (a link to a comment opened it, or "Load more"): the way back
        first_link=_link(req, "#comments", **view) if after else None,
        next_link=_link(req, "#comments", cursor=encode_cursor(page.last, scope), **view)
        if page.last
        else None,
        reply_link=lambda cid: _link(req, "#respond", reply_to=cid, **view),
        report_action=lambda cid: url_for("api.report_comment", comment_id=cid, _external=True),
        report_reasons=reports.REASONS,
        cancel_link=_link(req, "#respond", **view),
        parent=None if closed.closed else parent,
        closed=closed if closed.closed else None,
        status_text=t(STATUS_KEYS[req.status]) if req.status in STATUS_KEYS else None,
        action=url_for("api.create_comment", _external=True),
        feed_url=feed_url(req.site.slug, req.thread),
        css_url=url_for(
            "embed.asset", filename=assets.asset("fallback.css").filename, _external=True
        ),
        token_field=antibot.TOKEN_FIELD,
        honeypot_field=antibot.HONEYPOT_FIELD,
        token=token,
        form_lang=req.lang,
        form_heading=req.heading_level + 1,
        site_slug=req.site.slug,
        thread_id=req.thread,
        return_to=req.return_to,
        values={},
        errors={},
        limits=assets.FIELD_LIMITS,
        notify=mailer.configured(cfg),
        avatar_class=avatar_class,
        isolate=isolate,
        max_depth=MAX_DEPTH,
    )
    return Markup(html)
