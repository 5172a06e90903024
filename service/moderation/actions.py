"""What a moderator can do to a comment, as data: each action's moves, rejection and label. Pure.

==========  ========================  =========  =========  =====  ===============
action      from                      to         rejection  label  audit action
==========  ========================  =========  =========  =====  ===============
approve     pending, held, rejected   published  –          ok     approve
ham         pending, held, rejected   published  –          ham    ham
spam        pending, held, published  rejected   spam       spam   spam
toxic       pending, held, published  rejected   toxic      toxic  reject_toxic
offtopic    pending, held, published  rejected   moderator  ham    reject_offtopic
==========  ========================  =========  =========  =====  ===============

From ``published`` the audit action is ``takedown`` (with the reason in its details).
An off-topic comment is labelled ``ham``: a human said it is not spam, and made no
toxicity call.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.lifecycle import Change
from service.status import Label, Rejection, State, restorable
from service.validation import has_controls

MAX_NOTE = 1000


@dataclass(frozen=True, slots=True)
class Action:
    """One moderator action."""

    name: str
    title: str
    key: str
    new: State
    rejection: Rejection | None
    label: Label
    allowed_from: frozenset[State]
    style: str


_OPEN = frozenset({State.PENDING, State.HELD})
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("approve", "Approve", "a", State.PUBLISHED, None, Label.OK,
               _OPEN | {State.REJECTED}, "good"),
        Action("ham", "Not spam", "n", State.PUBLISHED, None, Label.HAM,
               _OPEN | {State.REJECTED}, "good"),
        Action("spam", "Spam", "s", State.REJECTED, Rejection.SPAM, Label.SPAM,
               _OPEN | {State.PUBLISHED}, "bad"),
        Action("toxic", "Reject: toxic", "r", State.REJECTED, Rejection.TOXIC, Label.TOXIC,
               _OPEN | {State.PUBLISHED}, "bad"),
        Action("offtopic", "Reject: off-topic", "o", State.REJECTED, Rejection.MODERATOR,
               Label.HAM, _OPEN | {State.PUBLISHED}, "warn"),
    )
}  # fmt: skip

TAKEDOWN_TITLES = {
    "spam": "Take down: spam",
    "toxic": "Take down: toxic",
    "offtopic": "Take down: off-topic",
}
#: What becomes of a comment an action is confirmed for ("… will be rejected as spam").
EFFECTS = {
    "approve": "published",
    "ham": "published as not spam",
    "spam": "rejected as spam",
    "toxic": "rejected as toxic",
    "offtopic": "rejected as off-topic",
}
TAKEDOWN_EFFECTS = {
    "spam": "taken down (removed from its thread) as spam",
    "toxic": "taken down (removed from its thread) as toxic",
    "offtopic": "taken down (removed from its thread) as off-topic",
}


class InvalidAction(ValueError):
    """A request naming an action that does not apply; ``fields`` says why, field by field."""

    def __init__(self, fields: dict[str, dict[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {v['message']}" for k, v in fields.items()))
        self.fields = fields


def _err(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def audit_name(action: Action, expected: State) -> str:
    """Return the audit log's name for ``action`` taken on a comment in ``expected``."""
    if expected is State.PUBLISHED and action.new is State.REJECTED:
        return "takedown"
    return {"toxic": "reject_toxic", "offtopic": "reject_offtopic"}.get(action.name, action.name)


def title(action: Action, state: State) -> str:
    """Return what ``action`` is called on a comment in ``state``: rejecting a published
    comment is taking it down."""
    if state is State.PUBLISHED and action.name in TAKEDOWN_TITLES:
        return TAKEDOWN_TITLES[action.name]
    return action.title


def effect(action: Action, state: State) -> str:
    """Say what becomes of a comment in ``state`` that ``action`` is applied to."""
    if state is State.PUBLISHED and action.name in TAKEDOWN_EFFECTS:
        return TAKEDOWN_EFFECTS[action.name]
    return EFFECTS[action.name]


#: Why a comment its author withdrew offers no action (a card, a refused request).
WITHDRAWN = (
    "Its author withdrew this comment and its text and details were erased: it cannot be "
    "published again."
)


def available(state: str, rejection: str | None) -> list[tuple[Action, str]]:
    """Return the actions (with their button titles) offered on a card in ``state``: none
    for a comment its author withdrew."""
    current = State(state)
    if current is State.REJECTED and not restorable(rejection):
        return []
    offered = []
    for action in ACTIONS.values():
        if current not in action.allowed_from:
            continue
        if current is State.REJECTED and action.name == "ham" and rejection != Rejection.SPAM:
            continue
        if current is State.REJECTED and action.name == "approve" and rejection == Rejection.SPAM:
            continue
        offered.append((action, title(action, current)))
    return offered


def parse(action_name: str | None, expected: str | None) -> tuple[Action, State]:
    """Return the action and expected state named in a request; raise ``InvalidAction``."""
    errors: dict[str, dict[str, str]] = {}
    action = ACTIONS.get(action_name or "")
    if action is None:
        every = [*ACTIONS, "dismiss", "feature", "unfeature"]  # the last three: act.py
        errors["action"] = _err("invalid_action", f"Choose one of: {', '.join(every)}.")
    state = None
    try:
        state = State(expected or "")
    except ValueError:
        errors["expected"] = _err(
            "invalid_state", "Send the state the comment had when you saw it."
        )
    if action is not None and state is not None and state not in action.allowed_from:
        errors["action"] = _err(
            "action_not_allowed", f"{action.title} does not apply to a {state.value} comment."
        )
    if errors or action is None or state is None:
        raise InvalidAction(errors)
    return action, state


def change(action: Action, expected: State, actor: str, note: str | None) -> Change:
    """Return the lifecycle change for ``action`` on a comment the moderator saw in ``expected``."""
    name = audit_name(action, expected)
    return Change(
        expected=expected,
        new=action.new,
        actor=actor,
        action=name,
        rejection=action.rejection,
        note=note or None,
        label=action.label,
        details={"reason": action.name} if name == "takedown" else {},
    )


def clean_note(raw: object) -> str | None:
    """Return a trimmed note, or None; raise ``InvalidAction`` when it is too long or not text."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidAction({"note": _err("invalid_type", "The note must be text.")})
    note = raw.strip()
    if len(note) > MAX_NOTE:
        raise InvalidAction(
            {"note": _err("too_long", f"The note is too long (at most {MAX_NOTE}).")}
        )
    if has_controls(note, allow="\t\n\r", bidi=True):
        raise InvalidAction(
            {"note": _err("control_characters", "Remove the control characters from the note.")}
        )
    return note or None
