"""Train-side experiments behind the recipe choices quoted in ``models/MODEL_CARD.md``.

Nothing here touches an evaluation split (YouTube pilot, SMS test, held-out link
comments, Jigsaw official test, OLID test, CAT-LARGE, ETHOS, Davidson, DataCamp).

- ``spam``: grouped 5-fold cross-validation on the training sources. Fold k leaves out
  YouTube video k and a seeded fifth of every other source (SMS train split, the training
  part of the legitimate link comments, Instagram, Janitr); the model trained on the
  rest scores what was left out. Reports YouTube cross-video mean ROC AUC and F1 at 0.5,
  what the default policy does with a left-out video (spam and ham ≥ 0.95, ham < 0.5),
  the share of left-out legitimate link comments at ≥ 0.5 / ≥ 0.95, and out-of-fold AUCs;
  the expanded WordPress spam-bot templates (whole templates left out together) and the
  English tg-spam lines and the synthetic keyword spam are scored out of fold too (share
  at ≥ 0.5), used or not.
- ``toxicity``: a seeded 25% holdout of the Jigsaw train subsets and of OLID train (minus
  the threshold slice); reports Jigsaw holdout ROC AUC (any label; threat vs clean),
  OLID holdout ROC AUC and macro-F1 at the threshold picked on the OLID train slice (or,
  with ``oof``, on k-fold out-of-fold scores of the OLID training rows plus the slice), and
  the ``+ alt-profanity-check`` variants scored with the package in its own environment;
  and bias metrics (Borkan et al. 2019) on the holdout rows that mention an identity
  term (``models/identity.py``): subgroup AUC, BPSN AUC, non-toxic share ≥ 0.5 / ≥ 0.98;
  the ROC AUC on the Stormfront sentences (a development set: not trained on by the
  shipped recipe, not an evaluation split) and the scores of hand-written probes
  (threats, identity mentions, dehumanising abuse and look-alikes).
- ``copies`` (spam): per-source feature copies (Daumé 2007) for the named sources; only
  the shared block scores (``CompactLogisticRegression.domain_scale``).

Run: ``python bench/model_choices.py spam [name …]`` or ``… toxicity [name …]`` (one
configuration takes one to three minutes on two cores).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from models import data, identity, profanity, signals, spam_extras
from models.evaluate import best_threshold
from models.features import CommentFeatures
from models.featurize import analyze
from models.pipeline import MEMBERS, SEED, build_pipeline
from models.signals import NAMES, read_lists
from models.train import olid_split

LISTS = read_lists(data.data_dir())
PLAIN, NB = {"C": 10.0}, {"C": 10.0, "nb_alpha": 1.0}
SPAM = ("yt", "sms", "links", "instagram", "janitr")
SHIPPED = {"use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True}
SPAM_CONFIGS: dict[str, dict[str, Any]] = {
    "youtube+sms (previous recipe)": {"use": ("yt", "sms"), "weights": {"sms": 0.5}},
    "youtube only": {"use": ("yt",), "balance": True},
    "+ link comments": {"use": ("yt", "sms", "links"), "weights": {"sms": 0.5}},
    "+ link comments, balanced": {
        "use": ("yt", "sms", "links"), "weights": {"sms": 0.5}, "balance": True,
    },
    "+ Instagram + Janitr, balanced": {"use": SPAM, "weights": {"sms": 0.5}, "balance": True},
    "same, SMS weight 1": {"use": SPAM, "balance": True},
    "same, YouTube and links weight 3": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
    },
    "same, NB-scaled member": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True, "members": [NB],
    },
    "same, SMS weight 2": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0, "sms": 2.0}, "balance": True,
    },
    "shipped: plain + NB log-odds average": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": MEMBERS["spam"],
    },
    # Spam terms (WordPress blocklist, SmokeDetector keywords) and blog-style spam.
    "shipped before spam terms (C=20, no term columns)": {
        **SHIPPED, "members": MEMBERS["spam"], "terms": False,
    },
    "+ spam-term columns": {**SHIPPED, "members": MEMBERS["spam"]},
    "+ spam terms, WordPress templates + tg-spam, weight 1": {
        **SHIPPED, "use": (*SPAM, "wp", "tg"), "members": MEMBERS["spam"],
    },
    "+ spam terms, WordPress templates + tg-spam, weight 3": {
        **SHIPPED, "use": (*SPAM, "wp", "tg"), "members": MEMBERS["spam"],
        "weights": {"yt": 3.0, "links": 3.0, "wp": 3.0, "tg": 3.0},
    },
    "+ spam terms, WordPress templates + tg-spam, weight 0.5": {
        **SHIPPED, "use": (*SPAM, "wp", "tg"), "members": MEMBERS["spam"],
        "weights": {"yt": 3.0, "links": 3.0, "wp": 0.5, "tg": 0.5},
    },
    "+ synthetic term spam, weight 1": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
    },
    "shipped, calibration folds keep each YouTube video together": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "video_calibration": True,
    },
    "+ synthetic term spam, weight 0.5": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "weights": {"yt": 3.0, "links": 3.0, "syn": 0.5},
    },
    "C=10 + per-source copies (all five)": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": [PLAIN, NB], "copies": SPAM,
    },
    "C=10 + per-source copies (SMS, Instagram, Janitr)": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": [PLAIN, NB], "copies": ("sms", "instagram", "janitr"),
    },
    "previous version: plain + NB, C=10": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": [PLAIN, NB],
    },
    "C=5 both members": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": [{"C": 5.0}, {"C": 5.0, "nb_alpha": 1.0}],
    },
    "C=20 both members (= shipped)": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": [{"C": 20.0}, {"C": 20.0, "nb_alpha": 1.0}],
    },
    # The self-promotion column (models/promotion.py): off, then on (shipped).
    "shipped without the self-promotion column": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "drop": ("promotion",),
    },
    "shipped (self-promotion column)": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
    },
    # What each source costs or brings: the shipped recipe without one of them.
    **{
        f"shipped without {label}": {
            **SHIPPED, "use": tuple(k for k in (*SPAM, "wp", "tg", "syn") if k not in keys),
            "members": MEMBERS["spam"],
        }
        for label, keys in (
            ("SMS", ("sms",)), ("Instagram", ("instagram",)), ("Janitr", ("janitr",)),
            ("the link comments", ("links",)),
            ("templates, tg-spam, synthetic", ("wp", "tg", "syn")),
        )
    },
    # The disguised-link column (models/disguised.py): off, then on (shipped).
    "shipped without the disguised-link column": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "drop": ("disguised_link",),
    },
    "shipped (disguised-link column)": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
    },
    "shipped, disguised-link column at value 1": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "disguised_value": 1.0,
    },
    "shipped + IDF on the n-gram columns": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"], "idf": True,
    },
    # The link-conditional n-gram copy (CommentFeatures.link_cross; shipped at 1.0).
    "shipped without the link-conditional n-gram copy": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "features": {"link_cross": 0.0},
    },
    **{
        f"shipped, link-conditional n-gram copy at scale {scale:g}": {
            **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
            "features": {"link_cross": scale},
        }
        for scale in (0.5, 1.0, 2.0)
    },
    **{
        f"shipped (link-conditional copy), C={c:g} both members": {
            **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"),
            "members": [{"C": c}, {"C": c, "nb_alpha": 1.0}],
        }
        for c in (10.0, 40.0)
    },
    "shipped, n-gram copy for comments with a link, phone or e-mail": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "contact_cross": True,
    },
    # n-gram ranges (shipped: word 1-2, char 2-5; the featuriser supports word 1-2, char 2+)
    "shipped, char 2-6": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "features": {"char_ngrams": (2, 6)},
    },
    "shipped, char 3-6": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "features": {"char_ngrams": (3, 6)},
    },
    # Hash width: 2^20 columns (a quarter words, the rest characters) hold well over a
    # million distinct n-grams of the training text; do collisions cost accuracy?
    "shipped, 2^21 hashed columns": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "features": {"n_bits": 21},
    },
    # Source weights again, with the link-conditional copy (the weights were chosen before it).
    "shipped, link comments weight 1.5": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "weights": {"yt": 3.0, "links": 1.5},
    },
    "shipped, YouTube weight 5": {
        **SHIPPED, "use": (*SPAM, "wp", "tg", "syn"), "members": MEMBERS["spam"],
        "weights": {"yt": 5.0, "links": 3.0},
    },
    "C=40 both members": {
        "use": SPAM, "weights": {"yt": 3.0, "links": 3.0}, "balance": True,
        "members": [{"C": 40.0}, {"C": 40.0, "nb_alpha": 1.0}],
    },
}  # fmt: skip
TOX = {"members": MEMBERS["toxicity"], "weights": {"olid": 2.0}, "port": True}
TOXICITY_CONFIGS: dict[str, dict[str, Any]] = {
    "Jigsaw + OLID, plain C=4 (previous recipe)": {"members": [{"C": 4.0}]},
    "+ Davidson": {"members": [{"C": 4.0}], "extra": ("davidson",)},
    "+ Stormfront": {"members": [{"C": 4.0}], "extra": ("stormfront",)},
    "NB-scaled C=4": {"members": [{"C": 4.0, "nb_alpha": 1.0}]},
    "NB-scaled C=4, OLID weight 2 (shipped before the identity terms)": TOX,
    "shipped, threshold from 5-fold OOF on all OLID train (slice trained on)": {**TOX, "oof": 5},
    "NB-scaled C=2, OLID weight 2": {**TOX, "members": [{"C": 2.0, "nb_alpha": 1.0}]},
    "NB-scaled C=8, OLID weight 2": {**TOX, "members": [{"C": 8.0, "nb_alpha": 1.0}]},
    "NB-scaled C=4, OLID weight 3": {**TOX, "weights": {"olid": 3.0}},
    "+ identity-term balancing": {**TOX, "identity_balance": True},
    "port skips identity words": {**TOX, "port_ignores_identity": True},
    "+ identity-term balancing, port skips identity words (shipped)": {
        **TOX, "identity_balance": True, "port_ignores_identity": True,
    },
    # Identity words masked in the training text (tried, not taken: MODEL_CARD.md).
    "shipped, identity words masked in training": {
        **TOX, "identity_balance": True, "port_ignores_identity": True, "mask_identity": "replace",
    },
    "shipped, masked copies of identity rows added": {
        **TOX, "identity_balance": True, "port_ignores_identity": True, "mask_identity": "copies",
    },
    "shipped, over-toxic identity terms masked in training (2x corpus share, 10+ rows)": {
        **TOX, "identity_balance": True, "port_ignores_identity": True,
        "mask_identity": "over-toxic",
    },
    # The dehumanising-phrase column (models/dehumanising.py): off, then on (shipped).
    "shipped without the dehumanising column": {
        **TOX, "identity_balance": True, "port_ignores_identity": True,
        "drop": ("dehumanising",),
    },
}  # fmt: skip
# Hand-written, printed for reading (not an evaluation split: models/evaluate.py has one).
IDENTITY_PROBES = [
    "I am gay.",
    "As a black woman, I found this piece moving.",
    "My neighbour is muslim and very kind.",
    "He is a proud homosexual.",
    "I am a lesbian.",
    "Being gay is normal.",
]
THREATS = [
    "Watch your back. I know where you live.",
    "I will find you and make you regret this.",
    "People like you should be dealt with, one way or another.",
]
DEHUMANISING = [  # hand-written before the column was built; the last four are not abuse
    "Muslims are vermin and should be thrown out of this country.",
    "These immigrants are nothing but parasites living off our taxes.",
    "Refugees are a plague on this town. Send them all back.",
    "Gypsies breed like rats, everyone knows it.",
    "Those people are animals, not human beings.",
    "Go back to your own country, nobody wants you here.",
    "Jews are a cancer on society.",
    "They are subhuman savages and they should be deported, every last one of them.",
    "Rats are vermin and the council has to deal with the infestation.",
    "The refugees were sent back to the border last week, the ministry said.",
    "My grandparents were immigrants and they worked hard all their lives.",
    "Deportation flights resumed on Monday, the Home Office said.",
]


def _folds(n: int, seed: int = 1) -> np.ndarray:
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    folds = np.empty(n, dtype=int)
    folds[idx] = np.arange(n) % 5
    return folds


def calibration_folds(labels: Any, clusters: Any, n_splits: int = 3) -> np.ndarray:
    """Return a fold id per training row for the sigmoid calibration's out-of-fold scores
    (tried, not taken: see MODEL_CARD.md, "Calibration").

    Rows that share a cluster key (e.g. one YouTube video) land in the same fold, so the
    calibration sees scores of comments from a video the model did not train on, as a
    new article's comments will be; other rows (unique keys) are spread at random,
    stratified by label.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.asarray(labels)
    folds = np.empty(len(labels), dtype=int)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(labels)), labels, clusters)):
        folds[test] = k
    return folds


