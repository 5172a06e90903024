"""Bulk action pages: act on the selected cards, or review and confirm a filter-wide action."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.errors import ValidationFailed
from service.extensions import db
from service.moderation import access, actions, bp, bulk, cards, queries
from service.moderation.act import request_data
from service.moderation.filters import QUEUE_TITLES
from service.moderation.login import safe_next
from service.moderation.queue import FIELD_LABELS, QUEUE_STATE, parse_or_404, resolve
from service.status import State
from service.store.tables import Comment
from service.validation import whole_number

#: How many of the comments a filter-wide action takes its confirm page shows.
SAMPLE = 10


def _action_and_note(
    data: dict[str, Any], expected: str | None = None
) -> tuple[actions.Action, str | None]:
    """Return the requested action and note, or raise 422 listing every bad field."""
    errors: dict[str, dict[str, str]] = {}
    action = actions.ACTIONS.get(str(data.get("action") or ""))
    if action is None:
        errors["action"] = {
            "code": "invalid_action",
            "message": f"Choose one of: {', '.join(actions.ACTIONS)}.",
        }
    elif expected is not None and State(expected) not in action.allowed_from:
        errors["action"] = {
            "code": "action_not_allowed",
            "message": f"{action.title} does not apply to {expected} comments.",
        }
    note = None
    try:
        note = actions.clean_note(data.get("note"))
    except actions.InvalidAction as exc:
        errors.update(exc.fields)
    if errors or action is None:
        raise ValidationFailed(fields=errors)
    return action, note


@bp.post("/bulk")
@access.login_required
def bulk_selection() -> Any:
    """Apply one action to the selected comments (each with the state the moderator saw)."""
    data = request_data()
    raw_items = data.get("items") if request.is_json else request.form.getlist("item")
    items = bulk.parse_items(raw_items)
    try:
        action, note = _action_and_note(data)
    except ValidationFailed as exc:
        if items is None:
            exc.fields = {**(exc.fields or {}), "items": _no_items()}
        raise
    if items is None:
        raise ValidationFailed(fields={"items": _no_items()})
    queue = data.get("queue")
    if isinstance(queue, str) and queue in QUEUE_STATE:
        # Sent from a queue page: every comment is expected in the queue's state, whatever
        # state its card showed (a card redrawn after a colleague's decision showed the new
        # one, and a bulk action undid that decision; found in review).
        items = [(i, State(QUEUE_STATE[queue]), revision) for i, _, revision in items]
    result = bulk.apply(
        action, items, access.user(), access.actor(), note, reported=queue == "reported"
    )
    seen = {state for _, state, _ in items}
    said = result.sentence(actions.title(action, seen.pop()) if len(seen) == 1 else action.title)
    if request.is_json:
        return jsonify({**result.as_dict(), "message": said})
    flash(said, "success" if not result.conflicts else "conflict")
    return redirect(safe_next(data.get("next")), code=303)


def _sample(dbs: Session, ids: list[str], slugs: dict[int, str]) -> list[cards.Card]:
    """Return the cards of the first ``SAMPLE`` comments of the set an action takes, in its
    order (oldest first; the sample showed the newest while a capped run took the oldest)."""
    first = ids[:SAMPLE]
    rows = {c.id: c for c in dbs.scalars(select(Comment).where(Comment.id.in_(first)))}
    return cards.build_all(dbs, [rows[i] for i in first if i in rows], slugs)


def _no_items() -> dict[str, str]:
    return {
        "code": "required",
        "message": "Select at least one comment (as id:state or id:state:revision).",
    }


@bp.route("/queue/<queue>/bulk", methods=["GET", "POST"])
@access.login_required
def bulk_filter(queue: str) -> Any:
    """Review (GET) and apply (POST) one action to every comment matching the queue's filter."""
    f, errors = parse_or_404(queue)
    expected = QUEUE_STATE[f.queue]
    data = request.form.to_dict(flat=True) if request.method == "POST" else request.args.to_dict()
    action, note = _action_and_note(data, expected)
    f = replace(f, after=None, before=None)
    as_of = bulk.parse_as_of(data.get("as_of")) if request.method == "POST" else None
    confirmed = whole_number(str(data.get("count", "")))
    confirmed = -1 if confirmed is None else confirmed
    with db().session() as dbs:
        f, sites, site = resolve(dbs, f, errors)
        if errors:
            raise ValidationFailed(
                "The filter has errors; fix them on the queue page.", fields=errors
            )
        scope = access.site_scope(dbs)
        site_id = site.id if site else None
        limit = bulk.bulk_max()
        moment = as_of or utcnow()
        ids = queries.matching_ids(dbs, f, scope, site_id, moment, limit + 1)
        proceed = as_of is not None and len(ids[:limit]) <= confirmed
        changed = request.method == "POST" and not proceed
        if changed:
            # Ask again about the comments matching now, with this moment: the page paired
            # the new moment with the old one's count, so confirming it could only ask again.
            moment = utcnow()
            ids = queries.matching_ids(dbs, f, scope, site_id, moment, limit + 1)
        capped = len(ids) > limit
        ids = ids[:limit]
        total, sample = len(ids), []
        if not proceed:
            if capped:
                total = queries.matching_count(dbs, f, scope, site_id, moment)
            sample = _sample(dbs, ids, {s.id: s.slug for s in sites})
    args: dict[str, Any] = f.args()
    back = url_for("moderation.queue", queue=f.queue, **args)
    if proceed:
        result = bulk.apply(
            action, [(i, State(expected), None) for i in ids], access.user(), access.actor(), note
        )
        said = result.sentence(actions.title(action, State(expected)))
        flash(said, "success" if not result.conflicts else "conflict")
        return redirect(back, code=303)
    page = render_template(
        "moderation/bulk_confirm.html",
        f=f,
        action=action,
        title=actions.title(action, State(expected)),
        effect=actions.effect(action, State(expected)),
        queue_title=QUEUE_TITLES[f.queue],
        note=note or "",
        count=len(ids),
        capped=capped,
        total=total,
        as_of=moment.isoformat(),
        sample=sample,
        back=back,
        changed=changed,
        confirmed=confirmed,
        labels=FIELD_LABELS,
    )
    return page, 409 if changed else 200
