"""``POST /api/v1/comments/<id>/moderate``: a site's own tools decide, through ``transition()``.

Actions, the state they lead to and the label they record (training data), as
the dashboard records them (docs/moderation.md):

=====================  ===========================  ======
action                 new state                    label
=====================  ===========================  ======
``approve``            ``published``                ``ok``
``reject``             ``rejected`` (``moderator``)  ``ham``
``reject`` + toxic     ``rejected`` (``toxic``)      ``toxic``
``spam``               ``rejected`` (``spam``)       ``spam``
``ham``                ``published``                ``ham``
``feature``            (stays ``published``)        –
``unfeature``          (stays ``published``)        –
=====================  ===========================  ======

A plain ``reject`` is a human's "not here" that says nothing against the text
being legitimate (the dashboard's off-topic), hence ``ham``; with
``"reason": "toxic"`` it is the dashboard's toxic rejection. The caller names
the state it saw (``expected_status``); when the comment has moved on since,
nothing changes and the answer is 409; so it is when the caller names the text's
``revision`` it saw and its author has edited it since (an edit sends the comment back to
``pending`` and the worker may hold it again: both texts are ``held``, so the state alone
cannot tell them apart; the dashboard's cards send theirs likewise). ``feature`` and
``unfeature`` change no state (``service.featured``): they take ``"expected_status":
"published"`` and answer 409 when the comment was taken down meanwhile; asking for what
already holds changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify

from service import featured
from service.api import bp
from service.api.body import read_payload
from service.auth import request_key
from service.enqueue import enqueue_outboxes
from service.errors import Conflict, KeyUnauthorized, NotFound, ValidationFailed
from service.extensions import db, queue
from service.ids import looks_like_id
from service.lifecycle import Change, transition
from service.moderation.actions import MAX_NOTE  # one limit for the dashboard and the API
from service.status import Label, Rejection, State, can_move, restorable
from service.store.tables import Comment
from service.validation import field_error, has_controls, unknown_fields, validate_revision

#: action → (new state, rejection reason, label)
ACTIONS: dict[str, tuple[State, Rejection | None, Label]] = {
    "approve": (State.PUBLISHED, None, Label.OK),
    "reject": (State.REJECTED, Rejection.MODERATOR, Label.HAM),
    "spam": (State.REJECTED, Rejection.SPAM, Label.SPAM),
    "ham": (State.PUBLISHED, None, Label.HAM),
}
TOXIC_REJECT = (State.REJECTED, Rejection.TOXIC, Label.TOXIC)
REASONS = ("other", "toxic")
#: The fields of ``/moderate`` (any other is ``unknown_field``: the endpoint takes keys only).
FIELDS = ("action", "expected_status", "revision", "note", "reason")


@dataclass(frozen=True)
class Moderation:
    """A valid request: the action, the state and text revision seen (None: any), the note."""

    action: str
    expected: State
    note: str | None
    toxic: bool
    revision: int | None


def validate_moderation(payload: dict[str, Any]) -> Moderation:
    """Return the request, or raise 422 naming every bad field (an unknown one too)."""
    errors = unknown_fields(payload, FIELDS)
    revision = validate_revision(payload, errors)
    reason = payload.get("reason")
    if reason not in (None, "", *REASONS):
        errors["reason"] = {"code": "invalid_choice", "message": "Use other or toxic."}
    action = payload.get("action")
    if action is None or action == "":
        errors["action"] = {"code": "required", "message": "This field is required."}
    elif not isinstance(action, str):
        errors["action"] = {"code": "invalid_type", "message": "This field must be a string."}
    elif action not in ACTIONS and action not in featured.ACTIONS:
        errors["action"] = {
            "code": "invalid_choice",
            "message": f"Use one of: {', '.join([*ACTIONS, *featured.ACTIONS])}.",
        }
    expected = payload.get("expected_status")
    states = [s.value for s in State]
    if expected is None or expected == "":
        errors["expected_status"] = {"code": "required", "message": "This field is required."}
    elif not isinstance(expected, str):
        errors["expected_status"] = {
            "code": "invalid_type",
            "message": "This field must be a string.",
        }
    elif expected not in states:
        errors["expected_status"] = {
            "code": "invalid_choice",
            "message": f"Use one of: {', '.join(states)}.",
        }
    note = payload.get("note")
    if note is not None and not isinstance(note, str):
        errors["note"] = {"code": "invalid_type", "message": "This field must be a string."}
    elif isinstance(note, str) and len(note) > MAX_NOTE:
        errors["note"] = {
            "code": "too_long",
            "message": f"This field is too long (at most {MAX_NOTE} characters).",
        }
    elif isinstance(note, str) and has_controls(note, allow="\t\n\r", bidi=True):
        # A NUL was a 500 on PostgreSQL and went out in the webhook (found in review).
        errors["note"] = field_error("control_characters")
    if errors:
        raise ValidationFailed(fields=errors)
    toxic = reason == "toxic"
    if toxic and action != "reject":
        errors["reason"] = {"code": "invalid_choice", "message": "A reason goes with reject."}
    if errors:
        raise ValidationFailed(fields=errors)
    return Moderation(
        str(action), State(str(expected)), (note.strip() or None) if note else None, toxic, revision
    )


@bp.post("/comments/<comment_id>/moderate")
def moderate_comment(comment_id: str) -> Response:
    """Approve, reject, mark as spam or ham, feature or unfeature a comment of the key's site."""
    payload = read_payload()
    with db().session() as session:
        key = request_key(session, scope="moderate")
        if key is None:
            raise KeyUnauthorized("Send a site key with the moderate scope.", code="unauthorized")
        asked = validate_moderation(payload)
        comment = session.get(Comment, comment_id) if looks_like_id(comment_id) else None
        if comment is None or comment.site_id != key.site_id:
            raise NotFound("There is no such comment.", code="comment_not_found")
        if asked.action in ("approve", "ham") and not restorable(comment.rejection):
            raise Conflict(
                "Its author withdrew this comment and it was erased: it cannot be published again.",
                code="withdrawn",
            )
        mails: list[str] = []
        if asked.revision is not None and asked.revision > comment.revision:
            raise _unknown_revision(asked.revision, comment.revision)
        if asked.revision is not None and asked.revision != comment.revision:
            raise _edited(comment.revision)
        if asked.action in featured.ACTIONS:
            body, deliveries = _feature(session, comment_id, asked, key.actor)
        else:
            body, deliveries, mails = _decide(session, comment_id, asked, key.actor)
    enqueue_outboxes(queue(), deliveries, mails)
    return jsonify(body)


