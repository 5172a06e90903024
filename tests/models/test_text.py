"""Normalisation folds obfuscation and maps every character back to the original."""

from __future__ import annotations

import pytest

from models.text import normalize, normalize_text, original_span

CASES = [
    ("fr33 m0ney", "free money"),
    ("c.a.s.i.n.o", "casino"),
    ("F U C K you", "fuck you"),
    ("f\u200bu\u200dc\u200bk", "fuck"),
    ("ＦＲＥＥ ｍｏｎｅｙ", "free money"),
    ("𝓯𝓻𝓮𝓮 𝓶𝓸𝓷𝓮𝔂", "free money"),
    ("рaypal", "paypal"),  # Cyrillic р inside a Latin word
    ("v1agra and c1alis", "viagra and cialis"),
    ("Fuuuuuck!!!!!", "fuuck!!"),
    ("Café   résumé", "cafe resume"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_obfuscation_is_folded(raw: str, expected: str) -> None:
    """Leetspeak, spacing, zero-width, full-width, fancy fonts and homoglyphs fold away."""
    assert normalize_text(raw) == expected


def test_plain_text_numbers_and_cyrillic_are_kept() -> None:
    """Numbers, prices, mentions, e-mails and whole Cyrillic words are not rewritten."""
    assert normalize_text("Call 555 1234, $100, @USER") == "call 555 1234, $100, @user"
    assert normalize_text("bob@gmail.com") == "bob@gmail.com"
    assert normalize_text("Привет мир") == "привет мир"


@pytest.mark.parametrize(
    ("raw", "word", "original"),
    [
        ("I love f\u200bu\u200bc\u200bk you", "fuck", "f\u200bu\u200bc\u200bk"),
        ("go to c.a.s.i.n.o now", "casino", "c.a.s.i.n.o"),
        ("you Fuuuuuck", "fuuck", "Fuuuuuck"),
        ("ＦＲＥＥ ｍｏｎｅｙ", "money", "ｍｏｎｅｙ"),
    ],
)
def test_spans_map_back_to_the_original_text(raw: str, word: str, original: str) -> None:
    """A word found in normalised text maps to the exact characters the author typed."""
    norm, offsets = normalize(raw)
    start = norm.index(word)
    a, b = original_span(offsets, start, start + len(word), len(raw))
    assert raw[a:b] == original


def test_offsets_cover_every_normalised_character() -> None:
    """The offset map has one increasing original index per normalised character."""
    raw = "S\u200bP A M!!!!!  \n\n fr33 𝓯𝓻𝓮𝓮"
    norm, offsets = normalize(raw)
    assert offsets is not None and len(offsets) == len(norm)
    assert offsets == sorted(offsets) and offsets[-1] < len(raw)
