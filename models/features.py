"""The scikit-learn side of the features: ``CommentFeatures``, used for training.

``CommentFeatures`` wraps the numpy featuriser of ``models.featurize`` in the estimator
contract and returns a sparse matrix: 2^n_bits hashed n-gram columns followed by the
structure columns. Scoring never imports this module; it applies the fitted weights to
the same ``featurize.analyze`` output directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from models.featurize import DOC_SHIFT, Batch, analyze
from models.signals import NAMES, SignalLists
from models.terms import KINDS


class CommentFeatures(TransformerMixin, BaseEstimator):
    """Hashed word 1–2-grams + char n-grams (l2-normalised blocks) + structure columns."""

    def __init__(
        self,
        n_bits: int = 20,
        char_ngrams: tuple[int, int] = (2, 5),
        word_ngrams: tuple[int, int] = (1, 2),
        sublinear_tf: bool = True,
        lists: dict[str, str] | None = None,
        terms: bool = True,
        drop: tuple[str, ...] = (),
        link_cross: float = 0.0,
    ):
        """Set hashing and n-gram parameters; ``lists`` are the curated signal lists.

        ``terms=False`` zeroes the spam-term columns (the toxicity model does not use
        them); the columns are still computed, so both models share one featurisation.
        ``drop`` zeroes the named structure columns (train-side experiments only).
        ``link_cross`` > 0 appends a second copy of the hashed n-gram block, scaled by it,
        for comments that contain a link (zero for the others): the model can weigh a
        word differently beside a link ("check out … http://" against "see … http://").
        """
        self.n_bits = n_bits
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.sublinear_tf = sublinear_tf
        self.lists = lists
        self.terms = terms
        self.drop = drop
        self.link_cross = link_cross

    def fit(self, X: Sequence[Any], y: Any = None) -> CommentFeatures:
        """Nothing to learn: the columns are hashed; record the output width.

        The numpy featuriser hashes word 1- and 2-grams and character n-grams of two or
        more characters; other ranges would be silently narrowed, so they are refused.
        """
        lo, hi = self.word_ngrams
        if not 1 <= lo <= hi <= 2:
            raise ValueError(f"word_ngrams must lie within (1, 2), got {self.word_ngrams}")
        if not 2 <= self.char_ngrams[0] <= self.char_ngrams[1]:
            raise ValueError(f"char_ngrams must start at 2 or more, got {self.char_ngrams}")
        self.n_features_out_ = 2**self.n_bits * (2 if self.link_cross else 1) + len(NAMES)
        return self

    def params(self) -> dict[str, Any]:
        """Return the featurisation parameters (without the lists)."""
        return {
            "n_bits": self.n_bits,
            "char_ngrams": list(self.char_ngrams),
            "word_ngrams": list(self.word_ngrams),
            "sublinear_tf": self.sublinear_tf,
        }

    def signal_lists(self) -> SignalLists:
        """Return the lookup sets of the curated lists (cached)."""
        cached = self.__dict__.get("_signals")
        if cached is None:
            cached = self.__dict__["_signals"] = SignalLists(self.lists or {})
        return cached

    def __getstate__(self) -> dict[str, Any]:
        """Drop the lookup cache when persisting."""
        return {k: v for k, v in self.__dict__.items() if k != "_signals"}

    def analyze(self, X: Sequence[Any]) -> Batch:
        """Return the featurised batch."""
        return analyze(X, self.params(), self.signal_lists())

    def transform(self, X: Sequence[Any]) -> sp.csr_matrix:
        """Return the feature matrix of a batch of texts or scoring items."""
        batch = self.analyze(X)
        linked = batch.linked * 1.0  # before ``drop`` could zero the column
        if not self.terms:
            batch.dense[:, [NAMES.index(kind) for kind in KINDS]] = 0.0
        if self.drop:
            batch.dense[:, [NAMES.index(name) for name in self.drop]] = 0.0
        out = matrix(batch)
        if not self.link_cross:
            return out
        copy = sp.diags(linked * self.link_cross) @ out[:, : 2**self.n_bits]
        return sp.hstack([out, copy], "csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return hashed column names, the structure feature names, then the link copy."""
        width = 2**self.n_bits
        copy = [f"link:hash{i}" for i in range(width)] if self.link_cross else []
        return np.array([f"hash{i}" for i in range(width)] + [f"s:{n}" for n in NAMES] + copy)


def matrix(batch: Batch) -> sp.csr_matrix:
    """Return the sparse feature matrix of an analysed batch."""
    n_rows = len(batch.texts)
    doc = batch.keys >> DOC_SHIFT
    indptr = np.searchsorted(doc, np.arange(n_rows + 1))
    hashed = sp.csr_matrix(
        (batch.values, batch.keys & ((1 << DOC_SHIFT) - 1), indptr),
        shape=(n_rows, 2**batch.n_bits),
    )
    dense = sp.csr_matrix(batch.dense.reshape(n_rows, len(NAMES)))
    return sp.hstack([hashed, dense], "csr")
