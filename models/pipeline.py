"""Build the one scikit-learn ``Pipeline`` per model, and export its fitted weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from models.features import CommentFeatures
from models.registry import FORMAT
from models.signals import NAMES

SEED = 0
# Inverse regularisation per task, fixed on the training side (see MODEL_CARD.md).
C = {"spam": 30.0, "toxicity": 4.0}


class CompactLogisticRegression(ClassifierMixin, BaseEstimator):
    """``LogisticRegression`` fitted on the columns that occur in the training data.

    With l2 regularisation a column that is zero in every training row keeps a zero
    weight, so dropping those columns before fitting gives the same model; L-BFGS then
    works on ~10^5 instead of 2^20 dimensions. ``min_df`` > 1 also drops rare columns.
    """

    def __init__(
        self,
        C: float = 1.0,
        max_iter: int = 3000,
        class_weight: Any = None,
        min_df: int = 1,
        random_state: int | None = SEED,
    ):
        """Set the regularisation and the minimum document frequency of a column."""
        self.C = C
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CompactLogisticRegression:
        """Fit on the active columns and spread the weights back to all columns."""
        X = sp.csr_matrix(X)
        df = np.bincount(X.indices, minlength=X.shape[1])
        active = np.flatnonzero(df >= self.min_df)
        model = LogisticRegression(
            C=self.C,
            max_iter=self.max_iter,
            class_weight=self.class_weight,
            random_state=self.random_state,
        ).fit(X[:, active], y, sample_weight=sample_weight)
        self.classes_ = model.classes_
        self.coef_ = np.zeros((1, X.shape[1]))
        self.coef_[0, active] = model.coef_[0]
        self.intercept_ = model.intercept_
        self.n_features_in_ = X.shape[1]
        self.n_iter_ = model.n_iter_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Return the linear scores."""
        return np.asarray(X @ self.coef_[0] + self.intercept_[0]).ravel()

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return class probabilities."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Return predicted labels."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def build_pipeline(task: str, lists: dict[str, str] | None = None, **params: Any) -> Pipeline:
    """Return an unfitted, sigmoid-calibrated pipeline for ``task`` (spam or toxicity)."""
    clf = CompactLogisticRegression(
        C=params.pop("C", C[task]),
        class_weight=params.pop("class_weight", None),
        min_df=params.pop("min_df", 1),
    )
    return Pipeline(
        [
            ("features", CommentFeatures(lists=lists, **params)),
            ("clf", CalibratedClassifierCV(clf, method="sigmoid", cv=3, ensemble=False)),
        ]
    )


def export(task: str, pipeline: Pipeline) -> dict[str, Any]:
    """Return the fitted pipeline as plain data (what the artifact stores)."""
    features: CommentFeatures = pipeline.named_steps["features"]
    calibrated = pipeline.named_steps["clf"].calibrated_classifiers_
    if len(calibrated) != 1:
        raise ValueError("expected one calibrated classifier (ensemble=False)")
    linear, sigmoid = calibrated[0].estimator, calibrated[0].calibrators[0]
    coef = np.asarray(linear.coef_, dtype=np.float32).ravel()
    width = 2**features.n_bits
    return {
        "format": FORMAT,
        "task": task,
        "features": features.params(),
        "names": list(NAMES),
        "lists": dict(features.lists or {}),
        "hashed": coef[:width],
        "dense": coef[width:],
        "intercept": float(np.ravel(linear.intercept_)[0]),
        "calibration": [float(sigmoid.a_), float(sigmoid.b_)],
    }
