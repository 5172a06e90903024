"""Normalise comment text before n-gram extraction (first version: Unicode + case)."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff]")


def normalize(text: str) -> str:
    """Return NFKC-folded, lower-cased text without zero-width characters."""
    return unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
