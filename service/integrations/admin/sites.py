"""Sites and their keys: list, create a site, create (shown once) and revoke keys, settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from service import sites as site_ops
from service.clock import utcnow
from service.errors import NotFound
from service.extensions import db
from service.integrations.admin import bp
from service.integrations.admin.forms import FieldErrors, audit, error, text
from service.integrations.webhooks import endpoints_of
from service.moderation import access
from service.policy import MODES
from service.store.tables import ApiKey, Site, WebhookEndpoint
from service.validation import whole_number


def get_site(session: Session, site_id: int) -> Site:
    """Return the site or raise 404."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("There is no such site.", code="site_not_found")
    return site


@bp.get("/")
@access.admin_required
def index() -> str:
    """List every site with its active keys and endpoints; offer a new site."""
    return render_index()


def render_index(errors: FieldErrors | None = None, created: dict[str, Any] | None = None) -> Any:
    with db().session() as session:
        rows = list(session.scalars(select(Site).order_by(Site.name)))
        keys = dict(
            session.execute(
                select(ApiKey.site_id, func.count())
                .where(
                    ApiKey.revoked_at.is_(None),
                    or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > utcnow()),
                )
                .group_by(ApiKey.site_id)
            ).all()
        )
        endpoints: dict[int, list[WebhookEndpoint]] = {}
        for endpoint in session.scalars(select(WebhookEndpoint)):
            endpoints.setdefault(endpoint.site_id, []).append(endpoint)
    page = render_template(
        "integrations_admin/index.html",
        sites=rows,
        keys=keys,
        endpoints=endpoints,
        modes=MODES,
        errors=errors or {},
        created=created,
        form=request.form,
    )
    return (page, 422) if errors else page


@bp.post("/sites")
@access.admin_required
def create_site() -> Any:
    """Create a site with its first key, shown once on the answer page."""
    errors: FieldErrors = {}
    name = text("name", 200)
    origins = [o for o in text("origins", 4000).split() if o]
    mode = text("mode") or "auto"
    if not name:
        error(errors, "name", "required", "Give the site a name.")
    if mode not in MODES:
        error(errors, "mode", "invalid_choice", f"Use one of: {', '.join(MODES)}.")
    bad = []
    for origin in origins:
        try:
            site_ops.normalise_origin(origin)
        except ValueError:
            bad.append(origin)
    if bad:
        error(errors, "origins", "invalid_origin", f"Not http(s) origins: {', '.join(bad)}")
    if errors:
        return render_index(errors)
    with db().session() as session:
        created = site_ops.create(session, name, origins, policy={"mode": mode})
        audit(session, created.site.id, "site_created", slug=created.site.slug)
        shown = {"slug": created.site.slug, "site_id": created.site.id, "key": created.api_key}
    return render_index(created=shown)


@bp.get("/sites/<int:site_id>")
@access.admin_required
def site(site_id: int) -> str:
    """Show a site's keys, webhook endpoints and integration settings."""
    return render_site(site_id)


