"""The Sites admin page, as far as moderation needs it: the sites, their queues and moderators.

API keys and webhook endpoints are managed on the integrations pages.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from service.bidi import isolate
from service.clock import utcnow
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.moderation import access, bp
from service.moderation.nav import add_nav_item
from service.status import State
from service.store.tables import AuditEntry, Comment, Site, User, UserSite
from service.validation import whole_number

add_nav_item("Sites", "moderation.sites", admin_only=True, order=60, match=("moderation.site*",))


@bp.get("/sites")
@access.admin_required
def sites() -> str:
    """List every site with its held count and its moderators; assign or remove moderators."""
    with db().session() as dbs:
        rows = list(dbs.scalars(select(Site).order_by(Site.name)))
        held = dict(
            dbs.execute(
                select(Comment.site_id, func.count())
                .where(Comment.state == State.HELD.value)
                .group_by(Comment.site_id)
            ).all()
        )
        members: dict[int, list[User]] = {}
        for site_id, user in dbs.execute(
            select(UserSite.site_id, User)
            .join(User, User.id == UserSite.user_id)
            .order_by(User.email)
        ).all():
            members.setdefault(site_id, []).append(user)
        moderators = list(
            dbs.scalars(select(User).where(User.role == "moderator").order_by(User.email))
        )
    return render_template(
        "moderation/sites.html", sites=rows, held=held, members=members, moderators=moderators
    )


@bp.post("/sites/<int:site_id>/moderators")
@access.admin_required
def site_moderators(site_id: int) -> Any:
    """Assign a moderator to a site (``user_id``), or remove one (``remove=1``)."""
    raw = request.form.get("user_id", "")
    removing = request.form.get("remove") == "1"
    with db().session() as dbs:
        site = dbs.get(Site, site_id)
        if site is None:
            raise NotFound("There is no such site.", code="site_not_found")
        target = dbs.get(User, n) if (n := whole_number(raw)) is not None else None
        if target is None:
            raise ValidationFailed(
                fields={"user_id": {"code": "required", "message": "Choose an account."}}
            )
        row = dbs.get(UserSite, (target.id, site.id))
        if removing and row is not None:
            dbs.delete(row)
            message = f"{isolate(target.email)} no longer moderates {isolate(site.name)}."
        elif not removing and row is None:
            dbs.add(UserSite(user_id=target.id, site_id=site.id))
            message = f"{isolate(target.email)} now moderates {isolate(site.name)}."
        else:
            message = "Nothing to change."
        if message != "Nothing to change.":
            dbs.add(
                AuditEntry(
                    site_id=site.id,
                    actor=access.actor(),
                    action="moderator_removed" if removing else "moderator_added",
                    details={"user_id": target.id, "email": target.email, "site": site.slug},
                    created_at=utcnow(),
                )
            )
    flash(message, "success")
    return redirect(url_for("moderation.sites"), code=303)
