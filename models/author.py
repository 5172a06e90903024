"""Author-field signals (name, e-mail, website) as fixed, visible spam log-odds.

None of the labelled datasets carries e-mail or website fields, so these weights cannot
be learned; they are small, set by hand, documented in MODEL_CARD.md, and always shown
as ``author`` reasons so a moderator sees exactly what moved the score.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from models.signals import URL_RE, SignalLists, host_of

WEIGHTS = {
    "name_link": 1.5,  # a URL or domain in the display name
    "disposable_email": 1.0,  # a throw-away e-mail domain
    "listed_website": 2.0,  # author website on a spam-domain list
    "shortener_website": 1.0,  # author website behind a URL shortener
}
_KEYWORDS = re.compile(r"(?i)\b(?:casino|viagra|loan|crypto|forex|seo|escort|bitcoin|porn)\b")


def author_reasons(item: Mapping[str, Any], lists: SignalLists) -> list[dict[str, Any]]:
    """Return the author reasons (with their log-odds weights) for one scoring item."""
    out: list[dict[str, Any]] = []
    name, email, url = (item.get(k) for k in ("name", "email", "url"))
    if isinstance(name, str) and name and (URL_RE.search(name) or _KEYWORDS.search(name)):
        out.append(_reason(f"name: {name[:80]}", WEIGHTS["name_link"]))
    if isinstance(email, str) and "@" in email:
        domain = email.rsplit("@", 1)[1].strip().lower()
        if lists.listed("disposable", domain):
            out.append(_reason(f"disposable e-mail: {domain}", WEIGHTS["disposable_email"]))
    if isinstance(url, str) and url.strip():
        host = host_of(url)
        if lists.listed("spam_domains", host):
            out.append(_reason(f"website on spam list: {host}", WEIGHTS["listed_website"]))
        elif lists.listed("shorteners", host):
            out.append(_reason(f"website via shortener: {host}", WEIGHTS["shortener_website"]))
    return out


def _reason(text: str, weight: float) -> dict[str, Any]:
    return {"model": "spam", "kind": "author", "text": text, "weight": weight, "span": None}
