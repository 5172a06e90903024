"""The form an author's e-mail address is matched in: by privacy requests, bans,
reply-notification subscriptions and the new-author check. Pure, no I/O."""

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


def domain_key(address: str | None) -> str:
    """Return the domain of ``address`` as bans on a domain match it: the part of its
    ``email_key`` after the last ``@``."""
    return email_key(address).rpartition("@")[2]


def host_key(host: str | None) -> str:
    """Return a website's host as bans on a domain match it: trimmed, lower case and NFC
    as ``email_key`` takes an address, without a leading ``www.``."""
    return email_key(host).removeprefix("www.")
