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


def spellings(address: str | None) -> set[str]:
    """Return the ways ``address`` may be repeated where we wrote it (a ban's value quoted
    in a decision, an audit entry): as stored, lower-cased as older code kept it, and as
    its key, each composed (NFC) and decomposed (NFD). A case-blind search for each finds
    the capitals Python's simple case folding equates; ``J̌ohn@…`` (``J`` + a caron) has no
    simple lower case ``ǰohn@…`` (one letter) could match, hence the forms."""
    stored = stored_form(address)
    forms = {stored, stored.lower(), email_key(address)}
    return {unicodedata.normalize(nf, f) for f in forms if f for nf in ("NFC", "NFD")}


def domain_key(address: str | None) -> str:
    """Return the domain of ``address`` as bans on a domain match it: the part of its
    ``email_key`` after the last ``@``."""
    return email_key(address).rpartition("@")[2]


def host_key(host: str | None) -> str:
    """Return a website's host as bans on a domain match it: trimmed, lower case and NFC
    as ``email_key`` takes an address, without a leading ``www.``."""
    return email_key(host).removeprefix("www.")
