"""The publisher's endpoints: the loader, the hashed bundle, the form token, the no-JS thread."""

from __future__ import annotations

from flask import Response, current_app, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service import antibot, cors, mailer, sites
from service.clock import utcnow
from service.embed import assets, i18n
from service.embed.assets import Asset
from service.embed.nojs import ThreadRequest, feed_url, heading_level, render_thread, theme_of
from service.embed.pages import content_security_policy, page_response
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.store.tables import Site
from service.validation import SITE_SLUG, field_error, thread_error

from . import bp

#: The loader's URL never changes, so it is cached for a day and revalidated by ETag; the
#: bundle it names carries its content hash and is cached for a year.
LOADER_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
IMMUTABLE = "public, max-age=31536000, immutable"


def send_asset(item: Asset, cache_control: str) -> BaseResponse:
    """Answer a built asset, gzipped when the client accepts it, with an ETag."""
    gz = "gzip" in request.accept_encodings
    resp = Response(item.gzipped if gz else item.body, content_type=item.mimetype)
    if gz:
        resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    resp.set_etag(f"{item.digest}-gz" if gz else item.digest)
    resp.headers["Cache-Control"] = cache_control
    resp.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp.make_conditional(request)


@bp.get("/embed.js")
def loader() -> BaseResponse:
    """Serve the one-tag loader, which loads the content-hashed widget bundle."""
    return send_asset(assets.loader(), LOADER_CACHE)


@bp.get("/embed/count.js")
def counter() -> BaseResponse:
    """Serve the comment-count script for index pages (a stable URL, like the loader)."""
    return send_asset(assets.counter(), LOADER_CACHE)


@bp.get("/embed/assets/<filename>")
def asset(filename: str) -> BaseResponse:
    """Serve a hashed asset for a year; an outdated hash redirects to the current file."""
    name, _, rest = filename.partition(".")
    digest, _, ext = rest.partition(".")
    try:
        item = assets.asset(f"{name}.{ext}")
    except KeyError:
        raise NotFound("There is no such asset.") from None
    if digest != item.digest:
        resp = redirect(url_for("embed.asset", filename=item.filename), code=302)
        resp.headers["Cache-Control"] = "no-cache"
        return resp
    return send_asset(item, IMMUTABLE)


def site_arg() -> str:
    """Return the requested ``site`` (``default`` when absent); 422 if no site can be it."""
    slug = request.args.get("site", "").strip() or sites.DEFAULT_SLUG
    if not SITE_SLUG.match(slug):
        raise ValidationFailed(fields={"site": field_error("invalid_site")})
    return slug


def thread_args() -> tuple[str, str]:
    """Return the requested ``site`` and ``thread``; 422 listing every bad one."""
    errors = {}
    slug = request.args.get("site", "").strip() or sites.DEFAULT_SLUG
    if not SITE_SLUG.match(slug):
        errors["site"] = field_error("invalid_site")
    thread = request.args.get("thread", "").strip()
    if problem := thread_error(thread):
        errors["thread"] = problem
    if errors:
        raise ValidationFailed(fields=errors)
    return slug, thread


def load_site(slug: str) -> Site:
    """Return the site named ``slug``; 404 ``site_not_found`` if there is none."""
    with db().session() as session:
        site = sites.by_slug(session, slug)
    if site is None:
        raise NotFound(f"There is no site {slug!r}.", code="site_not_found")
    return site


@bp.get("/embed/token")
def form_token() -> BaseResponse:
    """Issue a signed form token for a thread (the widget asks for one when it loads), and
    say whether the form offers reply notifications by e-mail (``notify``)."""
    slug, thread = thread_args()
    site = load_site(slug)
    cfg = current_app.config
    token = antibot.issue_token(cfg["SECRET_KEY"], site.slug, thread, utcnow().timestamp())
    resp = jsonify(
        {
            "token": token,
            "expires_in": cfg["FORM_TOKEN_MAX_AGE"],
            "min_seconds": cfg["FORM_TOKEN_MIN_SECONDS"],
            "notify": mailer.configured(cfg),
        }
    )
    resp.headers["Cache-Control"] = "no-store"
    cors.add_headers(resp, site.origins)
    return resp


@bp.get("/embed/thread")
def thread() -> BaseResponse:
    """Render a thread and a plain form for no JavaScript: a fragment, or ``format=page``."""
    slug, thread_id = thread_args()
    site = load_site(slug)
    args = request.args
    lang = i18n.pick(args.get("lang"))
    keep = ("site", "thread", "lang", "order", "theme", "format", "return_to", "featured",
            "heading_level")  # fmt: skip
    req = ThreadRequest(
        site=site,
        thread=thread_id,
        lang=lang,
        order="newest" if args.get("order") == "newest" else "oldest",
        theme=theme_of(args.get("theme")),
        cursor=args.get("cursor") or None,
        reply_to=args.get("reply_to") or None,
        status=args.get("moderato") or None,
        return_to=args.get("return_to") or None,
        featured=args.get("featured") in ("1", "true"),
        comment=args.get("comment") or None,
        heading_level=heading_level(args.get("heading_level")),
        link_args={k: args[k] for k in keep if args.get(k)},
    )
    fragment = render_thread(req)
    origins = " ".join(["'self'", *(site.origins or [])])
    csp = content_security_policy(frame_ancestors=origins, form_action=origins)
    if args.get("format") == "page":
        return page_response(
            "embed/page.html",
            csp=csp,
            fragment=fragment,
            title=i18n.translator(lang)("comments"),
            feed_title=i18n.translator(lang)("feed"),
            feed_url=feed_url(site.slug, thread_id),
            lang=lang,
            dir=i18n.direction(lang),
        )
    # The fragment goes into the publisher's page by a server-side include, which drops
    # these headers: there the publisher's own CSP rules, and the fragment is built to pass
    # a strict one (no script, no inline style, its stylesheet and form on our host; docs/
    # embed.md). The policy counts when a browser opens this URL itself (a link, a frame,
    # someone else's page sending a reader here): a document of our origin holding readers'
    # HTML, which then may run no inline script nor anything from elsewhere, behind the
    # sanitiser; the same policy as its ``format=page`` document.
    resp = current_app.response_class(fragment, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Content-Security-Policy"] = csp
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
