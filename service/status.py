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


def can_move(current: State, new: State) -> bool:
    """Tell whether ``current`` may change to ``new``."""
    return new in TRANSITIONS[current]
