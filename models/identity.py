"""Identity terms, and the training weights that stop them reading as abuse on their own.

In the toxicity training data most comments that mention some identities are abusive
(85% of the Jigsaw and OLID rows that say "gay", 78% of those that say "jew"), so a
linear model learns the word itself as evidence, and "I am gay." scored 0.998: the
unintended bias Dixon et al. (2018, "Measuring and Mitigating Unintended Bias in Text
Classification") measured in Jigsaw's own models. Their remedy is to balance the data
so that each identity term's toxic share matches the corpus's; here it is done by
weighting: for every term whose rows are more toxic than the corpus, the non-toxic rows
that mention it get a weight that brings the weighted toxic share down to the corpus
share (capped). Rows that mention several terms take the largest factor.

The alt-profanity-check port (``models.apc``) learned the same bias from its own data
("I am gay." alone gets 0.9+ from it), and it only knows profanity, so it is given the
text without these words (``port_ignores``): an identity word is never profanity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Singular and plural forms where both are common. Lower-case, matched as whole words.
IDENTITY_TERMS = (
    "gay", "gays", "lesbian", "lesbians", "bisexual", "transgender", "trans", "queer",
    "lgbt", "lgbtq", "homosexual", "heterosexual", "straight",
    "black", "white", "african", "african american", "asian", "hispanic", "latino",
    "latina", "mexican", "arab", "indian", "chinese", "native american",
    "jewish", "jew", "jews", "muslim", "muslims", "islam", "christian", "christians",
    "catholic", "hindu", "sikh", "buddhist", "atheist",
    "immigrant", "immigrants", "refugee", "refugees",
    "disabled", "deaf", "blind", "woman", "women", "female", "feminist",
    "old", "elderly", "young", "teenage",
)  # fmt: skip
MAX_FACTOR = 10.0  # no non-toxic row counts for more than this many

_TERM_RE = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(IDENTITY_TERMS, key=len, reverse=True)) + r")\b"
)


def port_ignores() -> list[str]:
    """Return the single words the profanity port skips (the words of every term)."""
    return sorted({word for term in IDENTITY_TERMS for word in term.split()})


_WORDS_RE = re.compile(r"\b(" + "|".join(map(re.escape, port_ignores())) + r")\b", re.I)


def mask(texts: Sequence[str]) -> list[str]:
    """Return the texts with identity-term words removed (what the port reads)."""
    return [_WORDS_RE.sub(" ", text) for text in texts]


def mentions(texts: Sequence[str]) -> list[set[str]]:
    """Return the identity terms each text mentions (lower-cased whole words)."""
    return [set(_TERM_RE.findall(text.lower())) for text in texts]


def balance_weights(texts: Sequence[str], labels: Sequence[int], weights: np.ndarray) -> np.ndarray:
    """Return ``weights`` with the non-toxic rows of over-toxic identity terms scaled up.

    For a term t with weighted toxic mass P_t and non-toxic mass N_t among the rows that
    mention it, and a corpus toxic share s, its non-toxic rows get the factor
    ``P_t (1 - s) / (s N_t)`` (the one that makes the term's weighted toxic share s),
    when that is above 1, at most ``MAX_FACTOR``.
    """
    y = np.asarray(labels)
    w = np.asarray(weights, dtype=float).copy()
    share = w[y == 1].sum() / w.sum()
    found = mentions(texts)
    factor: dict[str, float] = {}
    for term in IDENTITY_TERMS:
        rows = np.array([term in f for f in found])
        pos, neg = w[rows & (y == 1)].sum(), w[rows & (y == 0)].sum()
        if neg > 0:
            factor[term] = min(max(pos * (1 - share) / (share * neg), 1.0), MAX_FACTOR)
    for i, terms in enumerate(found):
        if y[i] == 0 and terms:
            w[i] *= max(factor.get(t, 1.0) for t in terms)
    return w