def _balance(weights: np.ndarray, labels: np.ndarray) -> np.ndarray:
    for cls in (0, 1):
        weights[labels == cls] *= 0.5 * weights.sum() / weights[labels == cls].sum()
    return weights


def spam_sources() -> dict[str, tuple[data.Corpus, np.ndarray]]:
    """Return each spam training source with its fold of every row."""
    youtube = data.dedup(data.youtube())
    links_train, _ = data.link_ham_split()
    out = {"yt": (youtube, np.array([data.YOUTUBE_VIDEOS.index(g) for g in youtube.groups]))}
    for name, corpus in (
        ("sms", data.sms_split()[0]),
        ("links", links_train),
        ("instagram", data.instagram()),
        ("janitr", data.janitr()),
        ("tg", spam_extras.tg_spam()),
        ("syn", spam_extras.term_spam(LISTS)),
    ):
        out[name] = (corpus, _folds(len(corpus)))
    templates = spam_extras.wordpress_spam()  # whole templates are left out together
    ids = sorted(set(templates.groups))
    fold_of = dict(zip(ids, _folds(len(ids)).tolist(), strict=True))
    out["wp"] = (templates, np.array([fold_of[g] for g in templates.groups]))
    return out


class IdfFeatures(CommentFeatures):
    """The shipped features with smooth IDF on the hashed n-gram columns (tried, not taken).

    Document frequencies are counted per hashed column on the training rows;
    ``idf = ln((1 + n) / (1 + df)) + 1``, as scikit-learn's ``TfidfVectorizer`` does.
    """

    def fit(self, X: Any, y: Any = None) -> IdfFeatures:
        """Record the output width and the IDF of every hashed column."""
        super().fit(X, y)
        batch = analyze(X, self.params(), self.signal_lists())
        df = np.bincount(batch.col, minlength=2**self.n_bits)
        self.idf_ = np.log((1 + len(X)) / (1 + df)) + 1.0
        return self

    def analyze(self, X: Any) -> Any:
        """Return the featurised batch, n-gram values weighted by IDF."""
        return analyze(X, self.params(), self.signal_lists(), getattr(self, "idf_", None))


