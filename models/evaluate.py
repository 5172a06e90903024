"""Evaluate our models and the baselines on every evaluation split, in one command.

Baselines run on the same splits: TF-IDF + multinomial naive Bayes trained on the same
rows as our model (both tasks), and ``alt-profanity-check`` (toxicity) run off the
shelf in its own virtual environment (``.venv-profanity``, see ``models/profanity.py``)
so its pinned scikit-learn never enters the service's environment. The results are
printed and written into ``models/MODEL_CARD.md`` between markers (``models/card.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models import data, profanity
from models.card import PUBLISH_BELOW, REJECT_ABOVE
from models.intervals import BOOTSTRAP_REPS, intervals
from models.toxicity_splits import toxicity_splits
from models.train import fit, spam_corpus, toxicity_corpus

CHUNK = 2000
Scores = Callable[[list[str]], np.ndarray]


@dataclass
class Row:
    """One metrics line: split, system, and its scores."""

    task: str
    split: str
    system: str
    n: int
    positives: int
    roc_auc: float
    pr_auc: float
    f1: float
    precision_at_95: float
    brier: float  # mean squared error of the probabilities: calibration and sharpness
    rejected_pos: float  # positives at or above reject_above: decided without a moderator
    published_neg: float  # negatives below publish_below (0.5): published without one
    rejected_neg: float  # negatives at or above reject_above: wrongly rejected, unseen by anyone
    note: str = ""


@dataclass
class LinkRow:
    """False-positive rates of one system on legitimate comments that contain links."""

    split: str
    system: str
    n: int
    held: float  # share at or above publish_below (0.5): not published automatically
    rejected: float  # share at or above reject_above (0.95): rejected as spam


def metrics(
    labels: Sequence[int],
    scores: Sequence[float],
    threshold: float,
    reject: float = REJECT_ABOVE["spam"],
    publish: float = PUBLISH_BELOW["spam"],
) -> dict[str, float]:
    """Return ROC AUC, PR AUC, F1 at ``threshold``, precision at 95% recall, Brier score,
    and what the default policy does on its own: positives at or above ``reject``,
    negatives below ``publish`` and negatives at or above ``reject``."""
    from sklearn.metrics import (
        average_precision_score,
        f1_score,
        precision_recall_curve,
        roc_auc_score,
    )

    y, s = np.asarray(labels), np.asarray(scores, dtype=float)
    precision, recall, _ = precision_recall_curve(y, s)
    return {
        "roc_auc": float(roc_auc_score(y, s)),
        "pr_auc": float(average_precision_score(y, s)),
        "f1": float(f1_score(y, s >= threshold, zero_division=0)),
        "precision_at_95": float(precision[recall >= 0.95].max()),
        "brier": float(np.mean((s - y) ** 2)),
        "rejected_pos": float(np.mean(s[y == 1] >= reject)) if (y == 1).any() else 0.0,
        "published_neg": float(np.mean(s[y == 0] < publish)) if (y == 0).any() else 0.0,
        "rejected_neg": float(np.mean(s[y == 0] >= reject)) if (y == 0).any() else 0.0,
    }


def naive_bayes(train: data.Corpus) -> Scores:
    """Fit the plain TF-IDF + multinomial naive Bayes baseline; return its scorer."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2), MultinomialNB(alpha=0.1))
    model.fit(train.texts, train.labels)
    return lambda texts: model.predict_proba(texts)[:, 1]


def best_threshold(labels: Sequence[int], scores: Sequence[float], macro: bool) -> float:
    """Return the threshold maximising (macro-)F1 on a tuning slice."""
    from sklearn.metrics import f1_score

    grid = np.unique(np.round(np.asarray(scores), 3))
    avg = "macro" if macro else "binary"
    return float(max(grid, key=lambda t: f1_score(labels, np.asarray(scores) >= t, average=avg)))


def pipeline_scores(model: Any) -> Scores:
    """Return a scorer for a fitted scikit-learn pipeline."""
    return lambda texts: model.predict_proba(texts)[:, 1]


def artifact_scores(model: dict[str, Any]) -> Scores:
    """Return a scorer for an exported artifact, through the serving fast path."""
    from models.scoring import model_scores

    scores: Scores = model_scores(model, CHUNK)
    return scores


