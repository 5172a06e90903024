"""Normalise obfuscated comment text for a whole batch at once, keeping a map back.

``normalize_batch(texts)`` joins the batch into one code-point array and folds, with
numpy and a few prefiltered regular expressions, case, full-width and "fancy font"
letters, zero-width characters and combining marks, homoglyphs inside Latin words,
leetspeak inside words (``fr33`` → ``free``), spaced or dotted letters
(``c.a.s.i.n.o`` → ``casino``) and long character runs. Every normalised character keeps
the index of the original character it came from, so reasons can point at the text as
typed. ``normalize(text)`` is the one-text view of the same function.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEP = "\x02"  # separates documents in a joined batch; never inside a text
DROP = "\x00"
_INVISIBLE = set(range(0x200B, 0x2010)) | set(range(0x2060, 0x2065)) | {0xAD, 0x34F, 0xFEFF}
_INVISIBLE |= set(range(0xFE00, 0xFE10)) | {0x180E, 0x061C}
# Cyrillic/Greek letters that look like Latin ones; applied only inside Latin words.
HOMOGLYPHS = str.maketrans(
    "аеорсухкмтнвіјѕԁɡӏοαινκτρυεχ",
    "aeopcyxkmthbijsdgloaivktpuex",
)
_HOMOGLYPH_CODES = np.array(sorted(HOMOGLYPHS), dtype=np.uint32)
LEET = str.maketrans("0134579@$", "oieastgas")
_MIXED_SCRIPT = re.compile(r"\w*[a-z]\w*[^\W\da-z_]\w*|\w*[^\W\da-z_]\w*[a-z]\w*")
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][ .\-_*·•,+/|]{1,2}){2,}[^\W_](?![^\W_])")
_SPACED_SEPS = " .-_*·•,+/|"

_ASCII = np.arange(128, dtype=np.uint32)
_ASCII[ord("A") : ord("Z") + 1] += 32
_ASCII[[9, 10, 11, 12, 13]] = 32
_IS_ALNUM = np.array([chr(i).isalnum() for i in range(128)])
_IS_DIGIT = np.array([chr(i).isdigit() for i in range(128)])
_IS_LEET = np.zeros(128, dtype=bool)
_IS_LEET[[ord(c) for c in "0123456789@$"]] = True
_IS_LEET_WORD = np.zeros(128, dtype=bool)
_IS_LEET_WORD[[ord(c) for c in "abcdefghijklmnopqrstuvwxyz0123456789@$"]] = True
_IS_WORDISH = np.array([chr(i).isalnum() or chr(i) in "_@$" for i in range(128)])
_LEET_MAP = np.arange(128, dtype=np.uint32)
_LEET_MAP[[ord(c) for c in "0134579@$"]] = [ord(c) for c in "oieastgas"]
_IS_SPACED_SEP = np.zeros(128, dtype=bool)
_IS_SPACED_SEP[[ord(c) for c in _SPACED_SEPS if ord(c) < 128]] = True


def _fold_char(code: int) -> int:
    """Return the folded code point of one non-ASCII character (0 = drop it)."""
    char = chr(code)
    if code in _INVISIBLE or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    folded = unicodedata.normalize("NFKC", char).lower()
    if len(folded) != 1:
        folded = char.lower() if len(char.lower()) == 1 else char
    base = unicodedata.normalize("NFKD", folded)[:1]
    out = base if base.isascii() and base.isalpha() else folded
    return ord(out) if ord(out) >= 128 else int(_ASCII[ord(out)])


_FOLD_CACHE: dict[int, int] = {}


@dataclass
class Normalized:
    """A normalised batch: joined code points, their origin, and document boundaries.

    ``codes`` is ``SEP " " doc0 " " SEP " " doc1 " " SEP …`` after normalisation;
    ``origin[k]`` is the index in ``joined`` (the original texts joined the same way) of
    normalised character ``k``; ``starts[i]`` is where document ``i`` begins in
    ``joined`` (its first original character).
    """

    texts: list[str]
    joined: str
    raw: np.ndarray  # code points of ``joined``
    codes: np.ndarray
    origin: np.ndarray
    starts: np.ndarray
    doc: np.ndarray  # document of each normalised character (separators: the next doc)

    def text(self, i: int) -> str:
        """Return document ``i``'s normalised text (without its padding)."""
        return "".join(map(chr, self.codes[self._bounds(i)]))

    def offsets(self, i: int) -> list[int]:
        """Return the original index (in ``texts[i]``) of each normalised character."""
        return (self.origin[self._bounds(i)] - self.starts[i]).tolist()

    def _bounds(self, i: int) -> slice:
        lo, hi = np.searchsorted(self.doc, [i, i + 1])
        return slice(int(lo) + 2, int(hi) - 1)  # skip SEP + pad space, and the last space


