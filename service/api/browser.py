"""What a browser posting without JavaScript gets: a page (303 back, or the form again
with its errors) instead of JSON; and the per-client limit of posts without a key.

A request that carries an API key is a site's server, never such a browser: it always gets
the contract's JSON (docs/contracts.md), whatever its ``Accept`` says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from flask import current_app, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service import cors
from service.api.body import FORM_TYPES
from service.auth import sends_key
from service.embed import i18n
from service.embed.not_sent import has_message, not_sent_page
from service.errors import ApiError, RateLimited, ValidationFailed
from service.ratelimit import Limit, limiter, note
from service.security import client_hash
from service.store.tables import Site
from service.urls import with_query

P = ParamSpec("P")


def answers_forms(
    *, refill: bool = False, kind: str = "comment"
) -> Callable[[Callable[P, BaseResponse]], Callable[P, BaseResponse]]:
    """Give a no-JS form post (see ``wants_redirect``) pages instead of JSON errors: its
    field errors, and a whole-post refusal its reader can act on (origin_not_allowed,
    rate_limited, thread_closed), as a translated page; with ``refill`` (the comment form)
    that page holds the form again, filled in. Anything else keeps the contract's JSON.
    The comment form and the report form share it."""

    def decorate(view: Callable[P, BaseResponse]) -> Callable[P, BaseResponse]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> BaseResponse:
            try:
                return view(*args, **kwargs)
            except ApiError as err:
                answered = (
                    isinstance(err, ValidationFailed)
                    or has_message(err.code)
                    # a report on a comment taken down meanwhile (it answered raw JSON)
                    or (kind == "report" and err.code == "comment_not_found")
                )
                if not (answered and wants_redirect()):
                    raise
                page = not_sent_page(err, refill=refill, kind=kind)
                page.headers.update(err.headers)
                return page

        return wrapped

    return decorate


def limit_browser_posts(
    message: str = "You are commenting too quickly. Please wait a moment and try again.",
) -> None:
    """429 when one client (by IP hash, IPv6 by /64) posts faster than ``ANON_RATE_*``
    without a key; comments and reports share the bucket.

    Keys have their own limit; this one keeps a single client from filling the queue (a
    flood of long comments kept the worker busy for half a minute, found in review).
    """
    cfg = current_app.config
    limit = Limit(per_minute=float(cfg["ANON_RATE_PER_MINUTE"]), burst=int(cfg["ANON_RATE_BURST"]))
    client = client_hash(cfg["SECRET_KEY"], request.remote_addr) or "unknown"
    verdict = note(limiter().check(f"anon:{client}", limit, "client"))
    if verdict is not None and verdict.wait:
        raise RateLimited(message, headers={"Retry-After": str(verdict.wait)})


def wants_redirect() -> bool:
    """Tell whether a browser form (no JavaScript) posted this and expects a page back.

    Never when the request carries an API key (or what looks like one, anywhere it is
    refused): a site's server that posts a form with a browser's ``Accept`` got a 303 to a
    page, or an HTML error page, instead of its JSON (found in review)."""
    if request.mimetype not in FORM_TYPES or sends_key():
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def back_url(site: Site, referrer: str | None, status: str) -> str:
    """Return where a no-JS form post goes next: back to its page, if that page is the site's."""
    if referrer and cors.trusted(site, referrer):
        # a reply sent: the page comes back without its reply_to, as a plain form again
        return with_query(referrer, ["moderato", "reply_to"], [("moderato", status)], "comments")
    # The form's language, for our page (the default one is left out of the URL).
    lang = i18n.pick(request.form.get("lang"))
    return (
        url_for(
            "ops.status_page",
            moderato=status,
            lang=None if lang == i18n.DEFAULT else lang,
            _external=True,
        )
        + "#comments"
    )
