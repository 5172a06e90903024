"""The pure decision: scores + rule hits + a site's policy → publish, hold or reject, with reasons."""

from __future__ import annotations

import pytest

from service.policy import DEFAULT_POLICY, PolicyError, RuleHit, decide, normalise_policy
from service.status import Rejection, State

AUTO = normalise_policy(DEFAULT_POLICY)


def scores(spam: float, toxicity: float) -> dict[str, float]:
    return {"spam": spam, "toxicity": toxicity}


@pytest.mark.parametrize(
    ("spam", "tox", "state", "rejection"),
    [
        (0.1, 0.1, State.PUBLISHED, None),
        (0.49, 0.49, State.PUBLISHED, None),
        (0.5, 0.1, State.HELD, None),
        (0.1, 0.7, State.HELD, None),
        (0.95, 0.1, State.REJECTED, Rejection.SPAM),
        (0.1, 0.99, State.REJECTED, Rejection.TOXIC),
        (0.96, 0.999, State.REJECTED, Rejection.TOXIC),
    ],
)
def test_auto_mode_uses_both_thresholds(
    spam: float, tox: float, state: State, rejection: Rejection | None
) -> None:
    """auto publishes under publish_below, rejects at reject_above (the larger excess names it), holds between."""
    decision = decide(scores(spam, tox), [], AUTO)
    assert (decision.state, decision.rejection) == (state, rejection)
    assert decision.summary


def test_held_reasons_name_the_score_and_threshold() -> None:
    """A hold says which score crossed which threshold, in words."""
    decision = decide(scores(0.72, 0.1), [], AUTO)
    assert decision.summary == ["spam score 0.72 is at or above the publish threshold 0.50"]
    assert decision.thresholds["publish_below"] == {"spam": 0.5, "toxicity": 0.5}


def test_pre_moderation_holds_everything_not_rejected() -> None:
    """pre holds a clean comment, still rejects blatant spam."""
    pre = normalise_policy({"mode": "pre"})
    assert decide(scores(0.01, 0.01), [], pre).state is State.HELD
    assert decide(scores(0.99, 0.01), [], pre).state is State.REJECTED


def test_post_moderation_publishes_everything_not_rejected() -> None:
    """post publishes a doubtful comment, still rejects blatant spam."""
    post = normalise_policy({"mode": "post"})
    assert decide(scores(0.8, 0.8), [], post).state is State.PUBLISHED
    assert decide(scores(0.99, 0.01), [], post).rejection is Rejection.SPAM


def test_rules_decide_before_scores_banned_first() -> None:
    """A rule hit rejects even a clean comment; a ban outranks a bot trap."""
    hits = [RuleHit(Rejection.BOT, "honeypot"), RuleHit(Rejection.BANNED, "banned email")]
    decision = decide(scores(0.0, 0.0), hits, AUTO)
    assert (decision.state, decision.rejection) == (State.REJECTED, Rejection.BANNED)
    assert decision.summary == ["honeypot", "banned email"]


def test_holds_turn_a_publish_into_a_hold_in_auto_mode_only() -> None:
    """A hold reason (a reused token) holds a clean comment in auto, never rejects, and
    post mode still publishes; the reason leads the summary."""
    why = ["the form token was already used by an earlier comment"]
    held = decide(scores(0.1, 0.1), [], AUTO, why)
    assert (held.state, held.rejection) == (State.HELD, None)
    assert held.summary[0] == why[0]
    assert decide(scores(0.99, 0.1), [], AUTO, why).rejection is Rejection.SPAM
    post = normalise_policy({"mode": "post"})
    assert decide(scores(0.1, 0.1), [], post, why).state is State.PUBLISHED
    pre = normalise_policy({"mode": "pre"})
    assert why[0] in decide(scores(0.1, 0.1), [], pre, why).summary


@pytest.mark.parametrize(
    "raw",
    [
        {"mode": "sometimes"},
        {"publish_below": {"spam": 1.5}},
        {"publish_below": {"spam": 0.9}, "reject_above": {"spam": 0.8}},
        {"form_token": "maybe"},
        {"reject_above": {"toxicity": "high"}},
    ],
)
def test_invalid_policies_are_refused(raw: dict[str, object]) -> None:
    """Unknown modes, out-of-range or inverted thresholds raise PolicyError."""
    with pytest.raises(PolicyError):
        normalise_policy(raw)


def test_policy_gaps_are_filled_from_the_defaults() -> None:
    """A partial policy keeps what it sets and takes the rest from the defaults."""
    policy = normalise_policy({"mode": "pre", "publish_below": {"spam": 0.3}})
    assert policy["publish_below"] == {"spam": 0.3, "toxicity": 0.5}
    assert policy["reject_above"] == DEFAULT_POLICY["reject_above"]


def test_scores_are_shown_rounded_down_so_they_never_read_as_their_threshold() -> None:
    """0.97997 under a 0.98 reject threshold reads 0.97, not 0.98 (found in review); exact
    two-decimal values stay as they are despite binary floating point."""
    from service.policy import shown

    assert shown(0.97997) == "0.97"
    assert shown(0.4983) == "0.49"
    assert [shown(v) for v in (0.29, 0.5, 0.57, 1.0, 0.0)] == [
        "0.29",
        "0.50",
        "0.57",
        "1.00",
        "0.00",
    ]
