"""Spam structure signals: links, domains on curated lists, phones, e-mails, shouting.

The curated lists (SmokeDetector websites and numbers, Matomo referrer spam, URL
shorteners, disposable e-mail domains) are read once at training time and stored in the
artifact as plain strings, so scoring never reads the data directory. Matches become
model features with learned weights, never automatic verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

URL_RE = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|ru|co|ly|io|me|us|uk|xyz|top|site|online"
    r"|club|tk|gl|be|in|de|fr|ws|cc|link|live|shop|store|app|gg)\b(?:/[^\s<>\"'()\[\]]*)?"
)
EMAIL_RE = re.compile(r"(?i)\b[\w.+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)\b")
PHONE_RE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,16}\d(?!\w)")
HANDLE_RE = re.compile(r"(?<!\w)[@#][A-Za-z_][\w.]{2,}")
EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
EMOJI_RUN_RE = re.compile("(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]\ufe0f?){3,}")
SHOUT_RE = re.compile(r"[!?]{3,}|\$\$+")
WORD_RE = re.compile(r"\w+")

LIST_FILES = {
    "spam_domains": [
        "referrer-spam-domains/spammers.txt",
        "smokedetector-spam-patterns/blacklisted_websites.txt",
    ],
    "shorteners": ["url-shorteners/list"],
    "disposable": ["disposable-email-domains/disposable_email_blocklist.conf"],
    "phones": ["smokedetector-spam-patterns/blacklisted_numbers.txt"],
}
NAMES = (
    "has_link", "many_links", "many_domains", "shortener", "listed_domain", "phone",
    "listed_phone", "email", "disposable_email", "caps", "shouting", "emoji", "emoji_run",
    "repetition", "handle", "long", "digits",
)  # fmt: skip
_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = _UPPER.lower()
_DIGITS = b"0123456789"
_LITERAL_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\\\.[a-z0-9-]+)+$")


def read_lists(root: Path) -> dict[str, str]:
    """Read the curated lists into newline-joined strings (literal entries only)."""
    out: dict[str, str] = {}
    for key, files in LIST_FILES.items():
        entries: set[str] = set()
        for name in files:
            for raw in (root / name).read_text(encoding="utf-8").splitlines():
                line = raw.strip().lower()
                if not line or line.startswith("#"):
                    continue
                if key == "phones":
                    entries.add(re.sub(r"\D", "", line))
                elif "\\" in line or not re.search(r"[()\[\]?*+{}|^$]", line):
                    if "\\" in line and not _LITERAL_DOMAIN.match(line):
                        continue
                    entries.add(line.replace("\\.", "."))
        out[key] = "\n".join(sorted(entries))
    return out


def host_of(url: str) -> str:
    """Return the lower-cased host of a URL or bare domain."""
    host = re.sub(r"(?i)^(?:[a-z]+://)?(?:www\.)?", "", url.strip())
    return re.split(r"[/?#:]", host, maxsplit=1)[0].lower().rstrip(".")


@dataclass(frozen=True)
class Hit:
    """One signal found in a comment: feature name, label, and span (or ``None``)."""

    feature: str
    label: str
    span: tuple[int, int] | None


class SignalLists:
    """Set lookups over the curated lists."""

    def __init__(self, lists: dict[str, str]):
        """Build lookup sets from newline-joined list strings."""
        self.sets = {key: frozenset(value.split("\n")) - {""} for key, value in lists.items()}

    def listed(self, key: str, host: str) -> bool:
        """Return whether ``host`` or one of its parent domains is on list ``key``."""
        entries = self.sets.get(key, frozenset())
        labels = host.split(".")
        for i in range(len(labels) - 1):
            if ".".join(labels[i:]) in entries:
                return True
        return key == "spam_domains" and any(label in entries for label in labels[:-1])

    def hits(self, text: str) -> list[Hit]:
        """Return the structure signals found in ``text``."""
        found: list[Hit] = []
        hosts: set[str] = set()
        for m in URL_RE.finditer(text) if "." in text else ():
            host = host_of(m.group())
            if "@" in text[max(0, m.start() - 1) : m.start()]:
                continue  # the domain of an e-mail address
            hosts.add(host)
            found.append(Hit("has_link", host, m.span()))
            if self.listed("shorteners", host):
                found.append(Hit("shortener", host, m.span()))
            if self.listed("spam_domains", host):
                found.append(Hit("listed_domain", host, m.span()))
        links = sum(h.feature == "has_link" for h in found)
        if links >= 2:
            found.append(Hit("many_links", f"{links} links", None))
        if len(hosts) >= 2:
            found.append(Hit("many_domains", f"{len(hosts)} domains", None))
        for m in EMAIL_RE.finditer(text) if "@" in text else ():
            found.append(Hit("email", m.group(), m.span()))
            if self.listed("disposable", m.group(1).lower()):
                found.append(Hit("disposable_email", m.group(1).lower(), m.span()))
        for m in PHONE_RE.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) >= 9:
                found.append(Hit("phone", m.group(), m.span()))
                if digits in self.sets.get("phones", ()):
                    found.append(Hit("listed_phone", m.group(), m.span()))
        found += [Hit("handle", m.group(), m.span()) for m in HANDLE_RE.finditer(text)][:1]
        found += [Hit("shouting", m.group(), m.span()) for m in SHOUT_RE.finditer(text)][:1]
        if not text.isascii():
            found += [Hit("emoji_run", m.group(), m.span()) for m in EMOJI_RUN_RE.finditer(text)][
                :1
            ]
        return found

    def vector(self, text: str, hits: list[Hit]) -> list[float]:
        """Return the dense structure feature values for one comment."""
        values = dict.fromkeys(NAMES, 0.0)
        for hit in hits:
            values[hit.feature] = 1.0
        raw = text.encode("ascii", "ignore")
        upper = len(raw) - len(raw.translate(None, _UPPER))
        lower = len(raw) - len(raw.translate(None, _LOWER))
        if upper + lower >= 12:
            values["caps"] = upper / (upper + lower)
        if not text.isascii():
            values["emoji"] = min(len(EMOJI_RE.findall(text)) / 5.0, 1.0)
        words = WORD_RE.findall(text.lower())
        if len(words) >= 6:
            values["repetition"] = 1.0 - len(set(words)) / len(words)
        values["digits"] = (len(raw) - len(raw.translate(None, _DIGITS))) / max(len(text), 1)
        values["long"] = min(len(text) / 1000.0, 1.0)
        return [values[name] for name in NAMES]
