"""95% intervals of the figures the targets are judged on: a stratified, paired bootstrap for
AUC and F1, Wilson's interval for shares (used by ``models/evaluate.py``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from models.card import UNSEEN_BY_PROFANITY

if TYPE_CHECKING:
    from models.evaluate import LinkRow

BOOTSTRAP_REPS = 2000


def _resamples(labels: np.ndarray, reps: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``reps`` stratified bootstrap index sets (positives and negatives apart)."""
    pos, neg = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    return np.concatenate(
        (rng.choice(pos, (reps, len(pos))), rng.choice(neg, (reps, len(neg)))), axis=1
    )


def bootstrap_interval(
    samples: Sequence[tuple[np.ndarray, ...]],
    statistic: Callable[..., float],
    reps: int = BOOTSTRAP_REPS,
    seed: int = 0,
) -> tuple[float, float]:
    """Return the 95% percentile interval of the mean of ``statistic`` over ``samples``.

    Each sample is ``(labels, *score_arrays)``; every replicate resamples each sample's
    rows (stratified, seeded), the same rows for all its score arrays (a paired
    bootstrap), applies ``statistic(labels, *scores)`` and averages over the samples
    (the YouTube figure is a mean over five videos).
    """
    rng = np.random.default_rng(seed)
    values = np.zeros(reps)
    for labels, *scores in samples:
        y = np.asarray(labels)
        for r, idx in enumerate(_resamples(y, reps, rng)):
            values[r] += statistic(y[idx], *(np.asarray(x)[idx] for x in scores))
    values /= len(samples)
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Return the Wilson score interval (95% by default) of the share ``k / n``."""
    if n <= 0:
        return 0.0, 1.0
    share = k / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def intervals(
    scored: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]],
    spam_threshold: float,
    olid_threshold: float,
    links: Sequence[LinkRow] = (),
) -> dict[str, tuple[float, float]]:
    """Return 95% intervals of the figures the targets are judged on (ours): bootstrap
    for AUC and F1, Wilson for the share of held-out legitimate link comments rejected."""
    from sklearn.metrics import f1_score, roc_auc_score

    def auc(y: np.ndarray, s: np.ndarray) -> float:
        return float(roc_auc_score(y, s))

    out: dict[str, tuple[float, float]] = {}
    videos = [
        v
        for (split, system), v in scored.items()
        if system == "ours" and split.startswith("youtube-") and split != "youtube-pilot"
    ]
    if videos:
        out["youtube_auc"] = bootstrap_interval(videos, auc)
        out["youtube_f1"] = bootstrap_interval(
            videos, lambda y, s: float(f1_score(y, s >= spam_threshold, zero_division=0))
        )
    for split in ("youtube-pilot", "sms-test", "jigsaw-test"):
        if (split, "ours") in scored:
            out[split] = bootstrap_interval([scored[split, "ours"]], auc)
    for split in UNSEEN_BY_PROFANITY:  # ours minus alt-profanity-check, same rows
        if (split, "ours") in scored and (split, "alt-profanity-check") in scored:
            y, ours = scored[split, "ours"]
            out[f"{split} - apc"] = bootstrap_interval(
                [(y, ours, scored[split, "alt-profanity-check"][1])],
                lambda y, a, b: auc(y, a) - auc(y, b),
            )
    for row in links:
        if row.system == "ours" and row.n:
            out[f"{row.split} rejected"] = wilson(round(row.rejected * row.n), row.n)
    if ("olid-test", "ours") in scored:
        out["olid_macro_f1"] = bootstrap_interval(
            [scored["olid-test", "ours"]],
            lambda y, s: float(f1_score(y, s >= olid_threshold, average="macro")),
        )
    return out
