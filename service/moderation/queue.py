"""The queues: Held, Pending, Published, Rejected and Spam, filtered, sorted, with live counts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import current_app, jsonify, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.moderation import access, bp, cards, counts, filters, queries
from service.moderation.actions import ACTIONS, title
from service.moderation.filters import QueueFilter
from service.moderation.nav import add_nav_item
from service.store.tables import Site

DEFAULT_PAGE_SIZE = 25
#: The state a comment is in while it is listed in each queue (what a bulk action expects).
QUEUE_STATE = {
    "held": "held",
    "reported": "published",
    "pending": "pending",
    "published": "published",
    "rejected": "rejected",
    "spam": "rejected",
}

#: What the filter form calls each query field (error summaries and the bulk confirm page
#: name fields as moderators see them, not as the URL spells them).
FIELD_LABELS = {
    "site": "Site",
    "thread": "Thread",
    "reason": "Reason",
    "featured": "Featured only",
    "email": "Author e-mail or @domain",
    "ip": "IP hash",
    "text": "Text contains",
    "spam_min": "Spam score from",
    "spam_max": "Spam score to",
    "tox_min": "Toxicity score from",
    "tox_max": "Toxicity score to",
    "date_from": "Date from",
    "date_to": "Date to",
    "sort": "Sort",
    "after": "Page link",
    "before": "Page link",
}
#: Fields that place a page rather than narrow the filter: when one is bad, the filter still
#: holds and its first page is listed.
PAGE_FIELDS = ("after", "before")

add_nav_item("Queues", "moderation.queue_home", order=10, match=("moderation.queue*",))


@dataclass(slots=True)
class View:
    """A queue as the page shows it."""

    filter: QueueFilter
    errors: dict[str, dict[str, str]]
    sites: list[Site]
    site: Site | None
    page: queries.Page
    counts: dict[str, int]
    cards: list[cards.Card]
    #: How many featured comments "Featured only" would list (None: the queue has no such filter).
    featured: int | None = None

    @property
    def invalid(self) -> bool:
        """Tell whether a filter field is bad: then nothing is listed (never the queue with
        that field left out, under a bulk action that would take it all; found in review)."""
        return any(name not in PAGE_FIELDS for name in self.errors)

    def context(self) -> dict[str, Any]:
        """Return the template variables."""
        state = _state_of(self.filter.queue)
        bulk = [(a, title(a, state)) for a in ACTIONS.values() if state in a.allowed_from]
        return {
            "f": self.filter,
            "errors": self.errors,
            "filter_invalid": self.invalid,
            "labels": FIELD_LABELS,
            "sites": self.sites,
            "page": self.page,
            "counts": self.counts,
            "filtered": {q: self.filter.on(q).narrowed() for q in filters.QUEUES},
            "featured_count": self.featured,
            "cards": self.cards,
            "queues": filters.QUEUES,
            "titles": filters.QUEUE_TITLES,
            "reasons": filters.reasons_for(self.filter.queue),
            "reason_labels": filters.REASON_LABELS,
            "sorts": filters.SORTS,
            "bulk_actions": bulk,
        }


def _state_of(queue: str) -> Any:
    from service.status import State

    return State(QUEUE_STATE[queue])


def page_size() -> int:
    """Return how many cards a queue page shows."""
    return int(current_app.config.get("MODERATION_PAGE_SIZE", DEFAULT_PAGE_SIZE))


def resolve(
    dbs: Session, f: QueueFilter, errors: dict[str, dict[str, str]]
) -> tuple[QueueFilter, list[Site], Site | None]:
    """Return the filter with its site checked against the user's sites, the sites, and the site."""
    sites = access.visible_sites(dbs)
    site = None
    if f.site:
        site = next((s for s in sites if s.slug == f.site), None)
        if site is None:
            errors["site"] = {
                "code": "unknown_site",
                "message": "You moderate no site by that name.",
            }
            f = replace(f, site=None)
    return f, sites, site


def load(dbs: Session, f: QueueFilter, errors: dict[str, dict[str, str]]) -> View:
    """Return the queue page for filter ``f``."""
    f, sites, site = resolve(dbs, f, errors)
    scope = access.site_scope(dbs)
    site_id = site.id if site else None
    if any(name not in PAGE_FIELDS for name in errors):
        pg = queries.Page([], 0, 0, False, f.sort)
    else:
        pg = queries.page(dbs, f, scope, site_id, page_size())
    slugs = {s.id: s.slug for s in sites}
    built = cards.build_all(dbs, pg.comments, slugs)
    tabs = counts.counts(dbs, f, scope, site_id)
    featured = counts.featured(dbs, f, scope, site_id, tabs)
    return View(f, errors, sites, site, pg, tabs, built, featured)


def parse_or_404(queue: str) -> tuple[QueueFilter, dict[str, dict[str, str]]]:
    """Parse the request's filter for ``queue``; 404 for a queue that does not exist."""
    f, errors = filters.parse(queue, request.args)
    if "queue" in errors:
        raise NotFound("There is no such queue.", code="queue_not_found")
    return f, errors


@bp.get("/queue")
@access.login_required
def queue_home() -> BaseResponse:
    """Open the held queue."""
    from flask import redirect

    args: dict[str, Any] = request.args.to_dict()
    return redirect(url_for("moderation.queue", queue="held", **args))


@bp.get("/queue/<queue>")
@access.login_required
def queue(queue: str) -> Any:
    """Show a queue: filters, live counts, comment cards, bulk actions and keyboard shortcuts."""
    f, errors = parse_or_404(queue)
    with db().session() as dbs:
        view = load(dbs, f, errors)
    html = render_template("moderation/queue.html", **view.context())
    return html, 422 if errors else 200


@bp.get("/queue/<queue>/poll")
@access.login_required
def poll(queue: str) -> BaseResponse:
    """Return the live counts and the current page's cards, for the page's short polling.

    Besides the cards' HTML (each card carries its ``data-version``, which changes when it
    is featured, unfeatured or reported), ``featured`` lists the page's featured cards, so
    that a page updates the cards a colleague featured or unfeatured in place.

    A bad field (a mangled page cursor, a score out of range) is a 422 with the contract's
    field errors: the page itself only ever polls with the fields it parsed.
    """
    f, errors = parse_or_404(queue)
    if errors:
        raise ValidationFailed(fields=errors)
    with db().session() as dbs:
        view = load(dbs, f, errors)
    fragment = render_template("moderation/_cards.html", cards=view.cards, f=view.filter)
    pg, vf = view.page, view.filter
    after: dict[str, Any] = vf.args(before=None, after=pg.last)
    return jsonify(
        {
            "counts": view.counts,
            "featured_count": view.featured,
            "total": pg.total,
            "next": url_for("moderation.queue", queue=vf.queue, **after) if pg.more else None,
            "ids": [c.comment.id for c in view.cards],
            "featured": [c.comment.id for c in view.cards if c.featured],
            "html": fragment,
        }
    )
