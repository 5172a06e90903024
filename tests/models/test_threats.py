"""Threat phrasing without profanity becomes a structure column, found where it is typed."""

from __future__ import annotations

import numpy as np
import pytest

from models.featurize import analyze
from models.signals import NAMES, SignalLists
from models.text import normalize_text
from models.threats import THREAT_RE

THREATS = [
    "Watch your back.",
    "I know where you live.",
    "I will find you.",
    "We're going to hunt you down",
    "I'll make you pay for this",
    "You will regret this",
    "you're dead meat",
    "Your days are numbered",
    "Keep it up and see what happens to your car",
    "Someone should teach you a lesson",
    "I'll show up at your door",
    "People like that should be dealt with",
    "I'm coming for you",
    "Sleep with one eye open",
    "They'll put you in the hospital",
    "I hope you die",
    "kys",
    "I will kill him",
]
BENIGN = [
    "I'll get back to you tomorrow",
    "I will find you the link",
    "Watch the back row",
    "We know where the office is",
    "You will enjoy this article",
    "The report should be published soon",
]


def _threat_column(texts: list[str]) -> np.ndarray:
    batch = analyze(texts, {}, SignalLists({}))
    return batch.dense[:, NAMES.index("threat")]


def test_threat_constructions_set_the_column_and_ordinary_text_does_not() -> None:
    """Each listed construction fires; similar ordinary sentences do not."""
    assert _threat_column(THREATS).tolist() == [1.0] * len(THREATS)
    assert _threat_column(BENIGN).tolist() == [0.0] * len(BENIGN)


@pytest.mark.parametrize("text", THREATS + BENIGN)
def test_word_prefilter_never_hides_a_match(text: str) -> None:
    """The trigger/target word tests let through every text the expression matches."""
    expected = THREAT_RE.search(normalize_text(text)) is not None
    assert bool(_threat_column([text])[0]) == expected


def test_obfuscated_threat_is_found_and_spanned_as_typed() -> None:
    """Leetspeak and spacing are normalised first; the span covers the original characters."""
    text = "ok. w4tch y0ur b4ck, friend"
    batch = analyze([text], {}, SignalLists({}))
    (hit,) = [h for h in batch.hits[0] if h.feature == "threat"]
    assert hit.span is not None and text[hit.span[0] : hit.span[1]] == "w4tch y0ur b4ck"
