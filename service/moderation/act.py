"""Acting on one comment (approve, reject, spam, not spam, take down; feature or unfeature
a published one), its card and its history.

Every action goes through ``service.lifecycle.transition`` with the state the
moderator saw as ``expected``: if another moderator (or the worker) changed the
comment meanwhile, nothing happens and the answer is ``409 conflict`` (JSON for
``fetch``; a flash and the refreshed queue for a plain form post).
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from service import featured, reports
from service.bidi import isolate
from service.enqueue import enqueue_outboxes
from service.errors import Conflict, NotFound, ValidationFailed, wants_html
from service.extensions import db, queue
from service.ids import looks_like_id
from service.lifecycle import transition
from service.moderation import access, actions, bp, cards
from service.moderation.login import safe_next
from service.plural import counted
from service.status import State, restorable
from service.store.tables import AuditEntry, Comment, Site, User
from service.store.tables import Label as LabelRow
from service.validation import has_lone_surrogate, whole_number


def request_data() -> dict[str, Any]:
    """Return the posted fields, from JSON (``fetch``) or a form."""
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:
            data = None
        if not isinstance(data, dict) or has_lone_surrogate(data):
            raise ValidationFailed(
                "The body must be a JSON object.",
                fields={"body": {"code": "invalid_body", "message": "Send a JSON object."}},
            )
        return data
    return request.form.to_dict(flat=True)


def load_comment(dbs: Session, comment_id: str) -> tuple[Comment, str]:
    """Return a comment the user may moderate and its site's slug; 404 otherwise."""
    comment = dbs.get(Comment, comment_id) if looks_like_id(comment_id) else None
    if comment is None:
        raise NotFound("There is no such comment.", code="comment_not_found")
    access.can_see_comment(dbs, comment.site_id)
    site = dbs.get(Site, comment.site_id)
    return comment, site.slug if site else "?"


def _conflict(comment: Comment, revision: int | None = None) -> Conflict:
    if revision is not None and comment.revision != revision:
        return Conflict(
            "Its author edited this comment since you loaded the page: the card shows the "
            "new text.",
            code="conflict",
        )
    state = comment.state + (f" ({comment.rejection})" if comment.rejection else "")
    return Conflict(
        f"Someone else acted on this comment since you loaded the page: it is now {state}.",
        code="conflict",
    )


@bp.post("/comments/<comment_id>/act")
@access.login_required
def act(comment_id: str) -> Any:
    """Apply one action to a comment, if it is still in the state the moderator saw."""
    data = request_data()
    if data.get("action") == DISMISS:
        return _dismiss(comment_id, data)
    if data.get("action") in featured.ACTIONS:
        return _feature(comment_id, data)
    errors: dict[str, dict[str, str]] = {}
    try:
        action, expected = actions.parse(data.get("action"), data.get("expected"))
    except actions.InvalidAction as exc:
        errors.update(exc.fields)
    try:
        note = actions.clean_note(data.get("note"))
    except actions.InvalidAction as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    me = access.user()
    with db().session() as dbs:
        comment, site = load_comment(dbs, comment_id)
        if action.new is State.PUBLISHED and not restorable(comment.rejection):
            outcome, conflict = None, Conflict(actions.WITHDRAWN, code="withdrawn")
        elif _reports_answered(dbs, comment, expected, data):
            outcome, conflict = (
                None,
                Conflict(
                    "A colleague kept this comment and dismissed its reports meanwhile: the card "
                    "shows it now; act again if it must still go.",
                    code="conflict",
                ),
            )
        else:
            change = actions.change(action, expected, access.actor(me), note)
            # the text the card showed: its author may have edited it since (a new revision)
            change.revision = whole_number(str(data.get("revision") or ""))
            outcome = transition(dbs, comment_id, change)
            if outcome is None:
                conflict = _conflict(comment, change.revision)
            else:
                card = cards.build_one(dbs, outcome.comment, site)
    if outcome is None:
        return _answer_conflict(conflict, data)
    enqueue_outboxes(queue(), outcome.deliveries, outcome.mails)
    message = f"{actions.title(action, expected)}: done ({isolate(card.comment.author_name)})."
    return _answer(card, data, message, actions.audit_name(action, expected), action.label.value)


def _reports_answered(dbs: Any, comment: Any, expected: State, data: dict[str, Any]) -> bool:
    """Tell whether the card acted on showed reports that a colleague has since answered
    ("Keep: dismiss reports" changes no state, so a take-down from the stale card went
    through and undid the colleague's decision; found in review)."""
    seen = whole_number(str(data.get("reports_seen") or ""))
    return (
        seen is not None
        and expected is State.PUBLISHED
        and reports.open_count(dbs, comment.id) == 0
    )


def _answer(
    card: cards.Card,
    data: dict[str, Any],
    message: str,
    action: str,
    label: str | None,
    **extra: Any,
) -> Any:
    """Answer an action done: JSON with the fresh card for ``fetch``, else a flash and a
    redirect to where the form came from."""
    if request.is_json:
        return jsonify(
            {
                "id": card.comment.id,
                "status": card.comment.state,
                "rejection": card.comment.rejection,
                "action": action,
                "label": label,
                **extra,
                "message": message,
                "card": render_template("moderation/_card.html", card=card),
            }
        )
    flash(message, "success")
    return redirect(safe_next(data.get("next")), code=303)


