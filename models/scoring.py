"""Score comments for spam and toxicity: the scoring contract of ``CONTRACTS.md``.

``load_scorer()`` reads both shipped artifacts once; ``Scorer.score(items)`` returns one
``{"spam", "toxicity", "reasons", "model_version"}`` dict per item, in order. Scoring
extracts features once per batch for both models (when their featurisers agree) and
applies the fitted linear weights and sigmoid calibration directly with numpy; the
self-check at load time proves this equals the scikit-learn pipelines' output.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from models import registry
from models.author import author_reasons
from models.explain import reasons, token_weights

REASON_MIN_SCORE = 0.3  # below this a model's top features are noise, not reasons
SHORT_NAMES = {"spam": "spam", "toxicity": "tox"}
PROBES = [
    "Check out my channel http://bit.ly/x and WIN $$$ now!!! call +1 877 778 8969",
    "You are a pathetic idiot, watch your back.",
    "Thanks, the second chart makes the budget changes clear.",
    "fr33 m0ney c.a.s.i.n.o F U C K ｆｕｌｌ ｗｉｄｔｈ 😀😀😀",
]


class ModelLoadError(RuntimeError):
    """The model artifacts are missing, corrupt or inconsistent."""


class _Linear:
    """The fitted weights of one calibrated linear pipeline."""

    def __init__(self, pipeline: Any):
        features = pipeline.named_steps["features"]
        calibrated = pipeline.named_steps["clf"].calibrated_classifiers_
        if len(calibrated) != 1:
            raise ModelLoadError("expected one calibrated classifier (ensemble=False)")
        linear, sigmoid = calibrated[0].estimator, calibrated[0].calibrators[0]
        coef = np.asarray(linear.coef_, dtype=np.float64).ravel()
        width = 2**features.n_bits
        self.features = features
        self.hashed, self.dense = coef[:width], coef[width:]
        self.intercept = float(np.ravel(linear.intercept_)[0])
        self.a, self.b = float(sigmoid.a_), float(sigmoid.b_)
        idf = getattr(features, "idf_", None)
        key = repr(sorted((k, v) for k, v in features.get_params().items() if k != "lists"))
        key += hashlib.sha256(repr(features.lists).encode()).hexdigest()
        self.feature_key = key + (
            hashlib.sha256(idf.tobytes()).hexdigest() if idf is not None else ""
        )

    def logits(self, batch: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return calibrated log-odds per row and the raw contribution per occurrence."""
        contrib = batch.occ_value * self.hashed[batch.occ_col]
        raw = np.bincount(batch.occ_doc, contrib, minlength=len(batch.texts))
        raw += batch.dense @ self.dense + self.intercept
        return -(self.a * raw + self.b), contrib


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


class Scorer:
    """Both fitted models plus their receipts; safe to share between threads (read-only)."""

    def __init__(self, models: Mapping[str, Any], receipts: Mapping[str, Mapping[str, Any]]):
        """Wrap fitted pipelines keyed by task with their receipts."""
        self._pipelines = dict(models)
        self._linear = {task: _Linear(models[task]) for task in registry.TASKS}
        self.receipts = {task: dict(r) for task, r in receipts.items()}
        self.model_version = "+".join(
            f"{SHORT_NAMES[task]}-{self.receipts[task]['version']}" for task in registry.TASKS
        )
        self.suggested_thresholds = {
            task: dict(self.receipts[task].get("suggested_thresholds", {}))
            for task in registry.TASKS
        }

    def score(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Return one contract-shaped result per item, in order."""
        for i, item in enumerate(items):
            if not isinstance(item.get("text"), str):
                raise TypeError(f"item {i}: 'text' must be a string")
        if not items:
            return []
        batches: dict[str, Any] = {}
        probs: dict[str, list[float]] = {}
        found: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for task in registry.TASKS:
            linear = self._linear[task]
            batch = batches.get(linear.feature_key)
            if batch is None:
                batch = batches[linear.feature_key] = linear.features.analyze(items)
            logits, contrib = linear.logits(batch)
            author: list[list[dict[str, Any]]] = [[] for _ in items]
            if task == "spam":
                lists = linear.features._signal_lists()
                for i, item in enumerate(items):
                    author[i] = author_reasons(item, lists)
                    logits[i] += sum(r["weight"] for r in author[i])
            probs[task] = [_sigmoid(float(x)) for x in logits]
            rows = [i for i, p in enumerate(probs[task]) if p >= REASON_MIN_SCORE]
            tok = token_weights(batch, contrib)
            found[task] = reasons(task, batch, rows, tok, linear.dense, -linear.a)
            for i in range(len(items)):
                found[task][i] = author[i] + found[task].get(i, [])
        return [
            {
                "spam": probs["spam"][i],
                "toxicity": probs["toxicity"][i],
                "reasons": found["spam"][i] + found["toxicity"][i],
                "model_version": self.model_version,
            }
            for i in range(len(items))
        ]

    def check(self) -> None:
        """Verify the fast path against the scikit-learn pipelines on fixed probes."""
        fast = self.score([{"text": t} for t in PROBES])
        for task in registry.TASKS:
            slow = self._pipelines[task].predict_proba(PROBES)[:, 1]
            got = np.array([r[task] for r in fast])
            if not np.allclose(got, slow, atol=1e-4):
                raise ModelLoadError(f"{task}: fast scoring disagrees with the pipeline")


def load_scorer(artifact_dir: str | os.PathLike[str] | None = None) -> Scorer:
    """Load and check both artifacts; raise ``ModelLoadError`` when that fails."""
    models: dict[str, Any] = {}
    receipts: dict[str, dict[str, Any]] = {}
    for task in registry.TASKS:
        try:
            models[task], receipts[task] = registry.load(task, artifact_dir)
        except registry.ArtifactError as exc:
            raise ModelLoadError(str(exc)) from exc
        if receipts[task].get("task") != task or "version" not in receipts[task]:
            raise ModelLoadError(f"{task} receipt does not describe a {task} model")
    try:
        scorer = Scorer(models, receipts)
        scorer.check()
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"artifacts loaded but failed the self-check: {exc}") from exc
    return scorer
