"""The form e-mail addresses are matched in (privacy requests): pure, no I/O."""

from __future__ import annotations

import unicodedata

#: The longest key: ``lower()`` may lengthen an address (``İ`` becomes ``i`` and a
#: combining dot), and addresses are at most 254 characters.
KEY_LENGTH = 512


def stored_form(address: str | None) -> str:
    """Return ``address`` as the comment form stores one: trimmed, in Unicode's composed
    form (NFC, as email-validator gives it); ``Zoe`` + a combining diaeresis is ``Zoë``."""
    return unicodedata.normalize("NFC", (address or "").strip())


def email_key(address: str | None) -> str:
    """Return ``address`` trimmed, lower-cased by Python's rules (not SQLite's ASCII-only
    ``lower()``) and in Unicode's composed form (NFC), so ``Zoe\\u0308`` and ``Zoë``,
    ``İnci`` and ``i̇nci``, the Kelvin sign ``K`` and ``k`` are one address."""
    return unicodedata.normalize("NFC", stored_form(address).lower())[:KEY_LENGTH]
