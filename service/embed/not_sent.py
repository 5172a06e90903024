"""A no-JS form's post refused: the page intake answers instead of JSON.

The comment form comes back filled in with what the reader typed, each field's error
beside it and an error summary at the top (GOV.UK's pattern), with a fresh form token,
so nothing typed is lost. The report form, and a post from a page the site does not
accept posts from, get a plain page saying what went wrong and linking back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from service import antibot, cors, mailer, sites
from service.clock import utcnow
from service.comments import published_in_thread
from service.embed import assets, i18n
from service.embed.pages import content_security_policy, page_response
from service.errors import ApiError
from service.extensions import db
from service.ids import looks_like_id
from service.store.tables import Comment, Site
from service.urls import with_query

Translator = Callable[..., str]

#: The form's fields a reader types into, with the catalogue key of each one's label.
LABELS = {"name": "name", "email": "email", "url": "website", "text": "comment"}
#: The report form's fields, named as the form names them.
REPORT_LABELS = {"reason": "report_why", "note": "report_note"}

#: Whole-post refusals after which the form comes back (the others give a plain page).
REFILLED = frozenset({"rate_limited", "thread_closed"})


@dataclass(slots=True)
class Refill:
    """The refused comment form, as it goes back to its reader."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    parent: Comment | None = None


def has_message(code: str) -> bool:
    """Tell whether the embed's catalogue words the error ``code`` (as ``err_<code>``)."""
    return f"err_{code}" in i18n.catalogue()[i18n.DEFAULT]


def without_status(url: str | None) -> str | None:
    """``url`` without our ``moderato`` status: a link back to the form after an error
    must not say "thank you" (found in review)."""
    return with_query(url, ["moderato"], fragment=urlsplit(url).fragment) if url else url


#: What the plain page's title and a rate limit's words name: a comment or a report.
TITLES = {"comment": "not_sent", "report": "report_not_sent"}
RATE_WORDS = {"comment": "err_rate_limited", "report": "report_err_rate"}


def not_sent_page(err: ApiError, *, refill: bool, kind: str = "comment") -> BaseResponse:
    """Answer a no-JS form's refused post: its form again when ``refill`` (the comment
    form) and the site accepts posts from the page, else a plain page with the reasons,
    worded for ``kind`` (a report's said "Your comment was not sent"; found in review)."""
    form = request.form
    lang = i18n.pick(form.get("lang"))
    t = i18n.translator(lang)
    refill = refill and (err.fields is not None or err.code in REFILLED)
    with db().session() as session:
        site = sites.by_slug(session, form.get("site") or sites.DEFAULT_SLUG)
        origin = cors.request_origin()
        # A page the site refuses posts from gets no form to post again from our origin.
        if refill and site is not None and (origin is None or cors.trusted(site, origin)):
            page = _refill(session, site, err, lang)
            return _form_page(site, lang, t, page, err.status)
    back = None if site is None else without_status(cors.return_target(site))
    title = t(TITLES[kind])
    if err.fields is None:
        message = _message(err, lang, kind)
        return _plain(lang, err.status, errors=[], message=message, back=back, title=title)
    labels = REPORT_LABELS if kind == "report" else LABELS
    errors = [
        {"label": t(labels[name]) if name in labels else name, "message": _field(t, name, e)}
        for name, e in err.fields.items()
    ]
    return _plain(lang, err.status, errors=errors, message=None, back=back, title=title)


def _message(err: ApiError, lang: str, kind: str = "comment") -> str:
    """Word a whole-post refusal in the reader's language; a rate limit says how long to
    wait (its ``Retry-After``, in seconds)."""
    t = i18n.translator(lang)
    wait = err.headers.get("Retry-After", "")
    if kind == "report" and err.code == "comment_not_found":  # taken down meanwhile
        return t("report_gone")
    if err.code == "rate_limited":
        words = RATE_WORDS[kind]
        if wait.isascii() and wait.isdigit() and int(wait) > 0:
            return t(f"{words}_wait", when=i18n.wait_text(lang, int(wait)))
        return t(words)
    return t(f"err_{err.code}")


