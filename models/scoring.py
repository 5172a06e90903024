"""Score comments for spam and toxicity: the scoring contract of ``CONTRACTS.md``.

``load_scorer()`` reads both shipped artifacts once (plain arrays; neither scikit-learn
nor scipy is imported); ``Scorer.score(items)`` returns one ``{"spam", "toxicity",
"reasons", "model_version"}`` dict per item, in order. A batch is featurised once for
both models when their featurisation agrees. At load time the scorer re-scores fixed
probes and compares them with the scores the scikit-learn pipelines gave at training
time (stored in the receipts), so code drift between training and serving is caught.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from models import registry
from models.author import author_reasons
from models.explain import reasons
from models.featurize import Batch, analyze
from models.linear import LinearModel, sigmoid
from models.signals import SignalLists

REASON_MIN_SCORE = 0.3  # below this a model's top features are noise, not reasons
SHORT_NAMES = {"spam": "spam", "toxicity": "tox"}
PROBES = [
    "Check out my channel http://bit.ly/x and WIN $$$ now!!! call +1 877 778 8969",
    "You are a pathetic idiot, watch your back.",
    "Thanks, the second chart makes the budget changes clear.",
    "fr33 m0ney c.a.s.i.n.o F U C K ｆｕｌｌ ｗｉｄｔｈ 😀😀😀",
    "The council's report is here: https://www.bbc.co.uk/news/uk-england-68123456",
]
PROBE_TOLERANCE = 1e-4


class ModelLoadError(RuntimeError):
    """The model artifacts are missing, corrupt or inconsistent."""


class Scorer:
    """Both fitted models plus their receipts; safe to share between threads (read-only)."""

    def __init__(self, models: Mapping[str, Any], receipts: Mapping[str, Mapping[str, Any]]):
        """Wrap exported model dicts keyed by task with their receipts."""
        self._models = {task: LinearModel(models[task]) for task in registry.TASKS}
        self._lists: dict[str, SignalLists] = {}
        self._feature_key: dict[str, str] = {}
        shared: dict[str, SignalLists] = {}
        for task in registry.TASKS:
            lists = json.dumps(models[task]["lists"], sort_keys=True)
            if lists not in shared:
                shared[lists] = SignalLists(models[task]["lists"])
            self._lists[task] = shared[lists]
            self._feature_key[task] = self._models[task].feature_key + str(id(shared[lists]))
        self.receipts = {task: dict(r) for task, r in receipts.items()}
        self.model_version = "+".join(
            f"{SHORT_NAMES[task]}-{self.receipts[task]['version']}" for task in registry.TASKS
        )
        self.suggested_thresholds = {
            task: dict(self.receipts[task].get("suggested_thresholds", {}))
            for task in registry.TASKS
        }

    def probabilities(self, items: Sequence[Any]) -> dict[str, np.ndarray]:
        """Return each model's probabilities for texts or items (no reasons)."""
        return {task: sigmoid(logits) for task, (logits, _) in self._logits(items).items()}

    def _logits(self, items: Sequence[Any]) -> dict[str, tuple[np.ndarray, Batch]]:
        batches: dict[str, Batch] = {}
        out: dict[str, tuple[np.ndarray, Batch]] = {}
        for task, model in self._models.items():
            key = self._feature_key[task]
            batch = batches.get(key)
            if batch is None:
                batch = batches[key] = analyze(items, model.features, self._lists[task])
            out[task] = (model.logits(batch), batch)
        return out

    def score(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Return one contract-shaped result per item, in order."""
        for i, item in enumerate(items):
            if not isinstance(item.get("text"), str):
                raise TypeError(f"item {i}: 'text' must be a string")
        if not items:
            return []
        probs: dict[str, list[float]] = {}
        found: dict[str, list[list[dict[str, Any]]]] = {}
        for task, (logits, batch) in self._logits(items).items():
            author: list[list[dict[str, Any]]] = [[] for _ in items]
            if task == "spam":
                for i, item in enumerate(items):
                    if item.get("name") or item.get("email") or item.get("url"):
                        author[i] = author_reasons(item, self._lists[task])
                        logits[i] += sum(r["weight"] for r in author[i])
            p = sigmoid(logits)
            probs[task] = p.tolist()
            rows = np.flatnonzero(p >= REASON_MIN_SCORE)
            top = reasons(task, batch, rows, self._models[task])
            found[task] = [author[i] + top.get(i, []) for i in range(len(items))]
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
        """Re-score the probes and compare with the training-time pipeline scores."""
        got = self.probabilities(PROBES)
        for task in registry.TASKS:
            expected = self.receipts[task].get("probe_scores")
            if expected is None or len(expected) != len(PROBES):
                raise ModelLoadError(f"{task} receipt has no probe scores for these probes")
            if not np.allclose(got[task], expected, atol=PROBE_TOLERANCE):
                raise ModelLoadError(
                    f"{task}: scores differ from the training-time pipeline "
                    f"({np.round(got[task], 5).tolist()} vs {expected}); retrain or revert"
                )


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