def shift(a: np.ndarray, k: int) -> np.ndarray:
    """Return ``a`` moved by ``k`` places (``out[i] = a[i - k]``), zero-filled at the ends."""
    out = np.zeros_like(a)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    else:
        out[:] = a
    return out


def _segments(mask: np.ndarray, doc: np.ndarray, n_docs: int) -> np.ndarray:
    """Return the documents that have at least one ``True`` in ``mask``."""
    return np.flatnonzero(np.bincount(doc[mask], minlength=n_docs))


def _doc_ranges(doc: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.searchsorted(doc, docs), np.searchsorted(doc, docs + 1)


def normalize_batch(texts: Sequence[str]) -> Normalized:
    """Normalise a batch of texts in one pass (see the module docstring)."""
    texts = [t.replace(SEP, " ") if SEP in t else t for t in texts]
    joined = "".join(f"{SEP} {t} " for t in texts) + SEP
    lengths = np.fromiter((len(t) + 3 for t in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths)))[:-1] + 2
    raw = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    codes = raw.copy()
    small = codes < 128
    codes[small] = _ASCII[codes[small]]
    origin = np.arange(len(codes), dtype=np.int64)
    if not small.all():
        big = np.flatnonzero(~small)
        uniq, inverse = np.unique(codes[big], return_inverse=True)
        for c in uniq.tolist():
            if c not in _FOLD_CACHE:
                _FOLD_CACHE[c] = _fold_char(c)
        codes[big] = np.array([_FOLD_CACHE[c] for c in uniq.tolist()], dtype=np.uint32)[inverse]
        keep = codes != 0
        if not keep.all():
            codes, origin = codes[keep], origin[keep]
    doc = np.cumsum(codes == ord(SEP)) - 1
    n = len(texts)
    if not small.all():
        _fold_homoglyphs(codes, doc, n)
    codes, origin, doc = _join_spaced(codes, origin, doc, n)
    _fold_leet(codes, doc, n)
    # Runs of 3+ identical non-digits are cut to 2, then runs of spaces to 1.
    prev1 = np.concatenate(([0], codes[:-1]))
    prev2 = np.concatenate(([0, 0], codes[:-2]))
    small = codes < 128
    digit = np.zeros(len(codes), dtype=bool)
    digit[small] = _IS_DIGIT[codes[small]]
    keep = ~((codes == prev1) & (codes == prev2) & ~digit)
    codes, origin, doc = codes[keep], origin[keep], doc[keep]
    keep = ~((codes == 32) & (np.concatenate(([0], codes[:-1])) == 32))
    return Normalized(texts, joined, raw, codes[keep], origin[keep], starts, doc[keep])


