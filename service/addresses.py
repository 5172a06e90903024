"""The form e-mail addresses are matched in (privacy requests): pure, no I/O."""

from __future__ import annotations

import unicodedata

#: The longest key: ``lower()`` may lengthen an address (``İ`` becomes ``i`` and a
#: combining dot), and addresses are at most 254 characters.
KEY_LENGTH = 512


def email_key(address: str | None) -> str:
    """Return ``address`` trimmed, lower-cased by Python's rules (not SQLite's ASCII-only
    ``lower()``) and in Unicode's composed form (NFC), so ``Zoe\\u0308`` and ``Zoë``,
    ``İnci`` and ``i̇nci``, the Kelvin sign ``K`` and ``k`` are one address."""
    value = unicodedata.normalize("NFC", (address or "").strip())
    return unicodedata.normalize("NFC", value.lower())[:KEY_LENGTH]