def _decide(
    session: Any, comment_id: str, asked: Moderation, actor: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Move the comment through ``transition()``; return the answer, the webhook outbox
    rows and the mail outbox rows."""
    action, expected = asked.action, asked.expected
    new, rejection, label = TOXIC_REJECT if asked.toxic else ACTIONS[action]
    if not can_move(expected, new):
        raise Conflict(
            f"A {expected.value} comment cannot be moved to {new.value} ({action}).",
            code="invalid_transition",
        )
    outcome = transition(
        session,
        comment_id,
        Change(
            expected=expected,
            new=new,
            actor=actor,
            action=action,
            rejection=rejection,
            note=asked.note,
            label=label,
            label_source="api",
            revision=asked.revision,
        ),
    )
    if outcome is None:
        raise _conflict(session, comment_id, expected, asked.revision)
    return _answer(outcome.comment, action, label.value), outcome.deliveries, outcome.mails


def _feature(
    session: Any, comment_id: str, asked: Moderation, actor: str
) -> tuple[dict[str, Any], list[str]]:
    """Feature or unfeature a published comment; return the answer and the outbox rows."""
    action, expected = asked.action, asked.expected
    if expected is not State.PUBLISHED:
        raise Conflict(
            f"Only a published comment can be featured or unfeatured, not a {expected.value} one.",
            code="invalid_transition",
        )
    done = featured.set_featured(
        session, comment_id, action, actor, asked.note, revision=asked.revision
    )
    if done is None:
        raise _conflict(session, comment_id, expected, asked.revision)
    return _answer(done.comment, action, None), done.deliveries


def _unknown_revision(asked: int, current: int) -> ValidationFailed:
    """A revision the comment never had: nobody read it, so no edit can explain it (it was
    a 409 saying its author had edited the comment since); the caller sent a wrong number.
    A 422 with the field error the malformed ones already get, so clients see no new code."""
    message = (
        f"This comment has no revision {asked}: its text is at revision {current}. Send the "
        "revision you read (GET /api/v1/comments/{id} has it); nothing was changed."
    )
    return ValidationFailed(fields={"revision": {"code": "invalid_revision", "message": message}})


def _edited(current: int) -> Conflict:
    return Conflict(
        f"Its author edited this comment since you read it (its text is now revision "
        f"{current}): read it again; nothing was changed.",
        code="conflict",
    )


def _conflict(
    session: Any, comment_id: str, expected: State, revision: int | None = None
) -> Conflict:
    current = session.get(Comment, comment_id, populate_existing=True)
    if current is not None and revision is not None and current.revision != revision:
        return _edited(current.revision)
    now = current.state if current else "gone"
    return Conflict(
        f"The comment is {now} now, not {expected.value}; nothing was changed.", code="conflict"
    )


def _answer(comment: Comment, action: str, label: str | None) -> dict[str, Any]:
    return {
        "id": comment.id,
        "status": comment.state,
        "rejection": comment.rejection,
        "action": action,
        "label": label,
        "featured": comment.featured_at is not None,
    }
