"""Build the one scikit-learn ``Pipeline`` per model."""

from __future__ import annotations

from typing import Any

from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from models.features import CommentFeatures

SEED = 0
# Inverse regularisation per task, fixed on the training side (see MODEL_CARD.md).
C = {"spam": 30.0, "toxicity": 4.0}


def build_pipeline(task: str, lists: dict[str, str] | None = None, **params: Any) -> Pipeline:
    """Return an unfitted, sigmoid-calibrated pipeline for ``task`` (spam or toxicity)."""
    clf = LogisticRegression(
        C=params.pop("C", C[task]),
        max_iter=3000,
        class_weight=params.pop("class_weight", None),
        random_state=SEED,
    )
    return Pipeline(
        [
            ("features", CommentFeatures(lists=lists, use_idf=False, **params)),
            ("clf", CalibratedClassifierCV(clf, method="sigmoid", cv=3, ensemble=False)),
        ]
    )
