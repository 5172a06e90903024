"""Cross-origin rules: a site's pages may call us from its configured origins, and no others.

Requests without an ``Origin`` header (servers, curl) are not cross-origin and
are never refused here. Our own origin (the demo page, the no-JS fragment in an
iframe) is always trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import g, request
from werkzeug.wrappers import Response as BaseResponse

from service import sites
from service.errors import Forbidden
from service.store.tables import Site

#: PATCH and DELETE: an author's edit and withdrawal, with the edit token in its header.
ALLOW_METHODS = "GET, POST, PATCH, DELETE"
ALLOW_HEADERS = "Accept, Content-Type, Moderato-Edit-Token, X-Request-Id"
#: RateLimit and RateLimit-Policy: the answer's place in its rate limit (service.ratelimit);
#: X-Request-Id: the id to quote when reporting a problem (service.request_ids).
EXPOSE_HEADERS = "Location, ETag, Retry-After, Date, RateLimit, RateLimit-Policy, X-Request-Id"
PREFLIGHT_MAX_AGE = "600"


def request_origin() -> str | None:
    """Return the request's ``Origin`` header, or None when it has none."""
    origin = request.headers.get("Origin")
    return origin.strip() if origin and origin.strip() else None


def own_origin() -> str:
    """Return this service's origin as the request reached it."""
    return sites.normalise_origin(request.host_url)


def trusted(site: Site, origin_or_url: str | None) -> bool:
    """Tell whether an origin (or a URL's origin) is ours or one of the site's allowed origins.

    A URL that a browser would read differently from Python is never trusted: a backslash
    (``http://evil.example\\@ours/``: Python's host is ours, a browser's evil.example),
    user info, or a control or space character (found in review)."""
    if not origin_or_url:
        return False
    head = origin_or_url.split("#", 1)[0]
    if "\\" in head or any(ord(c) < 0x21 or c == "\x7f" for c in head):
        return False
    if "@" in urlsplit(head).netloc:
        return False
    try:
        if sites.normalise_origin(origin_or_url) == own_origin():
            return True
    except ValueError:
        return False
    return sites.origin_allowed(site, origin_or_url)


def remember(site: Site) -> None:
    """Note the origins of the site a request is about: its CORS headers need no second query."""
    g.moderato_cors_origins = list(site.origins or [])


def refused() -> str | None:
    """Return the origin this request was refused for, if it was."""
    origin: str | None = g.get("moderato_cors_refused")
    return origin


def remembered() -> list[str] | None:
    """Return the allowed origins a view noted for this request, if any."""
    origins: list[str] | None = g.get("moderato_cors_origins")
    return origins


def return_target(site: Site) -> str | None:
    """Return the page a no-JS form goes back to: its ``return_to``, else its Referer, if ours."""
    for url in (request.form.get("return_to"), request.referrer):
        if url and trusted(site, url):
            return url
    return None


def refuse_foreign_origin(site: Site) -> None:
    """Raise 403 ``origin_not_allowed`` when a browser posts from an origin the site lacks."""
    remember(site)
    origin = request_origin()
    if origin is not None and not trusted(site, origin):
        # The refusal itself is readable by that page (see ``refused``): the widget can say
        # "this page is not allowed" instead of a network error the publisher cannot place.
        g.moderato_cors_refused = origin
        raise Forbidden(
            f"This site does not accept comments from {origin}.", code="origin_not_allowed"
        )


def _listed(origins: Sequence[str], origin: str) -> bool:
    try:
        return sites.normalise_origin(origin) in origins
    except ValueError:
        return False


def add_headers(
    resp: BaseResponse, origins: Sequence[str] | None, *, preflight: bool = False
) -> bool:
    """Add CORS headers to ``resp`` when the request's origin is one of ``origins``."""
    resp.vary.add("Origin")
    origin = request_origin()
    if origin is None or origins is None or not _listed(origins, origin):
        return False
    resp.headers["Access-Control-Allow-Origin"] = origin
    if preflight:
        resp.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        resp.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        resp.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    else:
        resp.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return True


def is_preflight() -> bool:
    """Tell whether the request is a CORS preflight."""
    return (
        request.method == "OPTIONS"
        and request_origin() is not None
        and "Access-Control-Request-Method" in request.headers
    )
