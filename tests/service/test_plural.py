"""Counts in words: the dashboard's, admin pages' and CLI's messages say "1 delivery",
"2 deliveries", never "delivery(ies)" (found in the screenshots' review)."""

from __future__ import annotations

import pytest

from service.plural import counted


@pytest.mark.parametrize(
    ("n", "noun", "said"),
    [
        (1, "delivery", "1 delivery"),
        (2, "failed delivery", "2 failed deliveries"),
        (0, "check record", "0 check records"),
        (1, "newer report", "1 newer report"),
        (3, "report", "3 reports"),
    ],
)
def test_a_count_takes_the_singular_only_for_one(n: int, noun: str, said: str) -> None:
    """One is singular; zero and more are plural, irregular plurals included."""
    assert counted(n, noun) == said
