"""Normalise obfuscated comment text, keeping a map back to the original characters.

``normalize(text)`` folds case, full-width and "fancy font" letters, homoglyphs inside
Latin words, zero-width characters and combining marks, leetspeak inside words
(``fr33`` → ``free``), spaced or dotted letters (``c.a.s.i.n.o`` → ``casino``) and long
character runs. It returns the normalised text and, when characters were removed, the
index in the original text of every normalised character (``None`` means identity).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

DROP = "\x00"
_INVISIBLE = set(range(0x200B, 0x2010)) | set(range(0x2060, 0x2065)) | {0xAD, 0x34F, 0xFEFF}
_INVISIBLE |= set(range(0xFE00, 0xFE10)) | {0x180E, 0x061C}
# Cyrillic/Greek letters that look like Latin ones; applied only inside Latin words.
HOMOGLYPHS = str.maketrans(
    "аеорсухкмтнвіјѕԁɡӏοαινκτρυεχ",
    "aeopcyxkmthbijsdgloaivktpuex",
)
LEET = str.maketrans("0134579@$", "oieastgas")
_LEET_WORD = re.compile(
    r"(?<![\w@$])(?=[a-z0-9@$]*[a-z][a-z0-9@$]*[a-z])(?=[a-z]*[0-9@$])"
    r"[a-z0-9$][a-z0-9@$]{2,}(?![\w@$]|\.\w)"
)
_MIXED_SCRIPT = re.compile(r"\w*[a-z]\w*[^\W\da-z_]\w*|\w*[^\W\da-z_]\w*[a-z]\w*")
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][ .\-_*·•,+/|]{1,2}){2,}[^\W_](?![^\W_])")
_SPACED_SEP = re.compile(r"[ .\-_*·•,+/|]")
_RUNS = re.compile(r"(\D)\1{2,}")
_SPACES = re.compile(r" {2,}")
_WHITESPACE = str.maketrans("\t\n\r\f\v\u00a0", "      ")


class _FoldTable(dict[int, str]):
    """Lazy ``str.translate`` table: one code point to one (lower-case) code point."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if code in _INVISIBLE or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            out = DROP
        else:
            folded = unicodedata.normalize("NFKC", char).lower()
            if len(folded) != 1:
                folded = char.lower() if len(char.lower()) == 1 else char
            base = unicodedata.normalize("NFKD", folded)[:1]
            out = base if base.isascii() and base.isalpha() else folded
        self[code] = out
        return out


_FOLD = _FoldTable()


def _delete(
    pattern: re.Pattern[str],
    keep: Callable[[str], list[int]],
    text: str,
    offsets: list[int] | None,
) -> tuple[str, list[int] | None]:
    """Keep only the characters ``keep`` selects in each match, carrying the offset map."""
    if offsets is None:
        offsets = list(range(len(text)))
    parts: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        parts.append(text[last:start])
        new_offsets += offsets[last:start]
        chosen = keep(m.group())
        parts.append("".join(m.group()[i] for i in chosen))
        new_offsets += [offsets[start + i] for i in chosen]
        last = end
    parts.append(text[last:])
    new_offsets += offsets[last:]
    return "".join(parts), new_offsets


def _letters(chunk: str) -> list[int]:
    return [i for i, c in enumerate(chunk) if not _SPACED_SEP.match(c)]


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Return the normalised text and its offset map into ``text`` (``None`` = identity)."""
    offsets: list[int] | None = None
    if text.isascii():
        out = text.lower().translate(_WHITESPACE)
    else:
        out = text.translate(_FOLD).translate(_WHITESPACE)
        if DROP in out:
            offsets = [i for i, c in enumerate(out) if c != DROP]
            out = out.replace(DROP, "")
        if _MIXED_SCRIPT.search(out):
            out = _MIXED_SCRIPT.sub(lambda m: m.group().translate(HOMOGLYPHS), out)
    if _SPACED.search(out):
        out, offsets = _delete(_SPACED, _letters, out, offsets)
    if _LEET_WORD.search(out):
        out = _LEET_WORD.sub(lambda m: m.group().translate(LEET), out)
    if _RUNS.search(out):
        out, offsets = _delete(_RUNS, lambda m: [0, 1], out, offsets)
    if _SPACES.search(out):
        out, offsets = _delete(_SPACES, lambda m: [0], out, offsets)
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
    return offsets[start], min(last + 1, length)
