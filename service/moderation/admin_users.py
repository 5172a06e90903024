"""Admin pages for accounts: create moderators and admins, assign sites, disable, reset."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service import users
from service.bidi import isolate
from service.clock import utcnow
from service.errors import Conflict, NotFound, ValidationFailed
from service.extensions import db
from service.moderation import access, bp
from service.moderation.nav import add_nav_item
from service.passwords import MIN_LENGTH, hash_password
from service.store.tables import AuditEntry, Site, User, UserSite
from service.validation import whole_number


def _audit(dbs: Session, action: str, target: User, **details: Any) -> None:
    dbs.add(
        AuditEntry(
            actor=access.actor(),
            action=action,
            details={"user_id": target.id, "email": target.email, **details},
            created_at=utcnow(),
        )
    )


def enabled_admins(dbs: Session) -> int:
    """Return how many enabled admin accounts exist."""
    query = (
        select(func.count()).select_from(User).where(User.role == "admin", User.disabled.is_(False))
    )
    return int(dbs.scalar(query) or 0)


@bp.get("/users")
@access.admin_required
def users_page() -> str:
    """List every account with its role, sites and last login; offer the create form."""
    with db().session() as dbs:
        rows = list(dbs.scalars(select(User).order_by(User.email)))
        sites = list(dbs.scalars(select(Site).order_by(Site.name)))
        assigned: dict[int, set[int]] = {}
        for user_id, site_id in dbs.execute(select(UserSite.user_id, UserSite.site_id)):
            assigned.setdefault(user_id, set()).add(site_id)
    return render_template(
        "moderation/users.html",
        users=rows,
        sites=sites,
        assigned=assigned,
        roles=users.ROLES,
        min_length=MIN_LENGTH,
        form=request.args,
    )


add_nav_item(
    "Users", "moderation.users_page", admin_only=True, order=70, match=("moderation.user*",)
)


@bp.post("/users")
@access.admin_required
def create_user() -> Any:
    """Create an account (moderators are limited to the sites ticked)."""
    form = request.form
    with db().session() as dbs:
        slugs = _site_slugs(dbs, form.getlist("site"))
        try:
            created = users.create(
                dbs, form.get("email", ""), form.get("password", ""), form.get("role", ""), slugs
            )
        except users.UserError as exc:
            field = (
                "email"
                if "mail" in str(exc) or "account" in str(exc)
                else "role"
                if "role" in str(exc)
                else "password"
            )
            raise ValidationFailed(
                str(exc), fields={field: {"code": "invalid", "message": str(exc)}}
            ) from exc
        dbs.flush()
        _audit(dbs, "user_created", created, role=created.role, sites=slugs)
        email = created.email
    flash(f"Created {form.get('role')} {isolate(email)}.", "success")
    return redirect(url_for("moderation.users_page"), code=303)


def _site_slugs(dbs: Session, ids: list[str]) -> list[str]:
    wanted = {n for i in ids if (n := whole_number(i)) is not None}
    if not wanted:
        return []
    return list(dbs.scalars(select(Site.slug).where(Site.id.in_(wanted))))


@bp.post("/users/<int:user_id>")
@access.admin_required
def update_user(user_id: int) -> Any:
    """Change an account's role, sites and whether it is enabled."""
    form = request.form
    me = access.user()
    with db().session() as dbs:
        target = dbs.get(User, user_id)
        if target is None:
            raise NotFound("There is no such account.", code="user_not_found")
        role = form.get("role", target.role)
        if role not in users.ROLES:
            raise ValidationFailed(
                fields={"role": {"code": "invalid_choice", "message": "Choose admin or moderator."}}
            )
        disabled = form.get("disabled") == "1"
        losing_admin = (
            target.role == "admin" and not target.disabled and (role != "admin" or disabled)
        )
        if losing_admin and enabled_admins(dbs) <= 1:
            raise Conflict(
                "This is the last enabled admin; make another admin first.", code="last_admin"
            )
        site_ids = {n for i in form.getlist("site") if (n := whole_number(i)) is not None}
        known = (
            set(dbs.scalars(select(Site.id).where(Site.id.in_(site_ids)))) if site_ids else set()
        )
        before = (target.role, target.disabled, sorted(_sites_of(dbs, target.id)))
        target.role = role
        target.disabled = disabled
        dbs.execute(delete(UserSite).where(UserSite.user_id == target.id))
        for site_id in sorted(known):
            dbs.add(UserSite(user_id=target.id, site_id=site_id))
        dbs.flush()
        after = (role, disabled, sorted(known))
        if before != after:
            _audit(
                dbs, "user_updated", target, role=role, disabled=disabled, site_ids=sorted(known)
            )
        email = target.email
    if target.id == me.id and (disabled or role != "admin"):
        flash("You changed your own account; you may have lost access to this page.", "info")
    flash(f"Saved {isolate(email)}.", "success")
    return redirect(url_for("moderation.users_page"), code=303)


def _sites_of(dbs: Session, user_id: int) -> set[int]:
    return set(dbs.scalars(select(UserSite.site_id).where(UserSite.user_id == user_id)))


@bp.post("/users/<int:user_id>/password")
@access.admin_required
def reset_password(user_id: int) -> Any:
    """Set a new password for an account (its sessions end)."""
    password = request.form.get("password", "")
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            fields={
                "password": {
                    "code": "too_short",
                    "message": f"Use at least {MIN_LENGTH} characters.",
                }
            }
        )
    with db().session() as dbs:
        target = dbs.get(User, user_id)
        if target is None:
            raise NotFound("There is no such account.", code="user_not_found")
        target.password_hash = hash_password(password)
        _audit(dbs, "password_reset", target)
        email = target.email
    flash(f"New password set for {isolate(email)}; their sessions have ended.", "success")
    return redirect(url_for("moderation.users_page"), code=303)
