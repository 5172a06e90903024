"""The evaluation's statistics: metrics and bootstrap intervals on known inputs."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from models.evaluate import metrics
from models.intervals import bootstrap_interval, wilson


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    return float(roc_auc_score(y, s))


def _noisy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.array([0, 1] * (n // 2))
    return y, y + rng.normal(0, 0.8, len(y))


def test_interval_brackets_the_estimate_and_narrows_with_more_rows() -> None:
    """The 95% interval contains the sample's own AUC and is narrower for 10x the rows."""
    small, large = _noisy(200, 1), _noisy(2000, 1)
    low, high = bootstrap_interval([small], _auc, reps=500)
    assert low < _auc(*small) < high
    big_low, big_high = bootstrap_interval([large], _auc, reps=500)
    assert big_low < _auc(*large) < big_high
    assert (big_high - big_low) < 0.6 * (high - low)


def test_interval_is_seeded_and_exact_at_the_extremes() -> None:
    """Same seed, same interval; a perfect ranking is [1, 1]; a paired difference of a
    system with itself is [0, 0]."""
    y, s = _noisy(300, 2)
    assert bootstrap_interval([(y, s)], _auc, reps=300) == bootstrap_interval(
        [(y, s)], _auc, reps=300
    )
    assert bootstrap_interval([(y, y.astype(float))], _auc, reps=200) == (1.0, 1.0)
    same = bootstrap_interval([(y, s, s)], lambda y, a, b: _auc(y, a) - _auc(y, b), reps=200)
    assert same == (0.0, 0.0)


def test_interval_of_a_mean_over_samples() -> None:
    """Several samples (the five YouTube videos): the interval is of their mean statistic."""
    samples = [_noisy(300, seed) for seed in range(3)]
    mean = float(np.mean([_auc(*sample) for sample in samples]))
    low, high = bootstrap_interval(samples, _auc, reps=400)
    assert low < mean < high
    single_low, single_high = bootstrap_interval(samples[:1], _auc, reps=400)
    assert (high - low) < (single_high - single_low)


def test_metrics_on_a_known_ranking() -> None:
    """ROC AUC, F1 at the threshold and the policy shares on four hand-made rows."""
    m = metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.97], threshold=0.5, reject=0.95, publish=0.5)
    assert m["roc_auc"] == 0.75
    assert m["f1"] == 0.5  # one true positive, one false positive, one false negative
    assert m["rejected_pos"] == 0.5 and m["published_neg"] == 0.5 and m["rejected_neg"] == 0.0


def test_wilson_interval_of_a_share() -> None:
    """3 of 409 (the held-out link comments rejected): about 0.25% to 2.1%; 0 of n starts at 0."""
    low, high = wilson(3, 409)
    assert round(low, 4) == 0.0025 and round(high, 4) == 0.0213
    assert wilson(0, 100)[0] == 0.0 and 0.03 < wilson(0, 100)[1] < 0.04


def test_link_target_names_every_held_out_link_split() -> None:
    """The legitimate-link target lists each split with its count and Wilson interval, and
    fails on the worst one (1 of 18 is 5.6%, above the 1% line)."""
    from models.card import targets
    from models.evaluate import LinkRow

    links = [
        LinkRow("link-ham-test", "ours", 409, 0.06, 3 / 409),
        LinkRow("datacamp-ham-links", "ours", 18, 0.22, 1 / 18),
        LinkRow("link-ham-test", "tfidf-nb", 409, 0.01, 0.0),
    ]
    ci = {"link-ham-test rejected": wilson(3, 409), "datacamp-ham-links rejected": wilson(1, 18)}
    row = targets([], links, 0.8, {}, ci)[-1]
    assert "link-ham-test 0.73% (3 of 409)" in row and "datacamp-ham-links 5.56% (1 of 18)" in row
    assert "link-ham-test 0.25% to 2.13%" in row and "datacamp-ham-links 0.99% to" in row
    assert row.endswith("| not met |")
