"""The dashboard's bans: ban an author from a comment card (its e-mail, IP hash or
domain) or by hand, list the bans, lift one, and offer the undo of a ban just made.

What a ban is and how one is stored: ``bans``.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.auth import user_can_moderate
from service.clock import utcnow
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.moderation import access, actions, bp
from service.moderation.act import load_comment, request_data
from service.moderation.bans import (
    KINDS,
    MAX_VALUE,
    TARGETS,
    WEBMAIL,
    ban_value,
    normalise,
    target_value,
)
from service.moderation.login import safe_next
from service.moderation.nav import add_nav_item
from service.store.tables import AuditEntry, Ban, Site, User

add_nav_item("Bans", "moderation.bans", order=40)


@bp.post("/bans")
@access.login_required
def ban() -> Any:
    """Ban an author: from a card (``comment_id``, ``target``) or by hand (``kind``, ``value``)."""
    data = request_data()
    errors: dict[str, dict[str, str]] = {}
    me = access.user()
    everywhere = data.get("scope") == "all"
    if everywhere and me.role != "admin":
        errors["scope"] = {"code": "admin_required", "message": "Only admins ban on every site."}
    try:  # as an action's note: at most 1,000 characters, no control characters
        note = actions.clean_note(data.get("note"))
    except actions.InvalidAction as exc:
        errors.update(exc.fields)
        note = None
    with db().session() as dbs:
        comment_id = data.get("comment_id")
        if comment_id:
            comment, _ = load_comment(dbs, str(comment_id))
            site_id: int | None = comment.site_id
            found = target_value(comment, str(data.get("target") or ""))
            if found is None:
                errors["target"] = {
                    "code": "invalid_target",
                    "message": f"Choose what to ban: {', '.join(TARGETS)} (as the card offers).",
                }
                kind, value = "", ""
            else:
                kind, value = found
        else:
            comment = None
            site_id = _site_from(dbs, str(data.get("site") or ""), everywhere, errors)
            kind = str(data.get("kind") or "")
            value = ""
            if kind not in KINDS:
                errors["kind"] = {
                    "code": "invalid_choice",
                    "message": "Choose email, ip or domain.",
                }
            else:
                value = normalise(kind, str(data.get("value") or "")) or ""
                if not value:
                    errors["value"] = {
                        "code": f"invalid_{kind}",
                        "message": "Enter the whole IP hash (32 hexadecimal digits, as a "
                        "comment card shows it)."
                        if kind == "ip"
                        else f"Enter a valid {kind}.",
                    }
        if len(value) > MAX_VALUE:  # a card's website host, or an address lower case lengthens
            field = "target" if comment_id else "value"
            errors[field] = {
                "code": "too_long",
                "message": f"At most {MAX_VALUE} characters as a ban keeps it (in lower case: "
                "İ is two characters there).",
            }
        if kind == "domain" and value in WEBMAIL:
            field = "target" if comment_id else "value"
            errors[field] = {
                "code": "webmail_domain",
                "message": f"{value} is a mail provider shared by millions of readers: ban "
                "the address or the IP hash instead.",
            }
        if errors and not request.is_json and data.get("next"):
            # A card's form (no script): back to the queue with the reasons, not to an
            # error page that lost the moderator's place (found in review).
            for name, error in errors.items():
                flash(f"Not banned: {name}: {error['message']}", "error")
            return redirect(safe_next(data.get("next")), code=303)
        if errors:
            raise ValidationFailed(fields=errors)
        if everywhere:
            site_id = None
        row, created = ban_value(
            dbs, site_id, kind, value, note=note, actor=access.actor(me), comment=comment
        )
        ban_id = row.id
    where = "every site" if site_id is None else "this site"
    message = (
        f"Banned {kind} {value} on {where}." if created else f"{kind} {value} was already banned."
    )
    undo = url_for("moderation.unban", ban_id=ban_id)
    if request.is_json:
        body = {"id": ban_id, "kind": kind, "value": value, "created": created, "message": message}
        return jsonify({**body, "undo_url": undo} if created else body), 201 if created else 200
    flash(message, "success")
    if created:  # the next page offers to lift it at once: a one-click ban has its undo
        session[UNDO_KEY] = {"id": ban_id, "what": f"{kind} {value}"}
    return redirect(safe_next(data.get("next") or url_for("moderation.bans")), code=303)


#: Session key of the ban the next page offers to undo (popped by ``pop_undo``).
UNDO_KEY = "undo_ban"


def pop_undo() -> dict[str, Any] | None:
    """Return the ban just made, to offer its undo once, and forget it."""
    undo = session.pop(UNDO_KEY, None)
    return undo if isinstance(undo, dict) else None


def _site_from(dbs: Session, slug: str, everywhere: bool, errors: dict[str, Any]) -> int | None:
    if everywhere:
        return None
    site = access.moderated_site(dbs, slug)
    if site is None:
        errors["site"] = dict(access.UNKNOWN_SITE)
        return None
    return site.id


@bp.get("/bans")
@access.login_required
def bans() -> str:
    """List the bans of the user's sites, and those on every site."""
    with db().session() as dbs:
        scope = access.site_scope(dbs)
        query = select(Ban).order_by(Ban.created_at.desc(), Ban.id.desc())
        if scope is not None:
            query = query.where(or_(Ban.site_id.is_(None), Ban.site_id.in_(scope)))
        rows = list(dbs.scalars(query.limit(1000)))
        sites = access.visible_sites(dbs)
        names = {s.id: s.slug for s in dbs.scalars(select(Site))}
        # who banned, as an address a colleague knows (it showed "user:2"; found in review)
        people = {f"user:{uid}": email for uid, email in dbs.execute(select(User.id, User.email))}
    return render_template(
        "moderation/bans.html",
        bans=rows,
        sites=sites,
        site_names=names,
        kinds=KINDS,
        people=people,
    )


def _may_lift(dbs: Session, me: User, row: Ban) -> bool:
    """Tell whether ``me`` may lift ``row``: every-site bans admins, site bans its moderators."""
    if row.site_id is None:
        return me.role == "admin"
    return user_can_moderate(dbs, me, row.site_id)


@bp.post("/bans/<int:ban_id>/delete")
@access.login_required
def unban(ban_id: int) -> Any:
    """Lift a ban (site bans by their site's moderators; bans on every site by admins)."""
    me = access.user()
    with db().session() as dbs:
        row = dbs.get(Ban, ban_id)
        # One answer for a ban that does not exist and one the user may not lift, so ban
        # ids stay secret (another site's ban answered 403, a missing one 404).
        if row is None or not _may_lift(dbs, me, row):
            raise NotFound("There is no such ban.", code="ban_not_found")
        dbs.add(
            AuditEntry(
                site_id=row.site_id,
                actor=access.actor(me),
                action="unban",
                details={"ban_id": row.id, "kind": row.kind, "value": row.value},
                created_at=utcnow(),
            )
        )
        message = f"Lifted the ban on {row.kind} {row.value}."
        dbs.delete(row)
    if request.is_json:
        return jsonify({"id": ban_id, "message": message})
    flash(message, "success")
    back = request.form.get("next")
    return redirect(safe_next(back) if back else url_for("moderation.bans"), code=303)
