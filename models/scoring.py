"""Score comments for spam and toxicity: the scoring contract of ``CONTRACTS.md``.

``load_scorer()`` reads both shipped artifacts once; ``Scorer.score(items)`` returns one
``{"spam", "toxicity", "reasons", "model_version"}`` dict per item, in order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from models import registry
from models.explain import explain

REASON_MIN_SCORE = 0.3  # below this, a model's top features are noise, not reasons


class ModelLoadError(RuntimeError):
    """The model artifacts are missing, corrupt or inconsistent."""


def _field(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value else None


class Scorer:
    """Both fitted models plus their receipts; safe to share between threads (read-only)."""

    def __init__(self, models: Mapping[str, Any], receipts: Mapping[str, Mapping[str, Any]]):
        """Wrap fitted pipelines keyed by task with their receipts."""
        self._models = dict(models)
        self.receipts = {task: dict(r) for task, r in receipts.items()}
        self.model_version = "+".join(
            f"{'tox' if task == 'toxicity' else task}-{self.receipts[task]['version']}"
            for task in registry.TASKS
        )
        self.suggested_thresholds = {
            task: dict(self.receipts[task].get("suggested_thresholds", {}))
            for task in registry.TASKS
        }

    def score(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Return one contract-shaped result per item, in order."""
        texts = []
        for i, item in enumerate(items):
            text = item.get("text")
            if not isinstance(text, str):
                raise TypeError(f"item {i}: 'text' must be a string")
            texts.append(text)
        if not texts:
            return []
        probs = {
            task: self._models[task].predict_proba(texts)[:, 1].tolist() for task in registry.TASKS
        }
        results = []
        for i, text in enumerate(texts):
            reasons = []
            for task in registry.TASKS:
                if probs[task][i] >= REASON_MIN_SCORE:
                    reasons += explain(task, self._models[task], text)
            results.append(
                {
                    "spam": float(probs["spam"][i]),
                    "toxicity": float(probs["toxicity"][i]),
                    "reasons": reasons,
                    "model_version": self.model_version,
                }
            )
        return results


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
        if not hasattr(models[task], "predict_proba"):
            raise ModelLoadError(f"{task} artifact is not a probabilistic classifier")
    scorer = Scorer(models, receipts)
    try:
        scorer.score([{"text": "model self-check"}])
    except Exception as exc:
        raise ModelLoadError(f"artifacts loaded but failed a self-check: {exc}") from exc
    return scorer
