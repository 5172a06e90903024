"""Evaluate our models and the baselines on every evaluation split, in one command.

Baselines run on the same splits: TF-IDF + multinomial naive Bayes trained on the same
rows as our model (both tasks), and ``alt-profanity-check`` (toxicity) run off the
shelf in its own virtual environment (``.venv-profanity``, see ``models/profanity.py``)
so its pinned scikit-learn never enters the service's environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models import data, profanity
from models.train import fit, olid_split, spam_corpus, toxicity_corpus

PROFANITY_SEEN = {"davidson"}  # trained on all of Davidson (+ Kaggle Jigsaw *train* only)


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
    note: str = ""


def metrics(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict[str, float]:
    """Return ROC AUC, PR AUC, F1 at ``threshold`` and precision at 95% recall."""
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
    }


def naive_bayes(train: data.Corpus) -> Callable[[list[str]], np.ndarray]:
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


def _ours(model: Any) -> Callable[[list[str]], np.ndarray]:
    return lambda texts: model.predict_proba(texts)[:, 1]


def run(
    artifacts: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] = print,
    baselines: bool = True,
) -> list[Row]:
    """Evaluate every split; print and return the rows."""
    from models import registry

    rows: list[Row] = []
    spam_model, spam_receipt = registry.load("spam", artifacts)
    tox_model, tox_receipt = registry.load("toxicity", artifacts)
    spam_t = float(spam_receipt["shipped_threshold"])
    tox_t = float(tox_receipt["shipped_threshold"])

    def add(
        task: str,
        split: str,
        system: str,
        corpus: data.Corpus,
        scores: Any,
        t: float,
        note: str = "",
    ) -> None:
        m = metrics(corpus.labels, scores, t)
        rows.append(Row(task, split, system, len(corpus), corpus.positives(), **m, note=note))
        echo(_format(rows[-1]))

    echo(_HEADER)
    # Spam: YouTube across videos (the shipped recipe retrained without each video).
    youtube = data.dedup(data.youtube())
    for video in data.YOUTUBE_VIDEOS:
        test = youtube.subset([i for i, g in enumerate(youtube.groups) if g == video])
        train = spam_corpus(exclude_video=video)
        add("spam", f"youtube-{video}", "ours", test, _ours(fit("spam", train))(test.texts), spam_t)
        if baselines:
            add("spam", f"youtube-{video}", "tfidf-nb", test, naive_bayes(train)(test.texts), 0.5)
    held_out = (("youtube-pilot", data.youtube_pilot()), ("sms-test", data.sms_split()[1]))
    for split, corpus in held_out:
        add("spam", split, "ours", corpus, _ours(spam_model)(corpus.texts), spam_t)
        if baselines:
            add("spam", split, "tfidf-nb", corpus, naive_bayes(spam_corpus())(corpus.texts), 0.5)
    # Toxicity.
    tox_nb = naive_bayes(toxicity_corpus()) if baselines else None
    splits = [
        ("jigsaw-test", data.jigsaw_test("toxic")),
        ("olid-test", data.olid_test()),
        ("wikipedia-cat-large", data.wikipedia_context()),
        ("ethos", data.ethos()),
        ("davidson", data.davidson()),
    ]
    use_profanity = baselines and profanity.ensure()
    for split, corpus in splits:
        add("toxicity", split, "ours", corpus, _ours(tox_model)(corpus.texts), tox_t)
        if tox_nb is not None:
            add("toxicity", split, "tfidf-nb", corpus, tox_nb(corpus.texts), 0.5)
        if use_profanity:
            seen = "[saw its source's train file]" if split in PROFANITY_SEEN else ""
            add(
                "toxicity",
                split,
                "alt-profanity-check",
                corpus,
                profanity.scores(corpus.texts),
                0.5,
                note=seen,
            )
    summarize(rows, tox_model, echo)
    return rows


def summarize(rows: list[Row], tox_model: Any, echo: Callable[[str], None]) -> None:
    """Print OLID macro-F1 and the YouTube cross-video means; update the model card."""
    threshold, macro = olid_macro_f1(tox_model)
    echo(f"olid-test macro-F1 (ours, threshold {threshold:.3f}, OLID train slice): {macro:.4f}")
    cv = [r for r in rows if r.split.startswith("youtube-") and r.split != "youtube-pilot"]
    for system in sorted({r.system for r in cv}):
        mine = [r for r in cv if r.system == system]
        auc, f1 = np.mean([r.roc_auc for r in mine]), np.mean([r.f1 for r in mine])
        echo(f"youtube cross-video mean ({system}): ROC AUC {auc:.4f}, F1 {f1:.4f}")
    write_card(rows, macro, threshold)


def write_card(rows: list[Row], olid_macro: float, olid_threshold: float) -> None:
    """Replace the metrics table between the markers in ``models/MODEL_CARD.md``."""
    from pathlib import Path

    card = Path(__file__).resolve().parent / "MODEL_CARD.md"
    start, end = "<!-- metrics:start -->", "<!-- metrics:end -->"
    text = card.read_text() if card.is_file() else ""
    if start not in text or end not in text:
        return
    lines = [
        "| task | split | system | n | pos | ROC AUC | PR AUC | F1@t | P@R95 | note |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|---|",
        *(
            f"| {r.task} | {r.split} | {r.system} | {r.n} | {r.positives} | {r.roc_auc:.4f} "
            f"| {r.pr_auc:.4f} | {r.f1:.4f} | {r.precision_at_95:.4f} | {r.note} |"
            for r in rows
        ),
        "",
        f"OLID test macro-F1 (ours, threshold {olid_threshold:.3f} picked on the held-out OLID "
        f"train slice): **{olid_macro:.4f}**",
    ]
    head, rest = text.split(start, 1)
    card.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + rest.split(end, 1)[1])


_HEADER = (
    f"{'task':9} {'split':22} {'system':20} {'n':>6} {'pos':>5} "
    f"{'ROC AUC':>8} {'PR AUC':>7} {'F1@t':>6} {'P@R95':>6}"
)


def _format(row: Row) -> str:
    return (
        f"{row.task:9} {row.split:22} {row.system:20} {row.n:6d} {row.positives:5d} "
        f"{row.roc_auc:8.4f} {row.pr_auc:7.4f} {row.f1:6.4f} {row.precision_at_95:6.4f} {row.note}"
    )


def olid_macro_f1(model: Any) -> tuple[float, float]:
    """Return the OLID threshold picked on the held-out train slice and test macro-F1."""
    from sklearn.metrics import f1_score

    _, tune = olid_split()
    threshold = best_threshold(tune.labels, _ours(model)(tune.texts), macro=True)
    test = data.olid_test()
    pred = _ours(model)(test.texts) >= threshold
    return threshold, float(f1_score(test.labels, pred, average="macro"))
