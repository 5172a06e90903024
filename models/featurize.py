"""Featurise a batch of comments with numpy only: hashed n-grams plus structure columns.

This is the scoring fast path (no scikit-learn, no scipy). ``analyze(texts, params,
lists)`` normalises the whole batch at once (``models.text``), hashes word 1–2-grams and
character n-grams with a polynomial rolling hash over code points, groups them into
(document, column) features with log term frequency, l2-normalised per block, and
measures the structure signals (``models.signals``). Each n-gram keeps its position so
explanations can point at the words that moved a score.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.signals import NAMES, PHRASES, Hit, SignalLists, add_terms, analyze_signals
from models.text import SEP, Normalized, normalize_batch

_P = np.uint64(0x100000001B3)
_P_INV = np.uint64(pow(0x100000001B3, -1, 2**64))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_ASCII = np.array([chr(i).isalnum() or chr(i) in "_'" for i in range(128)], dtype=bool)
_WORD_CACHE: dict[int, bool] = {}
DOC_SHIFT = 24  # feature keys are (document << DOC_SHIFT) | column
_HAS_LINK = NAMES.index("has_link")
_LOG1P = np.log1p(np.arange(256, dtype=np.float64))

DEFAULTS: dict[str, Any] = {
    "n_bits": 20,
    "char_ngrams": (2, 5),
    "word_ngrams": (1, 2),
    "sublinear_tf": True,
}


def _is_word(code: int) -> bool:
    if code not in _WORD_CACHE:
        _WORD_CACHE[code] = unicodedata.category(chr(code))[0] in "LN" or code == 0x2019
    return _WORD_CACHE[code]


def text_of(item: str | Mapping[str, Any]) -> str:
    """Return the comment text of a raw string or a scoring item."""
    return item if isinstance(item, str) else str(item.get("text") or "")


@dataclass
class Batch:
    """A featurised batch: grouped features, n-gram occurrences, tokens and signals."""

    norm: Normalized
    n_bits: int
    keys: np.ndarray  # sorted distinct (doc << DOC_SHIFT) | column
    counts: np.ndarray  # occurrences of each key
    values: np.ndarray  # feature value of each key (float64)
    occ_key: np.ndarray  # per n-gram occurrence: its key
    occ_group: np.ndarray  # per occurrence: index of its key in ``keys``
    occ_start: np.ndarray  # per occurrence: start in ``norm.codes``
    tok_start: np.ndarray  # per word token: start in ``norm.codes``
    tok_end: np.ndarray
    tok_doc: np.ndarray
    char_tok: np.ndarray  # per normalised character: its word token, or -1
    plain: tuple[np.ndarray, np.ndarray, np.ndarray]  # \w runs (no '): start, end, hash
    dense: np.ndarray  # structure features, one row per document
    hits: dict[int, list[Hit]] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        """Return the original texts."""
        return self.norm.texts

    @property
    def doc(self) -> np.ndarray:
        """Return the document of each feature key (computed once)."""
        cached = self.__dict__.get("_doc")
        if cached is None:
            cached = self.__dict__["_doc"] = self.keys >> DOC_SHIFT
        return cached

    @property
    def linked(self) -> np.ndarray:
        """Return whether each document contains a link (computed once)."""
        cached = self.__dict__.get("_linked")
        if cached is None:
            cached = self.__dict__["_linked"] = self.dense[:, _HAS_LINK] > 0
        return cached

    @property
    def col(self) -> np.ndarray:
        """Return the column of each feature key (computed once)."""
        cached = self.__dict__.get("_col")
        if cached is None:
            cached = self.__dict__["_col"] = self.keys & ((1 << DOC_SHIFT) - 1)
        return cached


def analyze(
    items: Sequence[Any], params: Mapping[str, Any], lists: SignalLists, idf: Any = None
) -> Batch:
    """Normalise, hash and measure a batch (texts or scoring items)."""
    p = {**DEFAULTS, **params}
    norm = normalize_batch([text_of(item) for item in items])
    n_bits = int(p["n_bits"])
    occ_start, occ_col, tokens = _ngrams(norm, n_bits, p["char_ngrams"], p["word_ngrams"])
    tok_start, tok_end, tok_hash, char_tok = tokens
    tok_doc = norm.doc[tok_start]
    occ_key = (norm.doc[occ_start] << DOC_SHIFT) | occ_col
    order = np.argsort(occ_key, kind="stable")  # doc-ordered runs: timsort ~40% faster here
    keys = occ_key[order]
    first = np.concatenate(([True], keys[1:] != keys[:-1])) if len(keys) else np.zeros(0, bool)
    group = np.cumsum(first, dtype=np.int32) - 1
    occ_group = np.empty(len(keys), dtype=np.int32)
    occ_group[order] = group
    keys = keys[first]
    counts = np.diff(np.append(np.flatnonzero(first), len(first)))
    tf = _LOG1P[np.minimum(counts, 255)] if p["sublinear_tf"] else counts.astype(np.float64)
    if p["sublinear_tf"] and counts.max(initial=0) > 255:
        tf = np.log1p(counts)
    counts = counts.astype(np.float64)
    cols = keys & ((1 << DOC_SHIFT) - 1)
    if idf is not None:
        tf = tf * idf[cols]
    block = (keys >> DOC_SHIFT) * 2 + (cols >= 2 ** (n_bits - 2))
    norms = np.sqrt(np.bincount(block, tf**2, minlength=2 * len(items)))
    values = tf / np.maximum(norms[block], 1e-12)
    p_start, p_end = plain_tokens(norm.codes)
    plain = (p_start, p_end, span_hashes(norm.codes, p_start, p_end))
    dense, hits = analyze_signals(
        norm, lists, tok_doc, tok_hash, _phrase_candidates(norm.doc[p_start], plain[2])
    )
    add_terms(norm, lists, plain, dense, hits)
    return Batch(
        norm, n_bits, keys, counts, values, occ_key, occ_group, occ_start, tok_start, tok_end,
        tok_doc, char_tok, plain, dense, hits,
    )  # fmt: skip


_POWERS = np.ones(1, dtype=np.uint64)  # P**i, grown on demand
_INVERSES = np.ones(1, dtype=np.uint64)  # P**-i (mod 2**64)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return P**i and P**-i for i < n (cached)."""
    global _POWERS, _INVERSES
    if len(_POWERS) < n:
        size = max(n, 2 * len(_POWERS))
        one = np.ones(1, dtype=np.uint64)
        _POWERS = np.cumprod(np.concatenate((one, np.full(size - 1, _P))), dtype=np.uint64)
        _INVERSES = np.cumprod(np.concatenate((one, np.full(size - 1, _P_INV))), dtype=np.uint64)
    return _POWERS[:n], _INVERSES[:n]


