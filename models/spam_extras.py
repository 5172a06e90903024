"""Spam made from lists and templates: WordPress spam-bot templates, tg-spam lines and
synthetic keyword spam.

The training spam has almost no pharma, casino, replica, loan or SEO spam; these
sources add it (``models/MODEL_CARD.md``, "Spam terms, blog spam templates, synthetic
keyword spam"). Every expansion and draw is seeded here, in code.
"""

from __future__ import annotations

import random
import re

from models.data import Corpus, data_dir, dedup, dedup_key, has_link, jigsaw_train

_WS = re.compile(r"\s+")

TEMPLATE_SEED = 0  # the spintax expansion is seeded here, in code
TEMPLATES_PER_ENTRY = 4  # at most this many distinct comments per spam-bot template
_SPIN = re.compile(r"\{([^{}]*)\}")


def spam_templates(text: str) -> list[str]:
    """Split WordPress ``constructs.txt`` into its spintax templates (``|`` at top level)."""
    templates: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "|" and depth == 0:
            templates.append("".join(current))
            current = []
            continue
        depth += (char == "{") - (char == "}")
        current.append(char)
    templates.append("".join(current))
    return [t.strip().rstrip("\\").strip() for t in templates if len(t.strip()) > 20]


def spin(template: str, rng: random.Random) -> str:
    """Return one expansion of a spintax template (innermost ``{a|b}`` first)."""
    while True:
        text = _SPIN.sub(lambda m: rng.choice(m.group(1).split("|")), template)
        if text == template:
            break
        template = text
    paragraphs = re.split(r"\n\s*\n", template)
    return "\n\n".join(_WS.sub(" ", p).strip() for p in paragraphs if p.strip())


def wordpress_spam() -> Corpus:
    """Expand the WordPress spam-bot templates (MIT) into a seeded, capped set of spam.

    Each template gives up to ``TEMPLATES_PER_ENTRY`` distinct comments drawn with
    ``random.Random(TEMPLATE_SEED)``; the group of a comment is its template's index, so
    cross-validation can hold out whole templates.
    """
    path = data_dir() / "wordpress-comment-blocklist" / "reference" / "constructs.txt"
    corpus = Corpus("wordpress-comment-blocklist", files=[path])
    rng = random.Random(TEMPLATE_SEED)
    for i, template in enumerate(spam_templates(path.read_text(encoding="utf-8"))):
        seen: set[str] = set()
        for _ in range(3 * TEMPLATES_PER_ENTRY):
            text = spin(template, rng)
            if dedup_key(text) not in seen:
                seen.add(dedup_key(text))
                corpus.texts.append(text)
                corpus.labels.append(1)
                corpus.groups.append(f"wordpress-comment-blocklist:{i}")
            if len(seen) == TEMPLATES_PER_ENTRY:
                break
    return corpus


def _is_english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) >= 0.9 * len(letters)


def tg_spam() -> Corpus:
    """Load the English tg-spam spam lines (MIT; Telegram group spam), de-duplicated."""
    path = data_dir() / "tg-spam-samples" / "spam-samples.txt"
    corpus = Corpus("tg-spam-samples", files=[path])
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and _is_english(line):
            corpus.texts.append(line.strip())
            corpus.labels.append(1)
    return dedup(corpus)


TERM_SPAM_ROWS = 600  # synthetic keyword-stuffed comments (see ``term_spam``)
TERM_SPAM_SEED = 0
_DOMAIN = re.compile(r"^[a-z0-9-]+\.[a-z]{2,6}$")


def term_spam(lists: dict[str, str], rows: int = TERM_SPAM_ROWS) -> Corpus:
    """Return synthetic keyword spam: list terms and a listed domain, alone or in a carrier.

    Real blog spam often copies an ordinary comment and adds keywords and a link, or is
    nothing but keywords and a link. Each row draws 1-3 terms from the (pruned) WordPress
    and SmokeDetector term lists and, half the time, a link to a domain on the WordPress
    blocklist; two rows in three put them into an ordinary comment (a non-toxic Jigsaw
    train comment without links, which the spam model never sees as ham), the rest stand
    alone. Seeded with ``TERM_SPAM_SEED``; the group is the synthetic source.
    """
    rng = random.Random(TERM_SPAM_SEED)
    terms = sorted(
        t for kind in ("spam_term", "spam_keyword") for t in lists.get(kind, "").split("\n") if t
    )
    phrases = set(lists.get("spam_phrase", "").split("\n"))
    blocklist = data_dir() / "wordpress-comment-blocklist" / "blacklist.txt"
    domains = sorted(
        d
        for d in (x.strip().lower() for x in blocklist.read_text(encoding="utf-8").splitlines())
        if _DOMAIN.match(d) and re.sub(r"[-.]+", " ", d) in phrases
    )
    jigsaw = jigsaw_train()
    carriers = sorted(
        t.strip()
        for t, y in zip(jigsaw.texts, jigsaw.labels, strict=True)
        if not y and not has_link(t) and 20 <= len(t.strip()) <= 400
    )
    corpus = Corpus("synthetic-term-spam", files=[blocklist, *jigsaw.files])
    for _ in range(rows):
        words = rng.sample(terms, rng.randint(1, 3))
        if rng.random() < 0.5:
            words.append(f"http://{rng.choice(domains)}")
        stuffing = " ".join(words)
        if rng.random() < 2 / 3:
            carrier = rng.choice(carriers)
            text = f"{carrier} {stuffing}" if rng.random() < 0.7 else f"{stuffing} {carrier}"
        else:
            text = stuffing
        corpus.texts.append(text)
        corpus.labels.append(1)
    corpus.groups = ["synthetic-term-spam"] * len(corpus)
    return dedup(corpus)
