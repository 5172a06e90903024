"""Comment features: hashed word and character n-grams of normalised text + structure.

``CommentFeatures`` is a stateless-by-design scikit-learn transformer (its only fitted
state is the curated signal lists). It hashes n-grams for a whole batch at once with
numpy (a polynomial rolling hash over code points), which is several times faster than
``HashingVectorizer`` and keeps each n-gram's position for the explanations.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from models.signals import NAMES, Hit, SignalLists
from models.text import normalize

_P = np.uint64(0x100000001B3)
_P_INV = np.uint64(pow(0x100000001B3, -1, 2**64))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEP = 2  # code point joining documents in a batch
_WORD_ASCII = np.array([chr(i).isalnum() or chr(i) in "_'" for i in range(128)], dtype=bool)
_WORD_CACHE: dict[int, bool] = {}


def _is_word(code: int) -> bool:
    if code not in _WORD_CACHE:
        _WORD_CACHE[code] = unicodedata.category(chr(code))[0] in "LN" or code in (0x2019,)
    return _WORD_CACHE[code]


def text_of(item: str | Mapping[str, Any]) -> str:
    """Return the comment text of a raw string or a scoring item."""
    return item if isinstance(item, str) else str(item.get("text") or "")


@dataclass
class Batch:
    """Normalised texts of a batch, their n-gram occurrences, and structure hits."""

    texts: list[str]
    normalized: list[str]
    offsets: list[list[int] | None]
    hits: list[list[Hit]]
    dense: np.ndarray  # structure features, one row per text
    occ_doc: np.ndarray  # per n-gram occurrence: row
    occ_col: np.ndarray  # column
    occ_start: np.ndarray  # start in the normalised text of its row
    occ_end: np.ndarray  # end (exclusive)
    occ_value: np.ndarray  # this occurrence's share of its (row, col) feature value
    occ_global: np.ndarray  # start in the joined batch string (for token lookup)
    tok_doc: np.ndarray  # per word token: row
    tok_start: np.ndarray  # start in the normalised text of its row
    tok_len: np.ndarray  # length
    tok_global: np.ndarray  # start in the joined batch string (sorted)


class CommentFeatures(TransformerMixin, BaseEstimator):
    """Hashed word 1–2-grams + char n-grams (l2-normalised blocks) + structure columns."""

    def __init__(
        self,
        n_bits: int = 20,
        char_ngrams: tuple[int, int] = (2, 5),
        word_ngrams: tuple[int, int] = (1, 2),
        sublinear_tf: bool = True,
        use_idf: bool = True,
        word_boundaries: bool = False,
        lists: dict[str, str] | None = None,
    ):
        """Set hashing and n-gram parameters; ``lists`` are the curated signal lists."""
        self.n_bits = n_bits
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.sublinear_tf = sublinear_tf
        self.use_idf = use_idf
        self.word_boundaries = word_boundaries
        self.lists = lists

    def fit(self, X: Sequence[Any], y: Any = None) -> CommentFeatures:
        """Learn the hashed columns' inverse document frequencies (if ``use_idf``)."""
        self.n_features_out_ = 2**self.n_bits + len(NAMES)
        self.idf_ = None
        if self.use_idf:
            texts = [normalize(text_of(item))[0] for item in X]
            rows, cols, *_ = self._ngrams(texts)
            keys = np.unique((rows.astype(np.int64) << 24) | cols)
            df = np.bincount(keys & ((1 << 24) - 1), minlength=2**self.n_bits)
            self.idf_ = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        return self

    def transform(self, X: Sequence[Any]) -> sp.csr_matrix:
        """Return the feature matrix of a batch of texts or scoring items."""
        return self.matrix(self.analyze(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return hashed column names followed by the structure feature names."""
        return np.array([f"hash{i}" for i in range(2**self.n_bits)] + [f"s:{n}" for n in NAMES])

    def _signal_lists(self) -> SignalLists:
        cached = self.__dict__.get("_signals")
        if cached is None:
            cached = SignalLists(self.lists or {})
            self.__dict__["_signals"] = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        """Drop the lookup cache when persisting."""
        return {k: v for k, v in self.__dict__.items() if k != "_signals"}

    def analyze(self, X: Sequence[Any]) -> Batch:
        """Normalise, hash and measure a batch, keeping n-gram positions."""
        texts = [text_of(item) for item in X]
        norm = [normalize(t) for t in texts]
        normalized = [n for n, _ in norm]
        signals = self._signal_lists()
        hits = [signals.hits(t) for t in texts]
        dense = np.array([signals.vector(t, h) for t, h in zip(texts, hits, strict=True)])
        doc, col, start, end, glob, tokens = self._ngrams(normalized)
        value = _occurrence_values(
            doc, col, self.sublinear_tf, 2 ** (self.n_bits - 2), getattr(self, "idf_", None)
        )
        offsets = [o for _, o in norm]
        return Batch(
            texts, normalized, offsets, hits, dense, doc, col, start, end, value, glob, *tokens
        )

    def matrix(self, batch: Batch) -> sp.csr_matrix:
        """Return the sparse feature matrix of an analysed batch."""
        n_rows = len(batch.texts)
        hashed = sp.csr_matrix(
            (batch.occ_value, (batch.occ_doc, batch.occ_col)), shape=(n_rows, 2**self.n_bits)
        )
        dense = sp.csr_matrix(batch.dense.reshape(n_rows, len(NAMES)).astype(np.float32))
        return sp.hstack([hashed, dense], "csr")

    def _ngrams(self, texts: list[str]) -> tuple[Any, ...]:
        """Hash the n-grams of all texts: (row, col, start, end, global start, tokens)."""
        joined = chr(_SEP).join(f" {t.replace(chr(_SEP), ' ')} " for t in texts)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        n = len(codes)
        is_sep = codes == _SEP
        seps = np.concatenate(([0], np.cumsum(is_sep)))
        doc_start = np.concatenate(([0], np.flatnonzero(is_sep) + 1))
        row_of = seps[:-1]
        c = codes.astype(np.uint64)
        spaces = np.cumsum(codes == 32)  # no space strictly inside a word-bounded n-gram
        powers = np.cumprod(np.full(n + 1, _P, dtype=np.uint64))
        powers = np.concatenate(([np.uint64(1)], powers[:-1]))
        inv = np.cumprod(np.full(n + 1, _P_INV, dtype=np.uint64))
        inv = np.concatenate(([np.uint64(1)], inv[:-1]))
        prefix = np.concatenate(([np.uint64(0)], np.cumsum(c * inv[:n], dtype=np.uint64)))

        def window_hash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (prefix[b] - prefix[a]) * powers[b - 1]

        bits = np.uint64(64 - self.n_bits)
        char_base = np.uint64(2 ** (self.n_bits - 2))  # words: first quarter; chars: rest
        char_bits = np.uint64(64 - self.n_bits) + np.uint64(0)
        out: list[tuple[np.ndarray, ...]] = []
        for size in range(self.char_ngrams[0], self.char_ngrams[1] + 1):
            a = np.arange(0, n - size + 1)
            ok = (seps[a + size] - seps[a]) == 0
            if self.word_boundaries:
                ok &= (spaces[a + size - 1] - spaces[a]) == 0
            a = a[ok]
            h = (window_hash(a, a + size) + np.uint64(size)) * _MIX
            col = char_base + (h >> char_bits) % (np.uint64(2**self.n_bits) - char_base)
            out.append((a, a + size, col))
        word = np.empty(n, dtype=bool)
        small = codes < 128
        word[small] = _WORD_ASCII[codes[small]]
        if not small.all():
            big = np.flatnonzero(~small)
            word[big] = [_is_word(int(x)) for x in codes[big]]
        edge = np.diff(np.concatenate(([0], word.astype(np.int8), [0])))
        w_start, w_end = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
        w_hash = window_hash(w_start, w_end) * _MIX
        word_bits = bits + np.uint64(2)
        if self.word_ngrams[0] <= 1:
            out.append((w_start, w_end, w_hash >> word_bits))
        if self.word_ngrams[1] >= 2 and len(w_start) > 1:
            same = row_of[w_start[1:]] == row_of[w_start[:-1]]
            pair = (w_hash[:-1] * _P + w_hash[1:]) * _MIX
            out.append((w_start[:-1][same], w_end[1:][same], pair[same] >> word_bits))
        starts = np.concatenate([o[0] for o in out])
        ends = np.concatenate([o[1] for o in out])
        cols = np.concatenate([o[2] for o in out]).astype(np.int64)
        rows = row_of[starts]
        base = doc_start[rows] + 1  # skip the padding space
        t_rows = row_of[w_start]
        tokens = (t_rows, w_start - doc_start[t_rows] - 1, w_end - w_start, w_start)
        return rows, cols, starts - base, ends - base, starts, tokens


def _occurrence_values(
    rows: np.ndarray, cols: np.ndarray, sublinear: bool, split: int, idf: np.ndarray | None
) -> np.ndarray:
    """Return each occurrence's share of its tf, l2-normalised per row and block."""
    if len(rows) == 0:
        return np.zeros(0, dtype=np.float32)
    keys = (rows.astype(np.int64) << 24) | cols
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    first = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    group = np.cumsum(first) - 1
    counts = np.bincount(group).astype(np.float64)
    tf = np.log1p(counts) if sublinear else counts
    g_rows = rows[order][first]
    g_cols = cols[order][first]
    if idf is not None:
        tf = tf * idf[g_cols]
    g_char = g_cols >= split
    n = int(rows.max()) + 1
    block = g_rows * 2 + g_char
    norms = np.sqrt(np.bincount(block, tf**2, minlength=2 * n))
    g_value = tf / counts / np.maximum(norms[block], 1e-12)
    value = np.empty(len(rows), dtype=np.float32)
    value[order] = g_value[group]
    return value
