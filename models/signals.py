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

import numpy as np

from models import dehumanising, disguised, promotion, threats
from models.terms import KINDS, TermIndex, match_terms, read_terms
from models.text import SEP, Normalized, shift

#: The bounded repetitions (a DNS label is at most 63 characters; 10 labels is more than
#: any real host) keep each start's scan short: ``(?:[a-z0-9-]+\.)+`` scanned to the end
#: of a dotted run from every word start, so "a.a.a.…" took 0.8 s for 5,000 characters
#: (quadratic; found in review). Same matches on every text of every dataset and 300,000
#: random strings (``tests/models/test_signals_redos.py``), about 10 ms at worst.
URL_RE = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b(?:[a-z0-9-]{1,63}\.){1,10}(?:com|net|org|info|biz|ru|co|ly|io|me|us|uk|xyz|top|site|online"
    r"|club|tk|gl|be|in|de|fr|ws|cc|link|live|shop|store|app|gg)\b(?:/[^\s<>\"'()\[\]]*)?"
)
EMAIL_RE = re.compile(r"(?i)\b[\w.+-]{1,64}@([a-z0-9-]+(?:\.[a-z0-9-]+)+)\b")  # local part ≤ 64
PHONE_RE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,16}\d(?!\w)")
HANDLE_RE = re.compile(r"(?<!\w)[@#][A-Za-z_][\w.]{2,}")
EMOJI_RE = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
EMOJI_RUN_RE = re.compile("(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]\ufe0f?){3,}")
SHOUT_RE = re.compile(r"[!?]{3,}|\$\$+")

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
    "repetition", "handle", "long", "digits", "link_share", "link_few_words", "threat",
    "dehumanising", "promotion", "disguised_link", *KINDS,
)  # fmt: skip


@dataclass(frozen=True)
class Phrase:
    """A phrase column: its expression and the word test that picks its candidates.

    A comment is a candidate when it has a ``triggers`` word and, if ``targets`` is
    given, a ``targets`` word too; or any ``standalone`` word. The expression runs on the
    normalised text of the candidates only. ``value`` is the column's value when the
    expression matches: below 1 it is a stronger prior against a large weight (an l2
    penalty on a column scaled by ``value`` is one on its log-odds divided by ``value``²).
    """

    pattern: re.Pattern[str]
    triggers: tuple[str, ...]
    targets: tuple[str, ...] = ()
    standalone: tuple[str, ...] = ()
    value: float = 1.0


PHRASES = {
    "threat": Phrase(threats.THREAT_RE, threats.TRIGGERS, threats.TARGETS, threats.STANDALONE),
    "dehumanising": Phrase(dehumanising.DEHUMANISING_RE, dehumanising.TRIGGERS),
    "promotion": Phrase(promotion.PROMOTION_RE, promotion.TRIGGERS),
    "disguised_link": Phrase(
        disguised.DISGUISED_LINK_RE, disguised.TRIGGERS, value=disguised.VALUE
    ),
}
WORD_RE = re.compile(r"\w+")
SEP_CODE = ord(SEP)
_ALNUM = np.array([chr(i).isalnum() for i in range(128)])
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
    return {**out, **read_terms(root)}


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
        self.sets = {
            key: frozenset(value.split("\n")) - {""}
            for key, value in lists.items()
            if key not in KINDS
        }
        self.terms = TermIndex.build(lists)

    def listed(self, key: str, host: str) -> bool:
        """Return whether ``host`` or one of its parent domains is on list ``key``."""
        entries = self.sets.get(key, frozenset())
        labels = host.split(".")
        for i in range(len(labels) - 1):
            if ".".join(labels[i:]) in entries:
                return True
        return key == "spam_domains" and any(label in entries for label in labels[:-1])


def _doc_bounds(norm: Normalized, docs: np.ndarray) -> list[tuple[int, int, int]]:
    """Return ``(doc, start, end)`` of each document's original text in ``norm.joined``."""
    lengths = [len(norm.texts[i]) for i in docs.tolist()]
    return [
        (d, int(norm.starts[d]), int(norm.starts[d]) + n)
        for d, n in zip(docs.tolist(), lengths, strict=True)
    ]