def _ngrams(
    norm: Normalized, n_bits: int, char_ngrams: Sequence[int], word_ngrams: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Hash the n-grams of the joined batch: (start, column, word tokens).

    Character n-grams use a rolling polynomial hash grown one size at a time; words use
    prefix sums of the same hash so any span hashes in O(1). Columns come from the top
    bits (multiply-shift), words in the first quarter of the columns, characters in the
    rest.
    """
    codes = norm.codes
    n = len(codes)
    c = codes.astype(np.uint64)
    is_sep = codes == ord(SEP)
    char_base = 2 ** (n_bits - 2)
    char_range = np.uint64(2**n_bits - char_base)
    starts: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    h, bad = c, is_sep
    for size in range(2, char_ngrams[1] + 1):
        h = h[:-1] * _P + c[size - 1 :]
        bad = bad[:-1] | is_sep[size - 1 :]
        if size >= char_ngrams[0]:
            a = np.flatnonzero(~bad)
            mixed = ((h[a] + np.uint64(size)) * _MIX) >> np.uint64(40)
            starts.append(a)
            cols.append((mixed * char_range >> np.uint64(24)).astype(np.int64) + char_base)
    word = np.empty(n, dtype=bool)
    small = codes < 128
    word[small] = _WORD_ASCII[codes[small]]
    if not small.all():
        big = np.flatnonzero(~small)
        word[big] = [_is_word(int(x)) for x in codes[big]]
    edge = np.diff(np.concatenate(([0], word.astype(np.int8), [0])))
    w_start, w_end = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
    char_tok = np.where(word, np.cumsum(edge[:-1] == 1) - 1, -1)
    w_hash = span_hashes(codes, w_start, w_end)
    word_shift = np.uint64(64 - n_bits + 2)
    if word_ngrams[0] <= 1:
        starts.append(w_start)
        cols.append((w_hash >> word_shift).astype(np.int64))
    if word_ngrams[1] >= 2 and len(w_start) > 1:
        doc = norm.doc
        same = doc[w_start[1:]] == doc[w_start[:-1]]
        pair = (w_hash[:-1] * _P + w_hash[1:]) * _MIX
        starts.append(w_start[:-1][same])
        cols.append((pair[same] >> word_shift).astype(np.int64))
    occ_start = np.concatenate(starts) if starts else np.zeros(0, np.int64)
    occ_col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    return occ_start, occ_col, (w_start, w_end, w_hash, char_tok)


_PLAIN_ASCII = np.array([chr(i).isalnum() or chr(i) == "_" for i in range(128)])


def plain_tokens(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (start, end) of the runs of word characters, apostrophes excluded."""
    word = np.empty(len(codes), dtype=bool)
    small = codes < 128
    word[small] = _PLAIN_ASCII[codes[small]]
    if not small.all():
        big = np.flatnonzero(~small)
        word[big] = [chr(int(c)).isalnum() for c in codes[big]]
    edge = np.diff(np.concatenate(([0], word.astype(np.int8), [0])))
    return np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)


