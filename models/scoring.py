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
from models.apc import ProfanityPort
from models.author import author_reasons
from models.explain import reasons
from models.featurize import Batch, analyze
from models.linear import LinearModel, sigmoid
from models.signals import SignalLists

# Reasons are listed for a model whose score would hold the comment under the default
# policy (publish_below 0.5); below that they would explain a decision nobody took.
REASON_MIN_SCORE = 0.5
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


class TaskModel:
    """One task's exported model: the linear model plus, for toxicity, the port."""

    def __init__(self, model: Mapping[str, Any]):
        """Wrap an exported model dict."""
        self.linear = LinearModel(model)
        self.port = ProfanityPort(model["profanity"]) if "profanity" in model else None
        self.features = self.linear.features

    def logits(self, batch: Batch) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the log-odds per document and, with the port, its extra token weights."""
        logits = self.linear.logits(batch)
        if self.port is None:
            return logits, None
        port_logits, (starts, words) = self.port.logits(batch)
        term = self.port.term(port_logits)
        extra: np.ndarray = np.zeros(len(batch.tok_start))
        doc = batch.norm.doc[starts]
        share = np.maximum(self.port.linear[words], 0.0) * (term[doc] > 0)
        if share.any():
            total = np.bincount(doc, share, minlength=len(term))
            share = share * term[doc] / np.maximum(total[doc], 1e-12)
            tok = batch.char_tok[starts]
            ok = tok >= 0
            extra = np.bincount(tok[ok], share[ok], minlength=len(batch.tok_start)).astype(float)
        return logits + term, extra


def model_scores(model: Mapping[str, Any], chunk: int = 2000) -> Any:
    """Return a function scoring texts with an exported model (no reasons)."""
    task_model, lists = TaskModel(model), SignalLists(model["lists"])

    def scores(texts: Sequence[str]) -> np.ndarray:
        parts = [
            task_model.logits(analyze(texts[i : i + chunk], task_model.features, lists))[0]
            for i in range(0, len(texts), chunk)
        ]
        return sigmoid(np.concatenate(parts)) if parts else np.zeros(0)

    return scores


class Scorer:
    """Both fitted models plus their receipts; safe to share between threads (read-only)."""

    def __init__(self, models: Mapping[str, Any], receipts: Mapping[str, Mapping[str, Any]]):
        """Wrap exported model dicts keyed by task with their receipts."""
        self._models = {task: TaskModel(models[task]) for task in registry.TASKS}
        self._lists: dict[str, SignalLists] = {}
        self._feature_key: dict[str, str] = {}
        shared: dict[str, SignalLists] = {}
        for task in registry.TASKS:
            lists = json.dumps(models[task]["lists"], sort_keys=True)
            if lists not in shared:
                shared[lists] = SignalLists(models[task]["lists"])
            self._lists[task] = shared[lists]
            key = self._models[task].linear.feature_key
            self._feature_key[task] = key + str(id(shared[lists]))
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
        return {task: sigmoid(out[0]) for task, out in self._logits(items).items()}

    def _logits(self, items: Sequence[Any]) -> dict[str, tuple[np.ndarray, Any, Batch]]:
        batches: dict[str, Batch] = {}
        out: dict[str, tuple[np.ndarray, Any, Batch]] = {}
        for task, model in self._models.items():
            key = self._feature_key[task]
            batch = batches.get(key)
            if batch is None:
                batch = batches[key] = analyze(items, model.features, self._lists[task])
            logits, extra = model.logits(batch)
            out[task] = (logits, extra, batch)
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
        for task, (logits, extra, batch) in self._logits(items).items():
            author: list[list[dict[str, Any]]] = [[] for _ in items]
            if task == "spam":
                for i, item in enumerate(items):
                    if item.get("name") or item.get("email") or item.get("url"):
                        author[i] = author_reasons(item, self._lists[task])
                        logits[i] += sum(r["weight"] for r in author[i])
            p = sigmoid(logits)
            probs[task] = p.tolist()
            rows = np.flatnonzero(p >= REASON_MIN_SCORE)
            top = reasons(task, batch, rows, self._models[task].linear, extra)
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