def run(
    artifacts: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] = print,
    baselines: bool = True,
) -> list[Row]:
    """Evaluate every split; print the rows and write them into the model card."""
    from models import card, registry

    rows: list[Row] = []
    scored: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    spam_model, spam_receipt = registry.load("spam", artifacts)
    tox_model, tox_receipt = registry.load("toxicity", artifacts)
    spam_t = float(spam_receipt["shipped_threshold"])
    tox_t = float(tox_receipt["shipped_threshold"])
    ours_spam, ours_tox = artifact_scores(spam_model), artifact_scores(tox_model)

    def add(task: str, split: str, system: str, corpus: data.Corpus, scores: Any, t: float) -> None:
        """Compute and print one row."""
        note = _SEEN.get((system, split), "")
        m = metrics(corpus.labels, scores, t, REJECT_ABOVE[task], PUBLISH_BELOW[task])
        scored[split, system] = (np.asarray(corpus.labels), np.asarray(scores, dtype=float))
        rows.append(Row(task, split, system, len(corpus), corpus.positives(), **m, note=note))
        echo(_format(rows[-1]))

    echo(_HEADER)
    # Spam: YouTube across videos (the shipped recipe retrained without each video).
    youtube = data.dedup(data.youtube())
    for video in data.YOUTUBE_VIDEOS:
        test = youtube.subset([i for i, g in enumerate(youtube.groups) if g == video])
        train = spam_corpus(exclude_video=video)
        ours = pipeline_scores(fit("spam", train))
        add("spam", f"youtube-{video}", "ours", test, ours(test.texts), spam_t)
        if baselines:
            add("spam", f"youtube-{video}", "tfidf-nb", test, naive_bayes(train)(test.texts), 0.5)
    spam_nb = naive_bayes(spam_corpus()) if baselines else None
    held_out = (
        ("youtube-pilot", data.youtube_pilot()),
        ("sms-test", data.sms_split()[1]),
        ("datacamp-blog", data.datacamp()),
    )
    for split, corpus in held_out:
        add("spam", split, "ours", corpus, ours_spam(corpus.texts), spam_t)
        if spam_nb is not None:
            add("spam", split, "tfidf-nb", corpus, spam_nb(corpus.texts), 0.5)
    links = link_rows(ours_spam, spam_nb, echo)
    # Toxicity.
    tox_nb = naive_bayes(toxicity_corpus()) if baselines else None
    use_profanity = baselines and profanity.ensure()
    for split, corpus in toxicity_splits():
        add("toxicity", split, "ours", corpus, ours_tox(corpus.texts), tox_t)
        if tox_nb is not None:
            add("toxicity", split, "tfidf-nb", corpus, tox_nb(corpus.texts), 0.5)
        if use_profanity:
            apc = profanity.scores(corpus.texts)
            add("toxicity", split, "alt-profanity-check", corpus, apc, 0.5)
    threshold, macro = tox_t, olid_macro_f1(ours_tox, tox_t)
    echo(f"olid-test macro-F1 (ours, threshold {threshold:.3f}, OLID train OOF): {macro:.4f}")
    for system, (auc, f1) in youtube_means(rows).items():
        echo(f"youtube cross-video mean ({system}): ROC AUC {auc:.4f}, F1 {f1:.4f}")
    ci = intervals(scored, spam_t, tox_t, links)
    for name, (low, high) in ci.items():
        echo(f"95% bootstrap interval ({BOOTSTRAP_REPS} stratified resamples), {name}: "
             f"{low:.4f} to {high:.4f}")  # fmt: skip
    from models.scoring import load_scorer

    card.write(
        rows, links, macro, threshold, youtube_means(rows), load_scorer(artifacts), intervals=ci
    )
    return rows


_SEEN = {
    ("alt-profanity-check", "davidson"): "[trained on all of Davidson]",
    ("ours", "davidson"): "[its alt-profanity-check input saw all of Davidson]",
}


def link_rows(ours: Scores, nb: Scores | None, echo: Callable[[str], None]) -> list[LinkRow]:
    """Return spam false-positive rates on held-out legitimate comments with links."""
    _, test = data.link_ham_split()
    datacamp = data.datacamp()
    dc = datacamp.subset(
        [i for i, (t, y) in enumerate(zip(datacamp.texts, datacamp.labels, strict=True))
         if not y and data.has_link(t)]
    )  # fmt: skip
    splits = [("link-ham-test", test), ("datacamp-ham-links", dc)]
    out: list[LinkRow] = []
    for split, corpus in splits:
        for system, scorer in (("ours", ours), ("tfidf-nb", nb)):
            if scorer is None:
                continue
            s = scorer(corpus.texts)
            out.append(LinkRow(split, system, len(corpus), *_fpr(s)))
            echo(f"spam FPR {split:20} {system:10} n={len(corpus):4d} "
                 f">=0.5 {out[-1].held:.4f}  >=0.95 {out[-1].rejected:.4f}")  # fmt: skip
    return out


def _fpr(scores: np.ndarray) -> tuple[float, float]:
    s = np.asarray(scores)
    return float(np.mean(s >= PUBLISH_BELOW["spam"])), float(np.mean(s >= REJECT_ABOVE["spam"]))


def youtube_means(rows: list[Row]) -> dict[str, tuple[float, float]]:
    """Return each system's mean cross-video ROC AUC and F1."""
    cv = [r for r in rows if r.split.startswith("youtube-") and r.split != "youtube-pilot"]
    return {
        system: (
            float(np.mean([r.roc_auc for r in cv if r.system == system])),
            float(np.mean([r.f1 for r in cv if r.system == system])),
        )
        for system in sorted({r.system for r in cv})
    }


_HEADER = (
    f"{'task':9} {'split':22} {'system':20} {'n':>6} {'pos':>5} "
    f"{'ROC AUC':>8} {'PR AUC':>7} {'F1@t':>6} {'P@R95':>6} "
    f"{'Brier':>6} {'rej+':>6} {'pub-':>6} {'rej-':>6}"
)


def _format(row: Row) -> str:
    return (
        f"{row.task:9} {row.split:22} {row.system:20} {row.n:6d} {row.positives:5d} "
        f"{row.roc_auc:8.4f} {row.pr_auc:7.4f} {row.f1:6.4f} {row.precision_at_95:6.4f} "
        f"{row.brier:6.4f} {row.rejected_pos:6.4f} {row.published_neg:6.4f} "
        f"{row.rejected_neg:6.4f} {row.note}"
    )


def olid_macro_f1(scores: Scores, threshold: float) -> float:
    """Return OLID test macro-F1 at the shipped threshold (picked on OLID train)."""
    from sklearn.metrics import f1_score

    test = data.olid_test()
    return float(f1_score(test.labels, scores(test.texts) >= threshold, average="macro"))
