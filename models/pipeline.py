"""Build the one scikit-learn ``Pipeline`` per model, and export its fitted weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import PredefinedSplit, StratifiedKFold
from sklearn.pipeline import Pipeline

from models.features import CommentFeatures
from models.registry import FORMAT
from models.signals import NAMES

SEED = 0
# Each model averages the calibrated log-odds of these members (fixed on the training
# side, see MODEL_CARD.md): plain and NB-scaled logistic regression for spam, the
# NB-scaled one for toxicity.
MEMBERS: dict[str, list[dict[str, Any]]] = {
    "spam": [{"C": 20.0}, {"C": 20.0, "nb_alpha": 1.0}],
    "toxicity": [{"C": 4.0, "nb_alpha": 1.0}],
}
# Spam also learns its n-gram weights a second time for comments with a link
# (``CommentFeatures.link_cross``; chosen on the training side, see MODEL_CARD.md).
LINK_CROSS = {"spam": 1.0, "toxicity": 0.0}


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
        nb_alpha: float | None = None,
        domain_scale: float = 0.0,
        random_state: int | None = SEED,
    ):
        """Set the regularisation, minimum column frequency and optional NB scaling.

        ``domain_scale`` > 0 turns on feature augmentation (Daumé 2007): when ``fit`` gets
        ``domains``, every row with a domain >= 0 also gets a copy of its features, scaled
        by ``domain_scale``, in a block of its own; only the shared weights are kept.
        """
        self.C = C
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.min_df = min_df
        self.nb_alpha = nb_alpha
        self.domain_scale = domain_scale
        self.random_state = random_state

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, domains: Any = None
    ) -> CompactLogisticRegression:
        """Fit on the active columns and spread the weights back to all columns."""
        X = sp.csr_matrix(X)
        width = X.shape[1]
        if domains is not None and self.domain_scale > 0:
            X = augment(X, np.asarray(domains), self.domain_scale)
        df = np.bincount(X.indices, minlength=X.shape[1])
        active = np.flatnonzero(df >= self.min_df)
        X = X[:, active]
        scale = np.ones(len(active))
        if self.nb_alpha is not None:  # NB-SVM: scale columns by their log-count ratio
            y_arr = np.asarray(y)
            present = X.copy()
            present.data[:] = 1.0
            pos = np.asarray(present[y_arr == 1].sum(axis=0)).ravel() + self.nb_alpha
            neg = np.asarray(present[y_arr != 1].sum(axis=0)).ravel() + self.nb_alpha
            scale = np.abs(np.log((pos / pos.sum()) / (neg / neg.sum())))
            X = X @ sp.diags(scale)
        model = LogisticRegression(
            C=self.C,
            max_iter=self.max_iter,
            class_weight=self.class_weight,
            random_state=self.random_state,
        ).fit(X, y, sample_weight=sample_weight)
        self.classes_ = model.classes_
        coef = np.zeros(df.shape[0])
        coef[active] = model.coef_[0] * scale
        self.coef_ = coef[None, :width]  # the shared block: what scoring uses
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


def augment(X: sp.csr_matrix, domains: np.ndarray, scale: float) -> sp.csr_matrix:
    """Return ``[X, X·[domain = 0]·scale, X·[domain = 1]·scale, …]`` (domains < 0: no copy)."""
    blocks = [X]
    for d in np.unique(domains[domains >= 0]):
        blocks.append(sp.diags((domains == d) * scale) @ X)
    return sp.hstack(blocks, "csr")


class LogitAverage(ClassifierMixin, BaseEstimator):
    """Average the calibrated log-odds of several classifiers fitted on the same features."""

    def __init__(self, estimators: list[Any]):
        """Take unfitted (calibrated) classifiers."""
        self.estimators = estimators

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> LogitAverage:
        """Fit a clone of every member."""
        self.estimators_ = [
            clone(est).fit(X, y, sample_weight=sample_weight, **fit_params)
            for est in self.estimators
        ]
        self.classes_ = self.estimators_[0].classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Return the mean calibrated log-odds."""
        logits = []
        for est in self.estimators_:
            p = np.clip(est.predict_proba(X)[:, 1], 1e-15, 1 - 1e-15)
            logits.append(np.log(p) - np.log1p(-p))
        return np.mean(logits, axis=0)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Return class probabilities."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Return predicted labels."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def build_pipeline(
    task: str,
    lists: dict[str, str] | None = None,
    members: Any = None,
    folds: Any = None,
    **params: Any,
) -> Pipeline:
    """Return the unfitted pipeline of ``task``: features, then calibrated members.

    ``folds``: a fold id per training row for the calibration's out-of-fold scores;
    by default shuffled stratified 3-fold. Never the unshuffled default: the training
    corpora are concatenated source by source, and unshuffled folds leave whole sources
    out, which fitted the spam sigmoid on cross-source scores (slope a sixth of its
    in-source value: spam the model had trained on scored 0.70, ham 0.36).
    """
    cv: Any = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
    if folds is not None:
        cv = PredefinedSplit(np.asarray(folds))
    estimators = [
        CalibratedClassifierCV(
            CompactLogisticRegression(**member), method="sigmoid", cv=cv, ensemble=False
        )
        for member in (members or MEMBERS[task])
    ]
    return Pipeline(
        [
            (
                "features",
                CommentFeatures(
                    lists=lists,
                    **{"terms": task == "spam", "link_cross": LINK_CROSS[task], **params},
                ),
            ),
            ("clf", LogitAverage(estimators)),
        ]
    )


def export(task: str, pipeline: Pipeline) -> dict[str, Any]:
    """Return the fitted pipeline as plain data (what the artifact stores).

    Each member's log-odds is ``-(a * (w·x + c) + b)``, linear in ``x``; their mean is
    one linear model, stored with the identity calibration ``(a, b) = (-1, 0)``.
    """
    features: CommentFeatures = pipeline.named_steps["features"]
    weights, intercept = [], 0.0
    members = pipeline.named_steps["clf"].estimators_
    for member in members:
        calibrated = member.calibrated_classifiers_
        if len(calibrated) != 1:
            raise ValueError("expected one calibrated classifier (ensemble=False)")
        linear, sigmoid = calibrated[0].estimator, calibrated[0].calibrators[0]
        a, b = float(sigmoid.a_), float(sigmoid.b_)
        weights.append(-a * np.asarray(linear.coef_, dtype=np.float64).ravel())
        intercept += -a * float(np.ravel(linear.intercept_)[0]) - b
    coef = (np.sum(weights, axis=0) / len(members)).astype(np.float32)
    width, end = 2**features.n_bits, 2**features.n_bits + len(NAMES)
    out = {
        "format": FORMAT,
        "task": task,
        "features": features.params(),
        "names": list(NAMES),
        "lists": dict(features.lists or {}),
        "hashed": coef[:width],
        "dense": coef[width:end],
        "intercept": intercept / len(members),
        "calibration": [-1.0, 0.0],
    }
    if features.link_cross:  # the copy's weights, scaled as its values were
        out["linked"] = (coef[end:] * np.float32(features.link_cross)).astype(np.float32)
    return out
