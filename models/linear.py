"""Apply an exported linear model to a featurised batch (numpy only).

A model is a plain dict (what ``models.pipeline.export`` writes and ``registry`` stores):
hashed and structure weights, an intercept and a Platt scaler ``(a, b)`` so that
``p = 1 / (1 + exp(a * raw + b))``; optionally ``linked``, a second set of n-gram
weights that applies only to comments containing a link. The same numbers give each
n-gram occurrence's share of the calibrated log-odds, which the explanations sum per
word.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from models.featurize import DOC_SHIFT, Batch, occurrence_values
from models.signals import NAMES


class LinearModel:
    """The fitted weights of one calibrated linear model over ``CommentFeatures``."""

    def __init__(self, model: Mapping[str, Any]):
        """Wrap an exported model dict."""
        if list(model["names"]) != list(NAMES):
            raise ValueError("structure features differ from this code's")
        self.features = dict(model["features"])
        self.hashed = np.asarray(model["hashed"], dtype=np.float32)
        self.dense = np.asarray(model["dense"], dtype=np.float64)
        self.linked = None
        if "linked" in model:
            self.linked = np.asarray(model["linked"], dtype=np.float32)
        for weights in (self.hashed, self.linked):
            if weights is not None and len(weights) != 2 ** int(self.features["n_bits"]):
                raise ValueError("hashed weights do not match n_bits")
        self.intercept = float(model["intercept"])
        self.a, self.b = (float(x) for x in model["calibration"])
        self.scale = -self.a  # raw score → calibrated log-odds
        self.feature_key = hashlib.sha256(
            json.dumps(self.features, sort_keys=True).encode()
        ).hexdigest()

    def logits(self, batch: Batch) -> np.ndarray:
        """Return the calibrated log-odds of every document."""
        weights = self.hashed[batch.col]
        if self.linked is not None and batch.linked.any():
            on = np.flatnonzero(batch.linked[batch.doc])
            weights[on] += self.linked[batch.col[on]]
        raw: np.ndarray = np.bincount(batch.doc, batch.values * weights, len(batch.texts))
        raw = raw + batch.dense @ self.dense + self.intercept
        return -(self.a * raw + self.b)

    def contributions(self, batch: Batch, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (occurrence index, its contribution to the log-odds) for ``docs``."""
        idx, share = occurrence_values(batch, docs)
        keys = batch.occ_key[idx]
        cols = keys & ((1 << DOC_SHIFT) - 1)
        weights = self.hashed[cols]
        if self.linked is not None:
            on = np.flatnonzero(batch.linked[keys >> DOC_SHIFT])
            weights[on] += self.linked[cols[on]]
        return idx, share * weights * self.scale


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Return the logistic function of ``x`` without overflow warnings."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))
