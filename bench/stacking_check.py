"""Train-side check (tried, not taken; session 12): would a second stage of gradient-boosted
trees on the shipped spam model's out-of-fold score and the dense structure columns lift
the grouped cross-validation numbers of ``bench/model_choices.py spam``?

Stage 1 is the shipped recipe, fitted fold by fold exactly as ``model_choices`` does
(fold k leaves out YouTube video k and a seeded fifth of every other source); its
out-of-fold probabilities, as log-odds, and the ``models/signals.py`` columns of every
row are stage 2's input. Stage 2 (scikit-learn's ``HistGradientBoostingClassifier``,
settings fixed before the run: 200 iterations, learning rate 0.05, 15 leaves, l2 1.0) is
fitted on the out-of-fold rows of the other folds, with the same source weights and class
balance, and scores fold k. Reports, per left-out video and averaged, stage 1's and stage
2's ROC AUC and F1 at 0.5, and the share of left-out legitimate link comments at ≥ 0.5.
No evaluation split is read.

    .venv/bin/python -m bench.stacking_check        # ~12 minutes on two cores
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import f1_score, roc_auc_score

from bench import model_choices as mc
from models.featurize import analyze
from models.pipeline import build_pipeline

CONFIG = mc.SPAM_CONFIGS["shipped (disguised-link column)"]


def out_of_fold(sources: dict[str, Any]) -> dict[str, np.ndarray]:
    """Return stage 1's out-of-fold spam probability of every row of every source."""
    oof = {key: np.full(len(c), np.nan) for key, (c, _) in sources.items()}
    for k in range(5):
        texts: list[str] = []
        labels: list[int] = []
        weights: list[float] = []
        for key in CONFIG["use"]:
            corpus, folds = sources[key]
            idx = np.flatnonzero(folds != k)
            texts += [corpus.texts[i] for i in idx]
            labels += [corpus.labels[i] for i in idx]
            weights += [CONFIG["weights"].get(key, 1.0)] * len(idx)
        w = mc._balance(np.array(weights), np.array(labels))
        model = build_pipeline("spam", mc.LISTS, members=CONFIG["members"])
        model.fit(texts, labels, clf__sample_weight=w)
        for key, (corpus, folds) in sources.items():
            idx = np.flatnonzero(folds == k)
            oof[key][idx] = model.predict_proba([corpus.texts[i] for i in idx])[:, 1]
    return oof


def logit(p: np.ndarray) -> np.ndarray:
    """Return the log-odds of probabilities (clipped away from 0 and 1)."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def main() -> None:
    """Run stage 1 and stage 2 fold by fold; print the means and the per-fold figures."""
    sources = mc.spam_sources()
    oof = out_of_fold(sources)
    features = build_pipeline("spam", mc.LISTS, members=CONFIG["members"]).named_steps["features"]
    dense = {
        key: analyze(c.texts, features.params(), features.signal_lists()).dense
        for key, (c, _) in sources.items()
    }

    def inputs(key: str, rows: np.ndarray) -> np.ndarray:
        return np.column_stack([logit(oof[key][rows]), dense[key][rows]])

    out: dict[str, list[float]] = {}
    for k in range(5):
        x, y, w = [], [], []
        for key in CONFIG["use"]:
            corpus, folds = sources[key]
            rows = folds != k
            x.append(inputs(key, rows))
            y += list(np.array(corpus.labels)[rows])
            w += [CONFIG["weights"].get(key, 1.0)] * int(rows.sum())
        labels = np.array(y)
        stage2 = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0,
            random_state=0,
        )  # fmt: skip
        stage2.fit(np.vstack(x), labels, sample_weight=mc._balance(np.array(w), labels))
        corpus, folds = sources["yt"]
        rows = folds == k
        truth, first = np.array(corpus.labels)[rows], oof["yt"][rows]
        second = stage2.predict_proba(inputs("yt", rows))[:, 1]
        links = sources["links"][1] == k
        for name, value in (
            ("stage1_auc", roc_auc_score(truth, first)),
            ("stage2_auc", roc_auc_score(truth, second)),
            ("stage1_f1", f1_score(truth, first >= 0.5)),
            ("stage2_f1", f1_score(truth, second >= 0.5)),
            ("stage1_links_at_0.5", np.mean(oof["links"][links] >= 0.5)),
            (
                "stage2_links_at_0.5",
                np.mean(stage2.predict_proba(inputs("links", links))[:, 1] >= 0.5),
            ),
        ):
            out.setdefault(name, []).append(float(value))
    print(json.dumps({name: round(float(np.mean(v)), 4) for name, v in out.items()}))
    print(json.dumps({name: [round(x, 4) for x in v] for name, v in out.items()}))


if __name__ == "__main__":
    main()
