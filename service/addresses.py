"""The form an author's e-mail address is matched in: by privacy requests, bans,
reply-notification subscriptions and the new-author check. Pure, no I/O."""

from __future__ import annotations

import contextlib
import unicodedata

import idna

#: The longest key: ``lower()`` may lengthen an address (``İ`` becomes ``i`` and a
#: combining dot), and addresses are at most 254 characters.
KEY_LENGTH = 512
#: The longest DNS label; a longer one is no IDNA label (and decoding or encoding one
#: takes time quadratic in its length).
LABEL_LENGTH = 63


def stored_form(address: str | None) -> str:
    """Return ``address`` as the comment form stores one: trimmed, in Unicode's composed
    form (NFC, as email-validator gives it); ``Zoe`` + a combining diaeresis is ``Zoë``."""
    return unicodedata.normalize("NFC", (address or "").strip())


def email_key(address: str | None) -> str:
    """Return ``address`` trimmed, lower-cased by Python's rules (not SQLite's ASCII-only
    ``lower()``) and in Unicode's composed form (NFC), so ``Zoe\\u0308`` and ``Zoë``,
    ``İnci`` and ``i̇nci``, the Kelvin sign ``K`` and ``k`` are one address; its domain (the
    part after the last ``@``, or all of a host) as ``domain_form`` writes it, so
    ``ada@xn--bcher-kva.example`` and ``ada@bücher.example`` are one address too."""
    local, at, domain = unicodedata.normalize("NFC", stored_form(address).lower()).rpartition("@")
    return (local + at + domain_form(domain))[:KEY_LENGTH]


def domain_form(domain: str) -> str:
    """Return a (lower-cased) domain as email-validator normalises an address's: mapped by
    UTS #46 (full-width letters, ideographic full stops) and each IDNA ``xn--`` label in its
    Unicode form (``xn--bcher-kva`` is ``bücher``), the form the comment form stores. What
    IDNA refuses stays as it is: a key is never an error."""
    with contextlib.suppress(idna.IDNAError):
        domain = idna.uts46_remap(domain, std3_rules=False, transitional=False)
    return ".".join(_unicode_label(label) for label in domain.split("."))


def _unicode_label(label: str) -> str:
    """Return an ``xn--`` label's Unicode form; any other label (or a false one) as it is."""
    if not label.startswith("xn--") or len(label) > LABEL_LENGTH:
        return label
    try:
        return idna.ulabel(label)
    except idna.IDNAError:
        return label


def ascii_domain(domain: str) -> str | None:
    """Return ``domain`` (in its key's form) with each label in IDNA's ASCII form
    (``bücher.example`` is ``xn--bcher-kva.example``), or None if a label has none."""
    labels = []
    for label in domain.split("."):
        if label.isascii():
            labels.append(label)
            continue
        if len(label) > LABEL_LENGTH:
            return None
        try:
            labels.append(idna.alabel(label).decode("ascii"))
        except idna.IDNAError:
            return None
    return ".".join(labels)


def spellings(address: str | None) -> set[str]:
    """Return the ways ``address`` may be repeated where we wrote it (a ban's value quoted
    in a decision, an audit entry): as stored, lower-cased as older code kept it, and as
    its key, each with its domain as given and in IDNA's ASCII form (a ban typed as
    ``ada@xn--bcher-kva.example`` was kept so), each composed (NFC) and decomposed (NFD).
    A case-blind search for each finds the capitals Python's simple case folding equates;
    ``J̌ohn@…`` (``J`` + a caron) has no simple lower case ``ǰohn@…`` (one letter) could
    match, hence the forms."""
    stored = stored_form(address)
    forms = {stored, stored.lower(), email_key(address)}
    forms |= {_with_ascii_domain(f) for f in forms}
    return {unicodedata.normalize(nf, f) for f in forms if f for nf in ("NFC", "NFD")}


def _with_ascii_domain(address: str) -> str:
    """Return ``address`` with its domain in IDNA's ASCII form (as it is if it has none)."""
    local, at, domain = address.rpartition("@")
    return local + at + (ascii_domain(domain_form(domain.lower())) or domain)


def domain_key(address: str | None) -> str:
    """Return the domain of ``address`` as bans on a domain match it: the part of its
    ``email_key`` after the last ``@``."""
    return email_key(address).rpartition("@")[2]


def host_key(host: str | None) -> str:
    """Return a website's host as bans on a domain match it: trimmed, lower case and NFC
    as ``email_key`` takes an address, in the same domain form, without a leading ``www.``."""
    return email_key(host).removeprefix("www.")