def _join_spaced(
    codes: np.ndarray, origin: np.ndarray, doc: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delete the separators of spaced or dotted letters (``F U C K`` → ``FUCK``)."""
    small = codes < 128
    word = np.zeros(len(codes), dtype=bool)
    word[small] = _IS_ALNUM[codes[small]]
    word[~small] = True  # a rough prefilter; the regex decides
    sep = np.zeros(len(codes), dtype=bool)
    sep[small] = _IS_SPACED_SEP[codes[small]]
    sep[~small] |= np.isin(codes[~small], [ord("·"), ord("•")])
    lone = word & ~shift(word, 1) & ~shift(word, -1)
    # lone character, 1-2 separators, lone character: twice in a row
    pair = lone & shift(sep, -1) & (shift(lone, -2) | (shift(sep, -2) & shift(lone, -3)))
    docs = _segments(pair & (shift(pair, -2) | shift(pair, -3)), doc, n)
    if len(docs) == 0:
        return codes, origin, doc
    text = codes.tobytes().decode("utf-32-le")
    drop = np.zeros(len(codes), dtype=bool)
    for lo, hi in zip(*_doc_ranges(doc, docs), strict=True):
        for m in _SPACED.finditer(text, int(lo), int(hi)):
            chunk = m.group()
            for k, c in enumerate(chunk):
                if c in _SPACED_SEPS:
                    drop[m.start() + k] = True
    if not drop.any():
        return codes, origin, doc
    return codes[~drop], origin[~drop], doc[~drop]


def _fold_homoglyphs(codes: np.ndarray, doc: np.ndarray, n: int) -> None:
    """Replace Cyrillic/Greek look-alikes inside Latin words in place (``рaypal``)."""
    docs = _segments(np.isin(codes, _HOMOGLYPH_CODES), doc, n)
    if len(docs) == 0:
        return
    text = codes.tobytes().decode("utf-32-le")
    for lo, hi in zip(*_doc_ranges(doc, docs), strict=True):
        for m in _MIXED_SCRIPT.finditer(text, int(lo), int(hi)):
            word = m.group().translate(HOMOGLYPHS)
            codes[m.start() : m.end()] = np.frombuffer(word.encode("utf-32-le"), np.uint32)


def _fold_leet(codes: np.ndarray, doc: np.ndarray, n: int) -> None:
    """Translate leetspeak inside words in place (``fr33`` → ``free``).

    Vectorised form of ``_LEET_WORD``: a maximal run of ``[a-z0-9@$]`` not touching other
    word characters, of 3+ characters, not starting with ``@``, with 2+ letters and a
    digit, ``@`` or ``$``, and not followed by ``.`` and a word character.
    """
    small = codes < 128
    member = np.zeros(len(codes), dtype=bool)
    member[small] = _IS_LEET_WORD[codes[small]]
    leet = np.zeros(len(codes), dtype=bool)
    leet[small] = _IS_LEET[codes[small]]
    if not (leet & member).any():
        return
    wordish = np.ones(len(codes), dtype=bool)  # \w, @ or $ (non-ASCII: letters count)
    wordish[small] = _IS_WORDISH[codes[small]]
    edge = np.diff(np.concatenate(([0], member.astype(np.int8), [0])))
    start, end = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
    letters = np.concatenate(([0], np.cumsum(member & ~leet)))
    leets = np.concatenate(([0], np.cumsum(leet)))
    ok = (end - start >= 3) & (letters[end] - letters[start] >= 2)
    ok &= (leets[end] - leets[start] >= 1) & (codes[start] != ord("@"))
    ok &= ~wordish[np.maximum(start - 1, 0)] & ~wordish[np.minimum(end, len(codes) - 1)]
    after = np.minimum(end + 1, len(codes) - 1)
    ok &= ~((codes[np.minimum(end, len(codes) - 1)] == ord(".")) & wordish[after] & small[after])
    if not ok.any():
        return
    inside = np.zeros(len(codes) + 1, dtype=np.int64)
    inside[start[ok]] = 1  # runs are maximal, so no run starts where another ends
    inside[end[ok]] = -1
    change = (np.cumsum(inside[:-1]) > 0) & leet
    codes[change] = _LEET_MAP[codes[change]]


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Return the normalised text and its offset map into ``text`` (``None`` = identity)."""
    batch = normalize_batch([text])
    out, offsets = batch.text(0), batch.offsets(0)
    if offsets == list(range(len(out))) and len(out) == len(text):
        return out, None
    return out, offsets


def normalize_text(text: str) -> str:
    """Return only the normalised text."""
    return normalize(text)[0]


def original_span(offsets: list[int] | None, start: int, end: int, length: int) -> tuple[int, int]:
    """Map a ``[start, end)`` range of normalised text to the original text."""
    if offsets is None:
        return start, min(end, length)
    if not offsets or start >= len(offsets):
        return length, length
    last = offsets[min(end, len(offsets)) - 1]
    return max(offsets[start], 0), min(last + 1, length)
