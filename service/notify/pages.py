"""The pages the links of our mails open: confirm reply notifications, or unsubscribe.

``GET`` shows the question and a button, and changes nothing (mail scanners and link
previews follow every link of a mail); ``POST`` does it. ``POST /mail/unsubscribe`` is
also RFC 8058's one-click target: a mail client posts ``List-Unsubscribe=One-Click`` to
the URL of ``List-Unsubscribe``, the token in its query, no cookie, no form to fill. An
unsubscribe link acts only on the subscription of the address it was mailed to (or, for
a row the ``notify2`` upgrade merged away, on the one it became: the same reader's).
Pages are in the subscriber's language, with our CSP; a link that is not ours or was
changed is answered 400, a confirmation link that expired or was replaced 410.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.embed import assets, i18n
from service.embed.pages import page_response
from service.errors import ApiError, BadRequest, wants_html
from service.extensions import db
from service.notify import subscriptions, tokens
from service.store.tables import Site
from service.store.tables_notify import MailSubscription

bp = Blueprint("mail", __name__, template_folder="templates")


def _token() -> str | None:
    return request.args.get("token") or request.form.get("token") or None


def _page(lang: str, status: int = 200, **context: Any) -> BaseResponse:
    """Render one of the pages in ``lang`` (never cached, never sending its URL on)."""
    resp = page_response(
        "notify/page.html",
        lang=lang,
        dir=i18n.direction(lang),
        css_url=url_for("embed.asset", filename=assets.asset("fallback.css").filename),
        **context,
    )
    resp.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
    resp.headers["X-Robots-Tag"] = "noindex"
    resp.status_code = status
    return resp


class LinkGone(ApiError):
    """A confirmation link that expired, or that a newer one replaced."""

    status, code = 410, "link_expired"


def _bad_link(expired: bool = False, lang: str = i18n.DEFAULT) -> BaseResponse:
    """Answer a link that is not ours, altered (400) or expired (410): a page for a reader,
    the one JSON error shape for a script."""
    t = i18n.translator(lang)
    if not wants_html():
        message = t("mail_expired_link" if expired else "mail_bad_link")
        if expired:
            raise LinkGone(message)
        raise BadRequest(
            message,
            code="invalid_link",
            fields={"token": {"code": "invalid_token", "message": message}},
        )
    return _page(
        lang,
        410 if expired else 400,
        title=t("mail_link_title"),
        message=t("mail_expired_link" if expired else "mail_bad_link"),
    )


def _load(sub_id: int, merged: bool = False) -> tuple[MailSubscription | None, str]:
    """Return the subscription (or None) and its site's name; with ``merged``, one that
    is gone is looked for among the upgrade's merges (``subscriptions.merged_into``)."""
    with db().session() as session:
        sub = session.get(MailSubscription, sub_id)
        if sub is None and merged:
            sub = subscriptions.merged_into(session, sub_id)
        site = session.get(Site, sub.site_id) if sub is not None else None
        # a subscription erased meanwhile has no site left to name: our host stands in
        return sub, site.name if site is not None else request.host


@bp.route(tokens.CONFIRM_PATH, methods=["GET", "POST"])
def confirm() -> BaseResponse:
    """Ask, then confirm, that an address wants reply notifications on a site."""
    cfg = current_app.config
    try:
        sub_id, nonce = tokens.read_confirm(
            cfg["SECRET_KEY"], _token(), int(cfg["MAIL_CONFIRM_MAX_AGE"])
        )
    except tokens.ExpiredLink:
        return _bad_link(expired=True)
    except tokens.BadLink:
        return _bad_link()
    sub, site = _load(sub_id)
    if sub is None:
        return _bad_link(expired=True)
    lang = i18n.pick(sub.lang)
    t = i18n.translator(lang)
    title = t("mail_confirm_title")
    if request.method == "POST":
        with db().session() as session:
            done = subscriptions.confirm(session, sub_id, nonce)
    else:
        done = "already" if sub.state == "confirmed" else "ask"
        if sub.state != "confirmed" and sub.nonce != nonce:
            done = "stale"
    if done == "stale":
        return _bad_link(expired=True, lang=lang)
    if done == "ask":
        return _page(
            lang,
            title=title,
            message=t("mail_confirm_page", email=sub.email, site=site),
            button=t("mail_confirm_button"),
            action=request.url,
            token=_token(),
        )
    return _page(lang, title=title, message=t("mail_confirmed", site=site), done=True)


@bp.route(tokens.UNSUBSCRIBE_PATH, methods=["GET", "POST"])
def unsubscribe() -> BaseResponse:
    """Ask, then stop every reply notification of an address on a site (one click)."""
    secret = current_app.config["SECRET_KEY"]
    try:
        sub_id, tag = tokens.read_unsubscribe(secret, _token())
    except tokens.BadLink:
        return _bad_link()
    sub, site = _load(sub_id, merged=True)
    if sub is not None and sub.id == sub_id and not tokens.names_address(secret, tag, sub.email):
        # The id holds another address now: the one the link was mailed to is gone.
        sub, site = None, request.host
    # A merged-away id's link names another spelling of the kept row's address (the merge
    # joined rows of one key only), so its tag is not checked against the kept row's.
    lang = i18n.pick(sub.lang if sub is not None else None)
    t = i18n.translator(lang)
    title = t("mail_unsub_title")
    if request.method == "GET" and sub is not None and sub.state != "unsubscribed":
        return _page(
            lang,
            title=title,
            message=t("mail_unsub_page", site=site),
            button=t("mail_unsub_button"),
            action=request.url,
            token=_token(),
        )
    if request.method == "POST" and sub is not None:
        with db().session() as session:
            subscriptions.unsubscribe(session, sub.id, sub.email)
    # A subscription erased meanwhile is as unsubscribed as can be.
    return _page(lang, title=title, message=t("mail_unsubscribed", site=site), done=True)