def span_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return the 64-bit hash of each ``codes[start:end]`` (same text, same hash)."""
    n = len(codes)
    powers, inverses = _powers(n + 1)
    c = codes.astype(np.uint64)
    prefix = np.concatenate(([np.uint64(0)], np.cumsum(c * inverses[:n], dtype=np.uint64)))
    return (prefix[ends] - prefix[starts]) * powers[np.maximum(ends - 1, 0)] * _MIX


_HASHES: dict[str, np.ndarray] = {}


def _word_hashes(name: str, words: Sequence[str]) -> np.ndarray:
    """Return the sorted word hashes of ``words`` (cached under ``name``)."""
    if name not in _HASHES:
        norm = normalize_batch(list(words))
        _HASHES[name] = np.unique(_ngrams(norm, 20, (2, 2), (1, 1))[2][2])
    return _HASHES[name]


def _phrase_candidates(tok_doc: np.ndarray, tok_hash: np.ndarray) -> dict[str, np.ndarray]:
    """Return, per phrase column (``models.signals.PHRASES``), the documents that pass
    its word test and so could match its expression.

    Tokens are runs of word characters without apostrophes, so ``you're`` has ``you``.
    """
    n = int(tok_doc.max(initial=-1)) + 1

    def has(key: str, words: Sequence[str]) -> np.ndarray:
        hashes = _word_hashes(key, words)
        pos = np.minimum(np.searchsorted(hashes, tok_hash), len(hashes) - 1)
        found = np.zeros(n, dtype=bool)
        found[tok_doc[hashes[pos] == tok_hash]] = True
        return found

    out = {}
    for name, phrase in PHRASES.items():
        found = has(f"{name}:triggers", phrase.triggers)
        if phrase.targets:
            found &= has(f"{name}:targets", phrase.targets)
        if phrase.standalone:
            found |= has(f"{name}:standalone", phrase.standalone)
        out[name] = np.flatnonzero(found)
    return out


def occurrence_values(batch: Batch, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (occurrence index, its share of its feature value) for documents ``docs``."""
    wanted = np.zeros(len(batch.texts) + 1, dtype=bool)
    wanted[docs] = True
    idx = np.flatnonzero(wanted[batch.occ_key >> DOC_SHIFT])
    group = batch.occ_group[idx]
    return idx, batch.values[group] / batch.counts[group]


def token_of(batch: Batch, occ_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (mask, token index) for occurrences starting inside a word token."""
    tok = batch.char_tok[batch.occ_start[occ_idx]]
    return tok >= 0, np.maximum(tok, 0)


def feature_names() -> tuple[str, ...]:
    """Return the structure feature names (the dense columns after the hashed ones)."""
    return NAMES