class ContactCrossFeatures(CommentFeatures):
    """The shipped features with the n-gram copy turned on by a link, a phone number or an
    e-mail address instead of a link only (tried, not taken)."""

    def analyze(self, X: Any) -> Any:
        """Return the featurised batch, its ``linked`` flag widened to contact details."""
        batch = super().analyze(X)
        on = [NAMES.index(name) for name in ("has_link", "phone", "email")]
        batch.__dict__["_linked"] = batch.dense[:, on].max(axis=1) > 0  # Batch.linked's cache
        return batch


def spam_cv(
    name: str,
    config: dict[str, Any],
    sources: dict[str, Any],
    oof: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Run the grouped 5-fold cross-validation of one spam configuration.

    ``oof``, when given, receives each source's out-of-fold scores.
    """
    shipped = signals.PHRASES["disguised_link"]
    if "disguised_value" in config:  # the column's value (models/disguised.py VALUE)
        value = config["disguised_value"]
        signals.PHRASES["disguised_link"] = dataclasses.replace(shipped, value=value)
    try:
        return _spam_cv(name, config, sources, {} if oof is None else oof)
    finally:
        signals.PHRASES["disguised_link"] = shipped


def _spam_cv(
    name: str, config: dict[str, Any], sources: dict[str, Any], oof: dict[str, np.ndarray]
) -> dict[str, Any]:
    start = time.time()
    weights_of = config.get("weights", {})
    oof.update({key: np.full(len(c), np.nan) for key, (c, _) in sources.items()})
    aucs, f1s = [], []
    for k in range(5):
        texts: list[str] = []
        labels: list[int] = []
        weights: list[float] = []
        domains: list[int] = []
        clusters: list[str] = []
        copies = config.get("copies", ())
        for key in config["use"]:
            corpus, folds = sources[key]
            idx = np.flatnonzero(folds != k)
            texts += [corpus.texts[i] for i in idx]
            labels += [corpus.labels[i] for i in idx]
            weights += [weights_of.get(key, 1.0)] * len(idx)
            clusters += [corpus.groups[i] if key == "yt" else f"{key}{i}" for i in idx]
            domains += [copies.index(key) if key in copies else -1] * len(idx)
        w = np.array(weights)
        if config.get("balance"):
            w = _balance(w, np.array(labels))
        members = config.get("members", [PLAIN])
        fit_params: dict[str, Any] = {"clf__sample_weight": w}
        if copies:
            members = [{**m, "domain_scale": config.get("copy_scale", 1.0)} for m in members]
            fit_params["clf__domains"] = np.array(domains)
        folds = None
        if config.get("video_calibration"):  # calibration folds keep each video together
            folds = calibration_folds(labels, clusters)
        model = build_pipeline(
            "spam",
            LISTS,
            members=members,
            terms=config.get("terms", True),
            folds=folds,
            drop=tuple(config.get("drop", ())),
            **config.get("features", {}),
        )
        if config.get("idf"):
            model.set_params(features=IdfFeatures(**model.named_steps["features"].get_params()))
        if config.get("contact_cross"):
            params = model.named_steps["features"].get_params()
            model.set_params(features=ContactCrossFeatures(**params))
        model.fit(texts, labels, **fit_params)
        for key, (corpus, folds) in sources.items():
            idx = np.flatnonzero(folds == k)
            oof[key][idx] = model.predict_proba([corpus.texts[i] for i in idx])[:, 1]
        corpus, folds = sources["yt"]
        y, p = np.array(corpus.labels)[folds == k], oof["yt"][folds == k]
        aucs.append(roc_auc_score(y, p))
        f1s.append(f1_score(y, p >= 0.5))
    links = oof["links"]
    yt_y, yt_p = np.array(sources["yt"][0].labels), oof["yt"]
    result = {
        "name": name,
        "youtube_auc": round(float(np.mean(aucs)), 4),
        "youtube_f1": round(float(np.mean(f1s)), 4),
        # what the default policy does with a left-out video on its own
        "youtube_spam_at_0.95": round(float(np.mean(yt_p[yt_y == 1] >= 0.95)), 4),
        "youtube_ham_at_0.95": round(float(np.mean(yt_p[yt_y == 0] >= 0.95)), 4),
        "youtube_ham_below_0.5": round(float(np.mean(yt_p[yt_y == 0] < 0.5)), 4),
        "links_at_0.5": round(float(np.mean(links >= 0.5)), 4),
        "links_at_0.95": round(float(np.mean(links >= 0.95)), 4),
    }
    for key in ("sms", "instagram", "janitr"):
        corpus, _ = sources[key]
        result[f"{key}_auc"] = round(float(roc_auc_score(corpus.labels, oof[key])), 4)
    for key in ("wp", "tg", "syn"):  # spam only: the share caught at 0.5, left out or never seen
        result[f"{key}_at_0.5"] = round(float(np.mean(oof[key] >= 0.5)), 4)
    result["seconds"] = round(time.time() - start)
    return result


def over_toxic_terms(
    texts: list[str], labels: list[int], ratio: float = 2.0, min_rows: int = 10
) -> list[str]:
    """Return the identity terms whose rows are at least ``ratio`` times as toxic as the corpus.

    Only terms mentioned in ``min_rows`` rows or more count. Fixed before the run: twice
    the corpus share, 10 rows.
    """
    y = np.asarray(labels)
    found = identity.mentions(texts)
    out = []
    for term in identity.IDENTITY_TERMS:
        rows = np.array([term in f for f in found])
        if rows.sum() >= min_rows and y[rows].mean() >= ratio * y.mean():
            out.append(term)
    return out


class ToxicityHoldout:
    """The train-side toxicity holdout: Jigsaw train and OLID train, 25% each, seed 7."""

    def __init__(self) -> None:
        """Load and split the training data once."""
        jigsaw = data.jigsaw_train("is_bad")
        self.threat = dict(zip(jigsaw.texts, data.jigsaw_train("threat").labels, strict=True))
        self.j_train, self.j_test = data.stratified_split(jigsaw, 0.25, seed=7)
        olid, self.slice = olid_split()
        self.o_train, self.o_test = data.stratified_split(olid, 0.25, seed=7)
        self.extra = {"davidson": data.davidson(), "stormfront": data.stormfront()}
        self._profanity: dict[str, np.ndarray] = {}
        self.texts = {
            "jigsaw": self.j_test.texts,
            "olid": self.o_test.texts,
            "slice": self.slice.texts,
            "threats": THREATS,
            "identity": IDENTITY_PROBES,
            "dehumanising": DEHUMANISING,
            "stormfront": self.extra["stormfront"].texts,
        }
        self.tune_labels: list[int] = []

    def profanity(self, key: str, texts: list[str]) -> np.ndarray:
        """Return alt-profanity-check's scores (run once per text set)."""
        if key not in self._profanity:
            self._profanity[key] = np.asarray(profanity.scores(texts))
        return self._profanity[key]

    def fit(self, config: dict[str, Any], olid: data.Corpus) -> Any:
        """Fit one configuration on the Jigsaw training part and ``olid``."""
        weights_of = config.get("weights", {})
        texts = self.j_train.texts + olid.texts
        labels = self.j_train.labels + olid.labels
        w = [1.0] * len(self.j_train) + [weights_of.get("olid", 1.0)] * len(olid)
        for key in config.get("extra", ()):
            texts, labels = texts + self.extra[key].texts, labels + self.extra[key].labels
            w += [1.0] * len(self.extra[key])
        if config.get("identity_balance"):
            w = list(identity.balance_weights(texts, labels, np.array(w)))
        if config.get("mask_identity") == "replace":  # identity words left out of training
            texts = identity.mask(texts)
        elif config.get("mask_identity") == "over-toxic":  # only the most abused terms
            terms = over_toxic_terms(texts, labels)
            print(json.dumps({"masked_terms": terms}), flush=True)
            pattern = re.compile(r"\b(" + "|".join(map(re.escape, terms)) + r")\b", re.I)
            texts = [pattern.sub(" ", text) for text in texts]
        elif config.get("mask_identity") == "copies":  # plus masked copies of those rows
            idx = [i for i, found in enumerate(identity.mentions(texts)) if found]
            texts = texts + identity.mask([texts[i] for i in idx])
            labels = labels + [labels[i] for i in idx]
            w = list(w) + [w[i] for i in idx]
        model = build_pipeline(
            "toxicity", LISTS, members=config["members"], drop=tuple(config.get("drop", ()))
        )
        return model.fit(texts, labels, clf__sample_weight=w)

    def run(self, name: str, config: dict[str, Any]) -> dict[str, Any]:
        """Fit one configuration and score the holdout.

        With ``oof``: k, the threshold slice joins the training data and the threshold
        is picked on k-fold out-of-fold scores of all the OLID training rows instead.
        """
        start = time.time()
        olid, tune = self.o_train, self.slice
        oof_logits = None
        if config.get("oof"):
            k = config["oof"]
            olid = self.o_train.subset(range(len(self.o_train))).extend(self.slice)
            folds = _folds(len(olid), seed=3) % k
            oof_logits = np.zeros(len(olid))
            for f in range(k):
                part = olid.subset(np.flatnonzero(folds != f))
                held = np.flatnonzero(folds == f)
                model = self.fit(config, part)
                oof_logits[held] = model.decision_function([olid.texts[i] for i in held])
            tune = olid
        model = self.fit(config, olid)
        self.texts["tune"] = tune.texts
        logits = {
            key: model.decision_function(self.texts[key])
            for key in (
                "jigsaw",
                "olid",
                "slice",
                "threats",
                "identity",
                "dehumanising",
                "stormfront",
            )
        }
        if oof_logits is not None:
            logits["tune"] = oof_logits
        else:
            logits["tune"] = logits["slice"]
        self.tune_labels = tune.labels
        plain = self._score(name, logits)
        result: dict[str, Any] | list[dict[str, Any]] = plain
        if config.get("port"):
            ignore = bool(config.get("port_ignores_identity"))
            port = {key: self._port(key, value, ignore) for key, value in logits.items()}
            result = [plain, self._score(name + " + alt-profanity-check port", port)]
        print(json.dumps(result), flush=True)
        return {"seconds": round(time.time() - start)}

    def _port(self, key: str, logits: np.ndarray, ignore_identity: bool = False) -> np.ndarray:
        texts = self.texts[key]
        cache = key if key != "tune" else f"tune{len(texts)}"
        if ignore_identity:  # the package reads the text without identity words
            texts, cache = identity.mask(texts), cache + ":masked"
        p = np.clip(self.profanity(cache, texts), 1e-12, 1 - 1e-12)
        return logits + 0.5 * np.maximum(np.log(p / (1 - p)) + 2.0, 0.0)

    def _score(self, name: str, logits: dict[str, np.ndarray]) -> dict[str, Any]:
        p = {key: 1.0 / (1.0 + np.exp(-value)) for key, value in logits.items()}
        t = best_threshold(self.tune_labels, list(p["tune"]), macro=True)
        threat = np.array([self.threat.get(x, 0) for x in self.j_test.texts])
        clean = (threat == 1) | (np.array(self.j_test.labels) == 0)
        return {
            "name": name,
            "jigsaw_auc": round(float(roc_auc_score(self.j_test.labels, p["jigsaw"])), 4),
            "jigsaw_threat_auc": round(float(roc_auc_score(threat[clean], p["jigsaw"][clean])), 4),
            "olid_auc": round(float(roc_auc_score(self.o_test.labels, p["olid"])), 4),
            "olid_macro_f1": round(
                float(f1_score(self.o_test.labels, p["olid"] >= t, average="macro")), 4
            ),
            "threshold": round(t, 3),
            "threats": [round(float(x), 2) for x in p["threats"]],
            "dehumanising": [round(float(x), 2) for x in p["dehumanising"]],
            # a development set: never trained on by the shipped recipe, not an evaluation split
            "stormfront_auc": round(
                float(roc_auc_score(self.extra["stormfront"].labels, p["stormfront"])), 4
            ),
            **self._identity(p["jigsaw"], p["olid"]),
            "identity_probes": [round(float(x), 2) for x in p["identity"]],
        }

    def _identity(self, jigsaw: np.ndarray, olid: np.ndarray) -> dict[str, float]:
        """Bias metrics (Borkan et al. 2019) on the holdout rows that mention identity terms.

        Subgroup AUC: toxic vs non-toxic among those rows; BPSN AUC: toxic rows without
        a term vs non-toxic rows with one (low = the term alone reads as abuse); and the
        share of the non-toxic rows with a term at or above 0.5 and 0.98.
        """
        texts = self.j_test.texts + self.o_test.texts
        y = np.array(self.j_test.labels + self.o_test.labels)
        p = np.concatenate([jigsaw, olid])
        has = np.array([bool(t) for t in identity.mentions(texts)])
        bpsn = (has & (y == 0)) | (~has & (y == 1))
        neg = has & (y == 0)
        return {
            "identity_subgroup_auc": round(float(roc_auc_score(y[has], p[has])), 4),
            "identity_bpsn_auc": round(float(roc_auc_score(y[bpsn], p[bpsn])), 4),
            "identity_ham_at_0.5": round(float(np.mean(p[neg] >= 0.5)), 4),
            "identity_ham_at_0.98": round(float(np.mean(p[neg] >= 0.98)), 4),
        }


def main() -> None:
    """Run the named (default: all) configurations of one task and print JSON lines."""
    task, names = sys.argv[1], sys.argv[2:]
    runner: Callable[[str, dict[str, Any]], Any]
    if task == "spam":
        sources = spam_sources()
        configs = SPAM_CONFIGS

        def runner(name: str, config: dict[str, Any]) -> Any:
            print(json.dumps(spam_cv(name, config, sources)), flush=True)

    else:
        holdout, configs = ToxicityHoldout(), TOXICITY_CONFIGS
        runner = holdout.run
    for name, config in configs.items():
        if not names or name in names:
            runner(name, config)


if __name__ == "__main__":
    main()
