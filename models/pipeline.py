"""Build the one scikit-learn ``Pipeline`` per model."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from models.features import text_features

SEED = 0


def build_pipeline(task: str) -> Pipeline:
    """Return an unfitted pipeline for ``task`` (``spam`` or ``toxicity``)."""
    c = {"spam": 10.0, "toxicity": 4.0}[task]
    return Pipeline(
        [
            ("features", text_features()),
            ("clf", LogisticRegression(C=c, max_iter=2000, random_state=SEED)),
        ]
    )
