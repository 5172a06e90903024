"""A site's decision policy and the pure ``decide(scores, rules, policy)`` that applies it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.status import Rejection, State

MODES = ("pre", "post", "auto")
SCORES = ("spam", "toxicity")

DEFAULT_POLICY: dict[str, Any] = {
    "mode": "auto",
    "publish_below": {"spam": 0.5, "toxicity": 0.5},
    "reject_above": {"spam": 0.95, "toxicity": 0.98},
    "form_token": "signal",
    "new_authors": "score",
}
#: What the worker does with a first comment from an e-mail address the site has never
#: published: ``score`` it like any other, or ``hold`` it for a person (WordPress's
#: "comment author must have a previously approved comment", Coral's new-commenter review).
NEW_AUTHORS = ("score", "hold")


class PolicyError(ValueError):
    """A policy that cannot be applied (unknown mode, thresholds out of order)."""


def normalise_policy(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Fill a policy's gaps from the defaults and check it; raise ``PolicyError`` if wrong."""
    raw = raw or {}
    policy: dict[str, Any] = {
        "mode": raw.get("mode", DEFAULT_POLICY["mode"]),
        "form_token": raw.get("form_token", DEFAULT_POLICY["form_token"]),
        "new_authors": raw.get("new_authors", DEFAULT_POLICY["new_authors"]),
    }
    for bound in ("publish_below", "reject_above"):
        given = raw.get(bound) or {}
        policy[bound] = {}
        for score in SCORES:
            value = given.get(score, DEFAULT_POLICY[bound][score])
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise PolicyError(f"{bound}.{score} must be a number in [0, 1]")
            policy[bound][score] = float(value)
    if policy["mode"] not in MODES:
        raise PolicyError(f"mode must be one of {', '.join(MODES)}")
    if policy["form_token"] not in ("signal", "required"):
        raise PolicyError("form_token must be 'signal' or 'required'")
    if policy["new_authors"] not in NEW_AUTHORS:
        raise PolicyError("new_authors must be 'score' or 'hold'")
    for score in SCORES:
        if policy["publish_below"][score] > policy["reject_above"][score]:
            raise PolicyError(f"publish_below.{score} must not exceed reject_above.{score}")
    return policy


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that decides on its own, before any score (a ban, a bot trap)."""

    rejection: Rejection
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a comment, and why, in words a moderator can read."""

    state: State
    rejection: Rejection | None
    summary: list[str]
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        """Return ``publish``, ``hold`` or ``reject``."""
        return {State.PUBLISHED: "publish", State.HELD: "hold"}.get(self.state, "reject")


def decide(
    scores: Mapping[str, Any],
    rules: Sequence[RuleHit],
    policy: Mapping[str, Any],
    holds: Sequence[str] = (),
) -> Decision:
    """Decide publish, hold or reject from the scores, the rule hits and the site's policy.

    ``holds`` are reasons to let a person look before publishing (a reused form token):
    in ``auto`` mode they turn a publish into a hold; they never reject, and ``post``
    mode, which publishes everything not rejected, ignores them.
    """
    thresholds = {
        "mode": policy["mode"],
        "publish_below": dict(policy["publish_below"]),
        "reject_above": dict(policy["reject_above"]),
    }
    if rules:
        first = sorted(rules, key=lambda r: _RULE_ORDER.index(r.rejection))[0]
        return Decision(State.REJECTED, first.rejection, [r.reason for r in rules], thresholds)

    over = [s for s in SCORES if float(scores[s]) >= policy["reject_above"][s]]
    if over:
        worst = max(over, key=lambda s: float(scores[s]) - policy["reject_above"][s])
        summary = [
            _line(s, scores[s], "at or above the reject threshold", policy["reject_above"][s])
            for s in over
        ]
        rejection = Rejection.SPAM if worst == "spam" else Rejection.TOXIC
        return Decision(State.REJECTED, rejection, summary, thresholds)

    doubtful = [s for s in SCORES if float(scores[s]) >= policy["publish_below"][s]]
    summary = [
        _line(s, scores[s], "at or above the publish threshold", policy["publish_below"][s])
        for s in doubtful
    ]
    if policy["mode"] == "pre":
        return Decision(
            State.HELD,
            None,
            [
                "this thread's comments are reviewed before publishing"
                if policy.get("mode_source") == "thread"
                else "the site reviews every comment before publishing",
                *holds,
                *summary,
            ],
            thresholds,
        )
    if policy["mode"] == "auto" and holds:
        return Decision(State.HELD, None, [*holds, *summary], thresholds)
    if policy["mode"] == "post" or not doubtful:
        if not summary:
            summary = ["scores below the publish thresholds"]
        return Decision(State.PUBLISHED, None, summary, thresholds)
    return Decision(State.HELD, None, summary, thresholds)


_RULE_ORDER = [
    Rejection.BANNED,
    Rejection.BOT,
    Rejection.RULE,
    Rejection.SPAM,
    Rejection.TOXIC,
    Rejection.MODERATOR,
]


def shown(value: float) -> str:
    """A score with two decimals, rounded down: a score below a threshold never reads as
    the threshold (0.97997 read "0.98" beside a reject threshold of 0.98; found in review)."""
    return f"{math.floor(float(value) * 100 + 1e-9) / 100:.2f}"


def _line(score: str, value: Any, relation: str, threshold: float) -> str:
    return f"{score} score {shown(value)} is {relation} {threshold:.2f}"
