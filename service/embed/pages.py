"""Whole pages the embed serves: the demo article and the no-JS thread as an iframe page."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service import sites
from service.embed import assets, demo_content, i18n
from service.embed.nojs import ThreadRequest, feed_url, render_thread, theme_of
from service.errors import NotFound
from service.extensions import db

from . import bp

#: The demo's thread: the README's curl examples post to it too.
DEMO_THREAD = "demo"


def content_security_policy(frame_ancestors: str = "'self'", form_action: str = "'self'") -> str:
    """Return our pages' CSP: everything from this origin only, no inline script or style."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; base-uri 'none'; object-src 'none'; form-action {form_action}; "
        f"frame-ancestors {frame_ancestors}"
    )


def page_response(template: str, *, csp: str | None = None, **context: Any) -> BaseResponse:
    """Render a page with our CSP; never cached (it carries a fresh form token)."""
    resp = current_app.response_class(render_template(template, **context), mimetype="text/html")
    resp.headers["Content-Security-Policy"] = csp or content_security_policy()
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/demo")
def demo() -> BaseResponse:
    """Show a news article with the comment thread under it: the embed, working end to end."""
    if not current_app.config.get("DEMO_PAGE"):
        raise NotFound(
            "The demo page is off in production; MODERATO_DEMO_PAGE=true turns it on.",
            code="demo_off",
        )
    args = request.args
    lang = i18n.pick(args.get("lang"))
    theme = theme_of(args.get("theme"))
    with db().session() as session:
        site = sites.by_slug(session, sites.DEFAULT_SLUG)
    if site is None:
        raise NotFound(
            "Run `moderato db upgrade` to create the default site.", code="site_not_found"
        )
    link_args = {k: args[k] for k in ("lang", "theme", "featured") if args.get(k)}
    fallback = render_thread(
        ThreadRequest(
            site=site,
            thread=DEMO_THREAD,
            lang=lang,
            theme=theme,
            cursor=args.get("cursor") or None,
            reply_to=args.get("reply_to") or None,
            status=args.get("moderato") or None,
            featured=args.get("featured") in ("1", "true"),
            link_args=link_args,
        )
    )
    return page_response(
        "embed/demo.html",
        lang=lang,
        dir=i18n.direction(lang),
        theme=theme,
        article=demo_content.article(lang),
        fallback=fallback,
        site=site.slug,
        thread=DEMO_THREAD,
        data_lang=args.get("lang") or "",
        css_url=url_for("embed.asset", filename=assets.asset("demo.css").filename),
        feed_title=i18n.translator(lang)("feed"),
        feed_url=feed_url(site.slug, DEMO_THREAD),
    )
