"""alt-profanity-check's model, ported to plain arrays: one input of the toxicity model.

alt-profanity-check (MIT; Victor Zhou, Menelaos Kotoglou, Dimitrios Mistriotis) ships a
``TfidfVectorizer`` (word unigrams, English stop words removed) and five sigmoid-
calibrated ``LinearSVC`` whose probabilities it averages; it was trained on Davidson et
al. and the Kaggle Jigsaw train file. ``models.profanity.export_model`` reads those
numbers once, in the package's own environment, and the toxicity artifact stores them
(vocabulary, idf, coefficients, calibration) as plain data, so the package and its
pinned scikit-learn never enter the service. Here the same computation runs in numpy on
our normalised text (so ``f*ck`` spelled ``f u c k`` is found too): tokens are runs of
word characters of length 2+, as the package's ``(?u)\\b\\w\\w+\\b``.

Identity words (``models.identity.port_ignores``, stored as ``"ignore"``) are skipped, as
if absent from the text: the package learned "gay" as profanity, and an identity word
never is. The toxicity model adds ``weight * max(logit(p) - offset, 0)`` to its own log-odds: the
port adds evidence of profanity and never removes any, so threats written without
profanity keep their score (see MODEL_CARD.md for the numbers behind this choice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from models.featurize import Batch, plain_tokens, span_hashes
from models.text import normalize_batch


class ProfanityPort:
    """The ported alt-profanity-check model and the hinge that adds it to ours."""

    def __init__(self, model: Mapping[str, Any]):
        """Wrap the plain data stored under ``"profanity"`` in the toxicity artifact."""
        words = str(model["words"]).split("\n")
        self.idf = np.asarray(model["idf"], dtype=np.float64)
        self.coef = np.asarray(model["coef"], dtype=np.float64)  # (members, words)
        self.intercept = np.asarray(model["intercept"], dtype=np.float64)
        self.a = np.asarray(model["a"], dtype=np.float64)
        self.b = np.asarray(model["b"], dtype=np.float64)
        self.weight, self.offset = float(model["weight"]), float(model["offset"])
        if self.coef.shape != (len(self.a), len(words)) or len(self.idf) != len(words):
            raise ValueError("profanity port arrays do not match its vocabulary")
        norm = normalize_batch(words)
        starts, ends = _long(*plain_tokens(norm.codes))
        hashes = span_hashes(norm.codes, starts, ends)
        doc = norm.doc[starts]
        single = np.bincount(doc, minlength=len(words)) == 1  # words that stay one token
        # Words the port skips (identity terms, ``models.identity``): as if not in the text.
        ignore = set(str(model.get("ignore", "")).split("\n")) - {""}
        skipped = np.array([w.lower() in ignore for w in words], dtype=bool)
        keep = single[doc] & ~skipped[doc]
        order = np.argsort(hashes[keep], kind="stable")
        self.hashes = hashes[keep][order]
        self.index = doc[keep][order]
        # Linearised per-word weight, used only to say which words carried the score.
        self.linear = (-self.a[:, None] * self.coef).mean(axis=0) * self.idf

    def logits(self, batch: Batch) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Return the package's log-odds per document and (token start, word) matches."""
        starts, ends, hashes = batch.plain
        long = ends - starts >= 2
        starts, hashes = starts[long], hashes[long]
        pos = np.minimum(np.searchsorted(self.hashes, hashes), max(len(self.hashes) - 1, 0))
        hit = (self.hashes[pos] == hashes) if len(self.hashes) else np.zeros(len(hashes), bool)
        starts, word = starts[hit], self.index[pos[hit]]
        doc = batch.norm.doc[starts]
        n, v = len(batch.texts), len(self.idf)
        keys, counts = np.unique(doc * v + word, return_counts=True)
        k_doc, k_word = keys // v, keys % v
        tfidf = counts * self.idf[k_word]
        norms = np.sqrt(np.bincount(k_doc, tfidf**2, minlength=n))
        tfidf = tfidf / np.maximum(norms[k_doc], 1e-12)
        dots = [np.bincount(k_doc, tfidf * c[k_word], minlength=n) for c in self.coef]
        scores = np.stack(dots).astype(np.float64) + self.intercept[:, None]
        p = (1.0 / (1.0 + np.exp(self.a[:, None] * scores + self.b[:, None]))).mean(axis=0)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return np.log(p) - np.log1p(-p), (starts, word)

    def term(self, logits: np.ndarray) -> np.ndarray:
        """Return what the port adds to the toxicity log-odds."""
        return self.weight * np.maximum(logits - self.offset, 0.0)


def _long(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep tokens of 2+ characters, as the package's ``\\w\\w+``."""
    keep = ends - starts >= 2
    return starts[keep], ends[keep]
