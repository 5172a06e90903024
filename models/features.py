"""Feature extraction for comments: hashed word and character n-grams."""

from __future__ import annotations

from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.pipeline import FeatureUnion

from models.text import normalize

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
TOKEN_PATTERN = r"(?u)\b\w\w*\b"


def word_vectorizer() -> HashingVectorizer:
    """Return the hashed word 1–2-gram vectorizer."""
    return HashingVectorizer(
        preprocessor=normalize,
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 2),
        n_features=WORD_FEATURES,
        alternate_sign=False,
        norm="l2",
        dtype="float32",
    )


def char_vectorizer() -> HashingVectorizer:
    """Return the hashed character 2–5-gram vectorizer (within word boundaries)."""
    return HashingVectorizer(
        preprocessor=normalize,
        analyzer="char_wb",
        ngram_range=(2, 5),
        n_features=CHAR_FEATURES,
        alternate_sign=False,
        norm="l2",
        dtype="float32",
    )


def text_features() -> FeatureUnion:
    """Return the union of word and character n-gram features."""
    return FeatureUnion([("word", word_vectorizer()), ("char", char_vectorizer())])
