"""The comment lifecycle: states, rejection reasons, labels and the allowed transitions."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a comment is in its life; stored as its value."""

    PENDING = "pending"
    HELD = "held"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Rejection(StrEnum):
    """Why a rejected comment was rejected."""

    SPAM = "spam"
    TOXIC = "toxic"
    BANNED = "banned"
    RULE = "rule"
    BOT = "bot"
    MODERATOR = "moderator"
    #: The author withdrew (deleted) their comment inside the edit window; its text and
    #: personal data are erased, and no moderator can publish it again.
    WITHDRAWN = "withdrawn"


class Label(StrEnum):
    """A human verdict kept apart from the state, as training data."""

    SPAM = "spam"
    HAM = "ham"
    TOXIC = "toxic"
    OK = "ok"


#: The one table of allowed moves (CONTRACTS.md, "Comment states").
TRANSITIONS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.PUBLISHED, State.HELD, State.REJECTED}),
    State.HELD: frozenset({State.PUBLISHED, State.REJECTED}),
    State.PUBLISHED: frozenset({State.REJECTED}),
    State.REJECTED: frozenset({State.PUBLISHED}),
}


#: Moves only an author's edit of their own comment makes, inside the edit window: the
#: edited text goes back to the classifier (an extension of CONTRACTS.md's table;
#: docs/contracts.md, "Authors edit and withdraw their comments"). A pending comment edited
#: stays pending (a new revision of its text).
AUTHOR_EDITS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.PENDING}),
    State.HELD: frozenset({State.PENDING}),
    State.PUBLISHED: frozenset({State.PENDING}),
    State.REJECTED: frozenset(),
}


def can_move(
    current: State, new: State, *, author_edit: bool = False, withdrawal: bool = False
) -> bool:
    """Tell whether ``current`` may change to ``new``; ``author_edit``: by an author's edit;
    ``withdrawal``: by an author's withdrawal, which moves any state to rejected
    (``withdrawn``), a comment the classifier rejected included (``service.edits`` refuses
    one a human rejected)."""
    if withdrawal:
        return new is State.REJECTED
    return new in (AUTHOR_EDITS if author_edit else TRANSITIONS)[current]


def restorable(rejection: str | None) -> bool:
    """Tell whether a rejected comment may be published again: not once its author withdrew it."""
    return rejection != Rejection.WITHDRAWN.value