def _per_doc(mask: np.ndarray, rdoc: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rdoc[mask], minlength=n + 1)[:n]


def analyze_signals(
    norm: Normalized,
    lists: SignalLists,
    tok_doc: np.ndarray,
    tok_hash: np.ndarray,
    phrase_docs: dict[str, np.ndarray],
) -> tuple[np.ndarray, dict[int, list[Hit]]]:
    """Return the structure feature matrix and the hits (with local spans) of a batch.

    Counts come from numpy over the joined original text; the regular expressions run
    only on the documents a cheap character test marks as candidates (``phrase_docs``:
    the candidates of each ``PHRASES`` column, from a word test).
    """
    n = len(norm.texts)
    raw, joined = norm.raw, norm.joined
    rdoc = np.cumsum(raw == SEP_CODE) - 1
    dense = np.zeros((n, len(NAMES)))
    col = {name: j for j, name in enumerate(NAMES)}
    hits: dict[int, list[Hit]] = {}
    nxt = np.concatenate((raw[1:], [0]))
    prev = np.concatenate(([0], raw[:-1]))

    def add(doc: int, hit: Hit) -> None:
        hits.setdefault(doc, []).append(hit)
        dense[doc, col[hit.feature]] = 1.0

    def local(doc: int, m: re.Match[str]) -> tuple[int, int]:
        return m.start() - int(norm.starts[doc]), m.end() - int(norm.starts[doc])

    dotted = (raw == ord(".")) & _ALNUM[np.minimum(nxt, 127)] & (nxt < 128)
    for doc, lo, hi in _doc_bounds(norm, np.flatnonzero(_per_doc(dotted, rdoc, n))):
        hosts: set[str] = set()
        links = linked = 0
        last = lo
        prose: list[str] = []
        for m in URL_RE.finditer(joined, lo, hi):
            if joined[m.start() - 1] == "@":
                continue  # the domain of an e-mail address
            host = host_of(m.group())
            hosts.add(host)
            links += 1
            linked += m.end() - m.start()
            prose.append(joined[last : m.start()])
            last = m.end()
            add(doc, Hit("has_link", host, local(doc, m)))
            if lists.listed("shorteners", host):
                add(doc, Hit("shortener", host, local(doc, m)))
            if lists.listed("spam_domains", host):
                add(doc, Hit("listed_domain", host, local(doc, m)))
        if not links:
            continue
        # How much of the comment is the link: a bare link reads differently from a cited one.
        words = len(WORD_RE.findall(" ".join([*prose, joined[last:hi]])))
        dense[doc, col["link_share"]] = linked / max(len(joined[lo:hi].strip()), 1)
        dense[doc, col["link_few_words"]] = max(0.0, 1.0 - words / 20)
        if links >= 2:
            add(doc, Hit("many_links", f"{links} links", None))
        if len(hosts) >= 2:
            add(doc, Hit("many_domains", f"{len(hosts)} domains", None))
    at = raw == ord("@")
    for doc, lo, hi in _doc_bounds(norm, np.flatnonzero(_per_doc(at, rdoc, n))):
        for m in EMAIL_RE.finditer(joined, lo, hi):
            add(doc, Hit("email", m.group(), local(doc, m)))
            if lists.listed("disposable", m.group(1).lower()):
                add(doc, Hit("disposable_email", m.group(1).lower(), local(doc, m)))
    digit = (raw >= ord("0")) & (raw <= ord("9"))
    digits = _per_doc(digit, rdoc, n)
    phones = lists.sets.get("phones", frozenset())
    for doc, lo, hi in _doc_bounds(norm, np.flatnonzero(digits >= 9)):
        for m in PHONE_RE.finditer(joined, lo, hi):
            number = re.sub(r"\D", "", m.group())
            if len(number) >= 9:
                add(doc, Hit("phone", m.group(), local(doc, m)))
                if number in phones:
                    add(doc, Hit("listed_phone", m.group(), local(doc, m)))
    handle = (at | (raw == ord("#"))) & ~_ALNUM[np.minimum(prev, 127)]
    for doc, lo, hi in _doc_bounds(norm, np.flatnonzero(_per_doc(handle, rdoc, n))):
        found = HANDLE_RE.search(joined, lo, hi)
        if found:
            add(doc, Hit("handle", found.group(), local(doc, found)))
    bang = (raw == ord("!")) | (raw == ord("?"))
    shout = (bang & shift(bang, 1) & shift(bang, 2)) | ((raw == 36) & (prev == 36))
    for doc, lo, hi in _doc_bounds(norm, np.flatnonzero(_per_doc(shout, rdoc, n))):
        found = SHOUT_RE.search(joined, lo, hi)
        if found:
            add(doc, Hit("shouting", found.group(), local(doc, found)))
    emoji = (
        ((raw >= 0x1F000) & (raw <= 0x1FAFF))
        | ((raw >= 0x2600) & (raw <= 0x27BF))
        | ((raw >= 0x2B00) & (raw <= 0x2BFF))
    )
    emojis = _per_doc(emoji, rdoc, n)
    for doc, lo, hi in _doc_bounds(norm, np.flatnonzero(emojis >= 3)):
        found = EMOJI_RUN_RE.search(joined, lo, hi)
        if found:
            add(doc, Hit("emoji_run", found.group(), local(doc, found)))
    lengths = np.array([len(t) for t in norm.texts], dtype=float)
    upper = _per_doc((raw >= 65) & (raw <= 90), rdoc, n)
    lower = _per_doc((raw >= 97) & (raw <= 122), rdoc, n)
    letters = upper + lower
    dense[:, col["caps"]] = np.where(letters >= 12, upper / np.maximum(letters, 1), 0.0)
    dense[:, col["emoji"]] = np.minimum(emojis / 5.0, 1.0)
    dense[:, col["digits"]] = digits / np.maximum(lengths, 1)
    dense[:, col["long"]] = np.minimum(lengths / 1000.0, 1.0)
    dense[:, col["repetition"]] = _repetition(tok_doc, tok_hash, n)
    for name, docs in phrase_docs.items():
        bounds = np.searchsorted(norm.doc, np.stack([docs, docs + 1]))
        for doc, lo, hi in zip(docs.tolist(), *bounds.tolist(), strict=True):
            text = norm.codes[lo:hi].tobytes().decode("utf-32-le")
            found = PHRASES[name].pattern.search(text)
            if found:
                a, b = norm.origin[lo + found.start()], norm.origin[lo + found.end() - 1] + 1
                span = (int(a) - int(norm.starts[doc]), int(b) - int(norm.starts[doc]))
                add(doc, Hit(name, norm.texts[doc][span[0] : span[1]], span))
                dense[doc, col[name]] = PHRASES[name].value
    return dense, hits


