"""The embed's one string catalogue (``strings.json``), shared by the widget and the no-JS form.

English is complete and is the fallback for any missing string; a language is
chosen by a BCP 47 tag (``data-lang`` or the page's ``lang``): exact match,
then its primary subtag, then English.

Plural forms (``count_*``, ``wait_*``) are keyed by CLDR plural category. The widget
picks them with the browser's ``Intl``; the server (no ICU here) with ``PLURAL_RULES``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

DEFAULT = "en"
RTL = frozenset({"ar", "fa", "he", "ur"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Return every language's strings, keyed by language code."""
    text = resources.files("service.embed").joinpath("strings.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return data


def pick(tag: str | None) -> str:
    """Return the catalogue language for a BCP 47 tag (``fr-CA`` → ``fr``), else English."""
    if not tag:
        return DEFAULT
    wanted = tag.strip().replace("_", "-").lower()
    languages = catalogue()
    if wanted in languages:
        return wanted
    primary = wanted.split("-", 1)[0]
    return primary if primary in languages else DEFAULT


def direction(lang: str) -> str:
    """Return ``rtl`` for right-to-left languages, else ``ltr``."""
    return "rtl" if lang.split("-", 1)[0] in RTL else "ltr"


def fill(template: str, params: dict[str, Any]) -> str:
    """Replace ``{name}`` placeholders, exactly as the widget does."""
    return _PLACEHOLDER.sub(lambda m: str(params.get(m.group(1), m.group(0))), template)


def _arabic(n: int) -> str:
    tens = n % 100
    if n in (0, 1, 2):
        return ("zero", "one", "two")[n]
    return "few" if 3 <= tens <= 10 else "many" if 11 <= tens <= 99 else "other"


#: CLDR's plural rules for whole numbers, per catalogue language.
PLURAL_RULES: dict[str, Callable[[int], str]] = {
    "en": lambda n: "one" if n == 1 else "other",
    "fr": lambda n: "one" if n in (0, 1) else "many" if n % 1_000_000 == 0 else "other",
    "ar": _arabic,
}


def wait_text(lang: str, seconds: int) -> str:
    """Say when to try again, as the widget's ``Intl.RelativeTimeFormat`` does: "in 40
    seconds" under a minute, else in whole minutes rounded up ("dans 2 minutes")."""
    unit, count = ("second", seconds) if seconds < 60 else ("minute", -(-seconds // 60))
    category = PLURAL_RULES.get(lang, PLURAL_RULES[DEFAULT])(count)
    return translator(lang)(f"wait_{unit}_{category}", count=count)


def translator(lang: str) -> Callable[..., str]:
    """Return ``t(key, **params)`` for ``lang``, falling back to English per string."""
    strings = {**catalogue()[DEFAULT], **catalogue().get(lang, {})}

    def t(key: str, **params: Any) -> str:
        return fill(strings[key], params)

    return t