#: Not a change of state: keep a reported comment published and close its reports.
DISMISS = "dismiss"


def _dismiss(comment_id: str, data: dict[str, Any]) -> Any:
    """Keep a reported comment; 409 when it is no longer published or has no open report."""
    try:
        note = actions.clean_note(data.get("note"))
    except actions.InvalidAction as exc:
        raise ValidationFailed(fields=exc.fields) from exc
    with db().session() as dbs:
        comment, site = load_comment(dbs, comment_id)
        closed = 0
        seen = str(data.get("reports_seen") or "")
        up_to = whole_number(seen)
        if comment.state == "published" and data.get("expected") in (None, "", "published"):
            closed = reports.dismiss(dbs, comment, access.actor(), note, up_to)
        if not closed:
            newer = reports.open_count(dbs, comment.id) if comment.state == "published" else 0
            conflict = Conflict(
                "The reports you saw were answered meanwhile; newer ones wait: the card shows them."
                if newer
                else "This comment has no open report any more: someone else acted on it.",
                code="conflict",
            )
        else:
            card = cards.build_one(dbs, comment, site)
    if not closed:
        return _answer_conflict(conflict, data)
    remaining = card.reports.count if card.reports else 0
    message = f"Kept, {counted(closed, 'report')} dismissed ({isolate(card.comment.author_name)})."
    if remaining:
        message += (
            f" {counted(remaining, 'newer report')} still {'waits' if remaining == 1 else 'wait'}."
        )
    return _answer(card, data, message, "reports_dismissed", None, remaining=remaining)


#: The field error of a feature request on a comment that is not published.
NOT_PUBLISHED = {
    "code": "action_not_allowed",
    "message": "Only a published comment can be featured or unfeatured.",
}


def _feature(comment_id: str, data: dict[str, Any]) -> Any:
    """Feature or unfeature a published comment (no change of state); 409 when it is no
    longer published, 422 when the card showed it in another state."""
    action = str(data["action"])
    errors: dict[str, dict[str, str]] = {}
    if data.get("expected") not in (None, "", State.PUBLISHED.value):
        errors["action"] = NOT_PUBLISHED
    try:
        note = actions.clean_note(data.get("note"))
    except actions.InvalidAction as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    with db().session() as dbs:
        comment, site = load_comment(dbs, comment_id)
        if not data.get("expected") and comment.state != State.PUBLISHED.value:
            # nobody acted meanwhile: the comment never was published (found in review)
            raise ValidationFailed(fields={"action": NOT_PUBLISHED})
        done = featured.set_featured(dbs, comment_id, action, access.actor(), note)
        if done is None:
            conflict = _conflict(comment)
        else:
            card = cards.build_one(dbs, done.comment, site)
    if done is None:
        return _answer_conflict(conflict, data)
    enqueue_outboxes(queue(), done.deliveries, [])
    title = "Featured" if done.featured else "No longer featured"
    message = f"{title} ({isolate(card.comment.author_name)})."
    return _answer(card, data, message, action, None, featured=done.featured)


def _answer_conflict(conflict: Conflict, data: dict[str, Any]) -> BaseResponse:
    if request.is_json or not wants_html():
        raise conflict
    flash(conflict.message, "conflict")
    return redirect(safe_next(data.get("next")), code=303)


@bp.get("/comments/<comment_id>/card")
@access.login_required
def card(comment_id: str) -> str:
    """Return one comment's card as an HTML fragment (the queue refreshes a card with it)."""
    with db().session() as dbs:
        comment, site = load_comment(dbs, comment_id)
        built = cards.build_one(dbs, comment, site)
    return render_template("moderation/_card.html", card=built)


@bp.get("/comments/<comment_id>")
@access.login_required
def comment(comment_id: str) -> str:
    """Show one comment with its full history: every audit entry and label."""
    with db().session() as dbs:
        found, site = load_comment(dbs, comment_id)
        built = cards.build_one(dbs, found, site)
        history = list(
            dbs.scalars(
                select(AuditEntry)
                .where(AuditEntry.comment_id == comment_id)
                .order_by(AuditEntry.created_at, AuditEntry.id)
            )
        )
        labels = list(
            dbs.scalars(
                select(LabelRow).where(LabelRow.comment_id == comment_id).order_by(LabelRow.id)
            )
        )
        names = actor_names(dbs, [e.actor for e in history] + [lb.actor for lb in labels])
    return render_template(
        "moderation/comment.html", card=built, history=history, labels=labels, names=names
    )


def actor_names(dbs: Session, actors: list[str]) -> dict[str, str]:
    """Return a readable name for each ``user:<id>`` actor (its e-mail)."""
    ids = {n for a in actors if a.startswith("user:") and (n := whole_number(a[5:])) is not None}
    if not ids:
        return {}
    rows = dbs.execute(select(User.id, User.email).where(User.id.in_(ids))).all()
    return {f"user:{uid}": email for uid, email in rows}