def add_terms(
    norm: Normalized,
    lists: SignalLists,
    plain: tuple[np.ndarray, np.ndarray, np.ndarray],
    dense: np.ndarray,
    hits: dict[int, list[Hit]],
) -> None:
    """Fill the spam-term columns of ``dense`` and add one hit per matched term."""
    start, end, tok_hash = plain
    terms, matches = match_terms(lists.terms, norm.doc[start], tok_hash, len(norm.texts))
    dense[:, len(NAMES) - len(KINDS) :] = terms
    if len(matches.doc) == 0:
        return
    base = norm.starts[matches.doc]
    lo = (norm.origin[start[matches.first]] - base).tolist()
    hi = (norm.origin[end[matches.last] - 1] - base + 1).tolist()
    for doc, kind, a, b in zip(matches.doc.tolist(), matches.kind.tolist(), lo, hi, strict=True):
        hits.setdefault(doc, []).append(Hit(KINDS[kind], norm.texts[doc][a:b], (a, b)))


def _repetition(tok_doc: np.ndarray, tok_hash: np.ndarray, n: int) -> np.ndarray:
    """Return 1 - distinct/total words per document (0 below 6 words)."""
    total = np.bincount(tok_doc, minlength=n)
    if len(tok_doc) == 0:
        return np.zeros(n)
    order = np.lexsort((tok_hash, tok_doc))
    d, h = tok_doc[order], tok_hash[order]
    first = np.concatenate(([True], (d[1:] != d[:-1]) | (h[1:] != h[:-1])))
    distinct = np.bincount(d[first], minlength=n)
    return np.where(total >= 6, 1.0 - distinct / np.maximum(total, 1), 0.0)