def _field(t: Translator, name: str, error: dict[str, Any]) -> str:
    """Word one field's error: the catalogue's string for its code, else the server's."""
    code = str(error.get("code"))
    if has_message(code):
        return t(f"err_{code}", limit=assets.FIELD_LIMITS.get(name, ""))
    return str(error.get("message", code))


def _refill(session: Session, site: Site, err: ApiError, lang: str) -> Refill:
    """Collect what goes back into the form: the typed values, the errors and the parent."""
    t = i18n.translator(lang)
    form = request.form
    page = Refill(values={name: form.get(name, "") for name in (*LABELS, "notify_replies")})
    fields = err.fields or {}
    for name in LABELS:
        if name in fields:
            page.errors[name] = _field(t, name, fields[name])
    for name, error in fields.items():
        if name not in LABELS and name != "parent":  # a hidden field: no link to give
            page.general.append(f"{name}: {_field(t, name, error)}")
    if err.fields is None:
        page.general.append(_message(err, lang))
    parent_id = form.get("parent", "")
    if parent_id:
        found = None
        if looks_like_id(parent_id):
            found = published_in_thread(session, site, form.get("thread", ""), parent_id)
        if found is not None:
            page.parent = found
        else:  # the form comes back as a new comment, saying why
            page.general.append(t("err_parent_not_found"))
    return page


def _form_page(site: Site, lang: str, t: Translator, page: Refill, status: int) -> BaseResponse:
    """Render the comment form again, filled in, under an error summary."""
    cfg = current_app.config
    thread = request.form.get("thread", "")
    token = antibot.renew_token(
        cfg["SECRET_KEY"],
        request.form.get(antibot.TOKEN_FIELD),
        site=site.slug,
        thread=thread,
        now=utcnow().timestamp(),
        max_age=cfg["FORM_TOKEN_MAX_AGE"],
        min_seconds=cfg["FORM_TOKEN_MIN_SECONDS"],
    )
    # The page the form was on: the next post goes back there, not to this page's URL
    # (which takes no GET); with none we may send back to, to our neutral status page.
    back = without_status(cors.return_target(site))
    return_to = back or url_for(
        "ops.status_page", lang=None if lang == i18n.DEFAULT else lang, _external=True
    )
    origins = " ".join(["'self'", *(site.origins or [])])
    resp = page_response(
        "embed/not_sent.html",
        csp=content_security_policy(frame_ancestors=origins),
        t=t,
        lang=lang,
        dir=i18n.direction(lang),
        css_url=_css_url(),
        refill=page,
        title=t(TITLES["comment"]),
        labels=LABELS,
        back=back,
        # what the form (embed/form.html, shared with the thread) needs
        values=page.values,
        errors=page.errors,
        parent=page.parent,
        form_lang=lang,
        site_slug=site.slug,
        thread_id=thread,
        return_to=return_to,
        action=url_for("api.create_comment", _external=True),
        token_field=antibot.TOKEN_FIELD,
        honeypot_field=antibot.HONEYPOT_FIELD,
        token=token,
        limits=assets.FIELD_LIMITS,
        notify=mailer.configured(cfg),
        # a reply comes back with its way out: the page without reply_to (found in review)
        cancel_link=with_query(back, ["reply_to"], fragment="respond")
        if page.parent is not None and back
        else None,
    )
    resp.status_code = status
    return resp


def _css_url() -> str:
    return url_for("embed.asset", filename=assets.asset("fallback.css").filename)


def _plain(lang: str, status: int, **page: Any) -> BaseResponse:
    """Render the "comment not sent" page in ``lang`` (``errors``, ``message``, ``back``)."""
    html = render_template(
        "embed/not_sent.html",
        t=i18n.translator(lang),
        lang=lang,
        dir=i18n.direction(lang),
        css_url=_css_url(),
        refill=None,
        **page,
    )
    return current_app.response_class(html, status=status, mimetype="text/html")
