"""Obfuscated variants of a comment score within a small margin of the clean text."""

from __future__ import annotations

import pytest

from models.scoring import Scorer, load_scorer

MARGIN = 0.15
VARIANTS = [
    ("spam", "free money at the casino tonight", "fr33 m0ney at the c.a.s.i.n.o tonight"),
    ("spam", "free money at the casino tonight", "ｆｒｅｅ ｍｏｎｅｙ at the casino tonight"),
    (
        "spam",
        "free money at the casino tonight",
        "f\u200dr\u200de\u200de money at the casino tonight",
    ),
    (
        "spam",
        "subscribe to my channel for free money",
        "s u b s c r i b e to my channel for fr33 money",
    ),
    ("toxicity", "fuck you, you idiot", "F U C K you, you idiot"),
    ("toxicity", "fuck you, you idiot", "f\u200bu\u200bc\u200bk you, you idiot"),
    ("toxicity", "fuck you, you idiot", "ｆｕｃｋ you, you idiot"),
    ("toxicity", "shut up you stupid idiot", "shut up you stup1d 1d10t"),
    ("toxicity", "shut up you stupid idiot", "s.h.u.t up you 𝓼𝓽𝓾𝓹𝓲𝓭 idiot"),
]


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    """Load the shipped scorer once."""
    return load_scorer()


@pytest.mark.parametrize(("task", "clean", "obfuscated"), VARIANTS)
def test_obfuscation_keeps_the_score(
    scorer: Scorer, task: str, clean: str, obfuscated: str
) -> None:
    """The obfuscated variant scores within MARGIN of the clean comment."""
    a, b = scorer.score([{"text": clean}, {"text": obfuscated}])
    assert abs(a[task] - b[task]) <= MARGIN, (a[task], b[task])


def test_reason_spans_point_at_the_obfuscated_characters(scorer: Scorer) -> None:
    """A reason for an obfuscated word highlights the characters as typed."""
    text = "you are a total F U C K I N G idiot"
    (result,) = scorer.score([{"text": text}])
    spans = [text[a:b] for r in result["reasons"] if r["span"] for a, b in [r["span"]]]
    assert any("F U C K" in s for s in spans) or "idiot" in spans, result["reasons"]