def render_site(
    site_id: int,
    *,
    errors: FieldErrors | None = None,
    secret: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    with db().session() as session:
        row = get_site(session, site_id)
        keys = site_ops.keys_of(session, row)
        endpoints = endpoints_of(session, row)
    from service.events import EVENT_TYPES

    limit = (row.settings or {}).get("rate_limit") or {}
    cfg = current_app.config
    page = render_template(
        "integrations_admin/site.html",
        site=row,
        keys=keys,
        endpoints=endpoints,
        scopes=site_ops.SCOPES,
        events=EVENT_TYPES,
        errors=errors or {},
        secret=secret,
        form=request.form if errors else {},
        per_minute=limit.get("per_minute", cfg["KEY_RATE_PER_MINUTE"]),
        burst=limit.get("burst", cfg["KEY_RATE_BURST"]),
        perspective_store=bool((row.settings or {}).get("perspective_store")),
        now=utcnow(),
        roll_grace_hours=ROLL_GRACE_HOURS,
    )
    return page, (422 if errors else status)


@bp.post("/sites/<int:site_id>/keys")
@access.admin_required
def create_key(site_id: int) -> Any:
    """Create a key with the chosen scopes; show it once."""
    scopes = [s for s in request.form.getlist("scopes") if s in site_ops.SCOPES]
    name = text("name", 200) or "key"
    if not scopes:
        return render_site(
            site_id, errors={"scopes": {"code": "required", "message": "Choose a scope."}}
        )
    with db().session() as session:
        row = get_site(session, site_id)
        token = site_ops.add_key(session, row, name=name, scopes=scopes)
        audit(session, site_id, "key_created", name=name, scopes=scopes, prefix=token[4:16])
    return render_site(site_id, secret={"kind": "API key", "name": name, "value": token})


@bp.post("/sites/<int:site_id>/keys/<prefix>/revoke")
@access.admin_required
def revoke_key(site_id: int, prefix: str) -> BaseResponse:
    """Revoke a key; it answers 401 from now on."""
    with db().session() as session:
        row = get_site(session, site_id)
        if site_ops.revoke_key(session, row, prefix):
            audit(session, site_id, "key_revoked", prefix=prefix)
            flash(f"Key {prefix} revoked.", "success")
        else:
            flash(f"Key {prefix} was already revoked or does not exist.", "error")
    return redirect(url_for("integrations_admin.site", site_id=site_id), code=303)


#: The grace periods the Roll button offers, in hours.
ROLL_GRACE_HOURS = (0, 1, 24, 24 * 7)


@bp.post("/sites/<int:site_id>/keys/<prefix>/roll")
@access.admin_required
def roll_key(site_id: int, prefix: str) -> Any:
    """Replace a key by a new one (shown once); the old one works for the chosen grace."""
    hours = whole_number(request.form.get("grace_hours", ""))
    if hours not in ROLL_GRACE_HOURS:
        flash("Choose how long the old key keeps working.", "error")
        return redirect(url_for("integrations_admin.site", site_id=site_id), code=303)
    with db().session() as session:
        row = get_site(session, site_id)
        try:
            rolled = site_ops.roll_key(session, row, prefix, timedelta(hours=hours))
        except site_ops.AlreadyRolled as exc:
            flash(f"Key {prefix} was already rolled to {exc.successor}: roll that one, or "
                  f"revoke {prefix} to end it sooner.", "error")  # fmt: skip
            return redirect(url_for("integrations_admin.site", site_id=site_id), code=303)
        if rolled is None:
            flash(f"Key {prefix} was already revoked or does not exist.", "error")
            return redirect(url_for("integrations_admin.site", site_id=site_id), code=303)
        token = rolled.token
        audit(session, site_id, "key_rolled", prefix=prefix, new_prefix=rolled.prefix, hours=hours)
    ends = rolled.old_key_ends
    note = (  # its real end: a key that expires sooner keeps its own end (found in review)
        f"The old key {prefix} stops working now."
        if ends <= utcnow()
        else f"The old key {prefix} keeps working until {ends.strftime('%Y-%m-%d %H:%M')} "
        "UTC: move your servers to this one before then."
    )
    return render_site(
        site_id,
        secret={"kind": "API key", "name": f"replaces {prefix}", "value": token, "note": note},
    )


@bp.post("/sites/<int:site_id>/settings")
@access.admin_required
def site_settings(site_id: int) -> Any:
    """Set the per-key rate limit and the Perspective storage opt-in."""
    errors: FieldErrors = {}
    try:
        per_minute = float(text("per_minute"))
    except ValueError:
        per_minute = 0.0
    if not 0 < per_minute < float("inf"):
        error(errors, "per_minute", "invalid_number", "A number of requests above 0.")
    burst = text("burst")
    if (whole_number(burst) or 0) < 1:
        error(errors, "burst", "invalid_number", "A whole number from 1.")
    if errors:
        return render_site(site_id, errors=errors)
    store = request.form.get("perspective_store") == "on"
    with db().session() as session:
        row = get_site(session, site_id)
        row.settings = {
            **(row.settings or {}),
            "rate_limit": {"per_minute": per_minute, "burst": int(burst)},
            "perspective_store": store,
        }
        audit(session, site_id, "integration_settings", per_minute=per_minute, burst=int(burst),
              perspective_store=store)  # fmt: skip
    flash("Settings saved.", "success")
    return redirect(url_for("integrations_admin.site", site_id=site_id), code=303)
