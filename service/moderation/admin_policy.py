"""A site's decision policy page (admins): mode, thresholds, form tokens, new authors, with
a replay of the last 30 days under the proposed values before they are saved."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from service import site_policy
from service.bidi import isolate
from service.errors import Conflict, NotFound, ValidationFailed, wants_html
from service.extensions import db
from service.moderation import access, bp
from service.policy import MODES, NEW_AUTHORS, SCORES, PolicyError, normalise_policy
from service.store.tables import Site

BOUNDS = ("publish_below", "reject_above")
#: How the error summary names each threshold field (two errors must be told apart).
FIELD_NAMES = {
    f"{bound}.{score}": f"{score.capitalize()}, {words}"
    for bound, words in (("publish_below", "publish below"), ("reject_above", "reject at or above"))
    for score in SCORES
}


def version(policy: dict[str, Any]) -> str:
    """Return a short tag of a policy: a form carries the one it was opened on."""
    return hashlib.sha256(json.dumps(policy, sort_keys=True).encode()).hexdigest()[:16]


#: A save based on a policy another admin has replaced since.
STALE = (
    "Another admin saved this site's policy while you were editing it. The table compares "
    "their policy (now the current one) with yours; save again to replace theirs."
)
#: Days of comments the replay reads.
PREVIEW_DAYS = 30


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def parse(form: Any) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Return the policy a posted form asks for and the errors of its fields, by name, in
    the contract's field-error shape (``code``, ``message``)."""
    errors: dict[str, dict[str, str]] = {}
    policy: dict[str, Any] = {
        "mode": form.get("mode", ""),
        "form_token": form.get("form_token", ""),
        "new_authors": form.get("new_authors", ""),
    }
    if policy["mode"] not in MODES:
        errors["mode"] = _error("invalid_choice", "Choose auto, pre or post.")
    if policy["form_token"] not in ("signal", "required"):
        errors["form_token"] = _error("invalid_choice", "Choose signal or required.")
    if policy["new_authors"] not in NEW_AUTHORS:
        errors["new_authors"] = _error("invalid_choice", "Choose score or hold.")
    for bound in BOUNDS:
        policy[bound] = {}
        for score in SCORES:
            name = f"{bound}.{score}"
            raw = form.get(name, "").strip()
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not raw.isascii() or not 0 <= value <= 1:  # nan fails both comparisons
                message = f"{FIELD_NAMES[name]}: enter a number from 0 to 1, such as 0.5."
                errors[name] = _error("invalid_number", message)
            else:
                policy[bound][score] = value
    if not errors:
        for score in SCORES:
            if policy["publish_below"][score] > policy["reject_above"][score]:
                errors[f"reject_above.{score}"] = _error(
                    "below_publish_threshold",
                    f"{FIELD_NAMES[f'reject_above.{score}']}: must not be below the publish "
                    f"threshold ({policy['publish_below'][score]:g}).",
                )
    return policy, errors


def _site(dbs: Any, site_id: int) -> Site:
    """Return the site, or raise 404."""
    site = dbs.get(Site, site_id)
    if site is None:
        raise NotFound("There is no such site.", code="site_not_found")
    return site


def _render(
    site: Site,
    current: dict[str, Any],
    replay: site_policy.Preview | None,
    proposed: bool,
    errors: dict[str, dict[str, str]],
) -> str:
    """Render the policy page: the form (on ``current``'s version), errors, the replay."""
    return render_template(
        "moderation/site_policy.html",
        site=site,
        current=current,
        base=version(current),
        replay=replay,
        proposed=proposed,
        errors=errors,
    )


@bp.get("/sites/<int:site_id>/policy")
@access.admin_required
def site_policy_page(site_id: int) -> str:
    """Show a site's policy in a form, with what it did to the last 30 days' comments."""
    with db().session() as dbs:
        site = _site(dbs, site_id)
        replay = site_policy.preview(dbs, site, None, PREVIEW_DAYS)
        return _render(site, normalise_policy(site.policy), replay, False, {})


@bp.post("/sites/<int:site_id>/policy")
@access.admin_required
def site_policy_save(site_id: int) -> Any:
    """Preview the posted policy against the last 30 days, or save it (audited)."""
    policy, errors = parse(request.form)
    saving = request.form.get("action") == "save"
    with db().session() as dbs:
        site = _site(dbs, site_id)
        current = normalise_policy(site.policy)
        stale = request.form.get("base") != version(current)
        if saving and not errors and stale and normalise_policy(policy) != current:
            # another admin saved meanwhile: show theirs against this one, save knowingly
            errors["base"] = _error("conflict", STALE)
        conflict = "base" in errors
        if errors and not wants_html():  # a script or fetch: the one JSON error shape
            raise Conflict(STALE) if conflict else ValidationFailed(fields=errors)
        if saving and not errors:
            try:
                changed = site_policy.change(dbs, site, policy, access.actor())
            except PolicyError as exc:  # parse checks every rule; kept as a backstop
                errors["mode"] = _error("invalid_policy", str(exc))
            else:
                flash(
                    f"{isolate(site.name)}: policy saved." if changed else "Nothing to change.",
                    "success",
                )
                return redirect(url_for("moderation.site_policy_page", site_id=site.id), code=303)
        valid = conflict or not errors
        replay = site_policy.preview(dbs, site, policy, PREVIEW_DAYS) if valid else None
        page = _render(site, current, replay, valid, errors)
    return page, 409 if conflict else 422 if errors else 200
