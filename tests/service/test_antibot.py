"""The form token and honeypot verdicts (pure: a secret and a clock passed in)."""

from __future__ import annotations

from typing import Any

import pytest

from service import antibot

SECRET = "a-secret"
T0 = 1_800_000_000.0


def verdict(token: Any, *, now: float = T0 + 60, site: str = "s", thread: str = "t") -> str:
    return antibot.check_token(
        SECRET, token, site=site, thread=thread, now=now, min_seconds=3, max_age=3600
    )


def test_a_token_for_this_thread_filled_in_time_is_valid() -> None:
    """A token issued for the site and thread, used after the minimum fill time, is valid."""
    assert verdict(antibot.issue_token(SECRET, "s", "t", T0)) == "valid"


def test_no_token_is_missing() -> None:
    """No token at all (a plain API client) is 'missing', not 'invalid'."""
    assert verdict(None) == "missing"
    assert verdict("") == "missing"


def test_a_token_used_within_the_minimum_fill_time_is_too_fast() -> None:
    """A form sent two seconds after its token was issued is 'too_fast'."""
    assert verdict(antibot.issue_token(SECRET, "s", "t", T0), now=T0 + 2) == "too_fast"


@pytest.mark.parametrize(
    ("token", "kwargs"),
    [
        (antibot.issue_token("another-secret", "s", "t", T0), {}),
        (antibot.issue_token(SECRET, "s", "t", T0) + "x", {}),
        ("not-a-token", {}),
        (12345, {}),
        ("a" * 1000, {}),
        (antibot.issue_token(SECRET, "other-site", "t", T0), {}),
        (antibot.issue_token(SECRET, "s", "another-thread", T0), {}),
        (antibot.issue_token(SECRET, "s", "t", T0), {"now": T0 + 3601}),
    ],
    ids=["forged", "tampered", "garbage", "not-a-string", "oversized", "site", "thread", "expired"],
)
def test_forged_expired_or_foreign_tokens_are_invalid(token: Any, kwargs: dict[str, Any]) -> None:
    """Forged, tampered, expired tokens and tokens for another site or thread are 'invalid'."""
    assert verdict(token, **kwargs) == "invalid"


def test_signals_record_a_filled_honeypot_but_never_its_value() -> None:
    """A filled honeypot sets honeypot=True; the value typed into it is not kept."""
    found = antibot.signals(
        {antibot.HONEYPOT_FIELD: "http://spam.example"},
        secret_key=SECRET,
        site="s",
        thread="t",
        now=T0,
        min_seconds=3,
        max_age=3600,
    )
    assert found == {"form_token": "missing", "honeypot": True}
    assert "spam.example" not in repr(found)


@pytest.mark.parametrize(("value", "filled"), [("", False), ("   ", False), ("x", True), (1, True)])
def test_honeypot_counts_as_filled_only_with_content(value: Any, filled: bool) -> None:
    """An empty or blank honeypot is not filled; any text or non-string value is."""
    assert antibot.honeypot_filled({antibot.HONEYPOT_FIELD: value}) is filled
    assert antibot.honeypot_filled({}) is False


def test_tokens_are_unique_even_within_one_second() -> None:
    """Two readers opening the same thread in the same second get different tokens
    (so one's comment cannot mark the other's token used), both valid."""
    first = antibot.issue_token(SECRET, "s", "t", T0)
    second = antibot.issue_token(SECRET, "s", "t", T0)
    assert first != second
    assert antibot.claim_key(SECRET, first) != antibot.claim_key(SECRET, second)
    assert verdict(first) == verdict(second) == "valid"


@pytest.mark.parametrize("junk", ["!!!!", "====", "~~~~"])
def test_junk_appended_to_a_token_does_not_make_it_a_new_one(junk: str) -> None:
    """The decoder skips characters outside base64, so the edited token still verifies; it
    must still count as the same token (review finding: a used token passed again)."""
    token = antibot.issue_token(SECRET, "s", "t", T0)
    edited = token + junk
    assert verdict(edited) == "valid"
    assert antibot.claim_key(SECRET, edited) == antibot.claim_key(SECRET, token)


def test_a_renewed_token_keeps_the_time_the_reader_already_spent() -> None:
    """A form sent back after a refused post gets a new token (another nonce) issued when
    the first one was: a reader who fixes a typo at once is not taken for a bot. A token
    that is not ours, another thread's or expired is not trusted for its time."""
    first = antibot.issue_token(SECRET, "s", "t", T0)
    renewed = antibot.renew_token(
        SECRET, first, site="s", thread="t", now=T0 + 2, max_age=3600, min_seconds=3
    )
    assert renewed != first
    assert antibot.claim_key(SECRET, renewed) != antibot.claim_key(SECRET, first)
    assert verdict(renewed, now=T0 + 3.5) == "valid"
    for sent in (
        antibot.issue_token("another-secret", "s", "t", T0),
        antibot.issue_token(SECRET, "s", "another-thread", T0),
        antibot.issue_token(SECRET, "s", "t", T0 - 3601),
        None,
    ):
        fresh = antibot.renew_token(
            SECRET, sent, site="s", thread="t", now=T0 + 2, max_age=3600, min_seconds=3
        )
        assert verdict(fresh, now=T0 + 3.5) == "too_fast"
        assert verdict(fresh, now=T0 + 5) == "valid"


def test_a_renewed_token_lives_as_long_as_a_fresh_one() -> None:
    """The time already spent counts up to the minimum fill time only: a form that came
    back with a token a minute from its end got a renewed one that expired two minutes
    later, and the fixed comment was rejected as a bot's (found in review)."""
    old = antibot.issue_token(SECRET, "s", "t", T0)
    now = T0 + 3600 - 60
    renewed = antibot.renew_token(
        SECRET, old, site="s", thread="t", now=now, max_age=3600, min_seconds=3
    )
    assert verdict(renewed, now=now + 120) == "valid"
    assert verdict(renewed, now=now + 1) == "valid"  # the 3 s were spent long ago
