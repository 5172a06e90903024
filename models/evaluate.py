"""Evaluate the shipped models on the held-out splits (first version: test splits only)."""

from __future__ import annotations

import os
from collections.abc import Callable

from models import data


def run(
    artifacts: str | os.PathLike[str] | None = None, echo: Callable[[str], None] = print
) -> None:
    """Print ROC AUC of the shipped models on the SMS, Jigsaw and OLID test splits."""
    from sklearn.metrics import roc_auc_score

    from models.scoring import load_scorer

    scorer = load_scorer(artifacts)
    splits = [
        ("spam", "youtube-pilot", data.youtube_pilot()),
        ("spam", "sms-test", data.sms_split()[1]),
        ("toxicity", "jigsaw-test", data.jigsaw_test()),
        ("toxicity", "olid-test", data.olid_test()),
    ]
    for task, name, corpus in splits:
        scores = [r[task] for r in scorer.score([{"text": t} for t in corpus.texts])]
        echo(
            f"{task:9} {name:14} n={len(corpus):5} "
            f"ROC AUC {roc_auc_score(corpus.labels, scores):.4f}"
        )
