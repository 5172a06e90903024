"""Counts in words for English messages: "1 delivery", "3 deliveries"."""

from __future__ import annotations

#: Nouns whose plural is not the singular plus "s".
IRREGULAR = {"delivery": "deliveries"}


def counted(n: int, noun: str) -> str:
    """Return ``n`` with its noun, singular or plural ("1 ban", "0 check records",
    "2 deliveries")."""
    if n == 1:
        return f"{n} {noun}"
    head, _, last = noun.rpartition(" ")
    plural = IRREGULAR.get(last, f"{last}s")
    return f"{n} {head + ' ' if head else ''}{plural}"
