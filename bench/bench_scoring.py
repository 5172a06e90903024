"""Benchmark the shipped scorer against a stock scikit-learn pipeline, in one command.

Run: ``python bench/bench_scoring.py`` (``--repeat N``). Prints medians for loading the
artifacts in a fresh process, scoring one comment with both models and scoring a batch
of 1,000 comments with both models (reasons included), next to the same measurements for
a stock pipeline per model (word 1–2-gram + char_wb 2–5-gram ``TfidfVectorizer`` +
``LogisticRegression``, fitted here on the spam training rows and a toxicity sample,
loaded from a pickle written by this script) and the ratio ours / stock. Targets: load
< 1 s, one comment < 1 ms, 1,000 comments < 100 ms.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

OURS_LOAD = (
    "import time; t = time.perf_counter(); from models import load_scorer; load_scorer(); "
    "print(time.perf_counter() - t)"
)
STOCK_LOAD = (
    "import time; t = time.perf_counter(); import pickle, sklearn; "
    "[pickle.load(open(p, 'rb')) for p in {paths!r}]; print(time.perf_counter() - t)"
)


def comments(n: int) -> list[dict[str, str]]:
    """Return ``n`` short real comments (YouTube pilot + SMS test texts), repeated if needed."""
    from models import data

    texts = data.youtube_pilot().texts + data.sms_split()[1].texts
    return [{"text": texts[i % len(texts)]} for i in range(n)]


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    """Return the median wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fresh_load_ms(code: str, runs: int = 5) -> float:
    """Return the median time a fresh interpreter takes to run ``code`` (it prints seconds)."""
    out = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(runs)
    ]  # fmt: skip
    return statistics.median(out) * 1000


def stock_pipelines() -> list[Any]:
    """Fit one stock scikit-learn pipeline per model on training rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from models.train import spam_corpus, toxicity_corpus

    models = []
    for corpus in (spam_corpus(), toxicity_corpus()):
        texts, labels = corpus.texts[::2], corpus.labels[::2]
        union = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        )
        models.append(make_pipeline(union, LogisticRegression(max_iter=1000)).fit(texts, labels))
    return models


def main() -> None:
    """Print the benchmark medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from models import load_scorer

    scorer = load_scorer()
    batch = comments(1000)
    texts = [c["text"] for c in batch]
    one, one_text = [batch[3]], [texts[3]]
    stock = stock_pipelines()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, model in enumerate(stock):
            paths.append(str(Path(tmp) / f"stock{i}.pkl"))
            Path(paths[-1]).write_bytes(pickle.dumps(model))
        load = (fresh_load_ms(OURS_LOAD), fresh_load_ms(STOCK_LOAD.format(paths=paths)))
    scorer.score(batch)

    def stock_score(items: list[str]) -> None:
        for model in stock:
            model.predict_proba(items)

    single = (
        median_ms(lambda: scorer.score(one), args.repeat * 20),
        median_ms(lambda: stock_score(one_text), args.repeat * 20),
    )
    thousand = (
        median_ms(lambda: scorer.score(batch), args.repeat),
        median_ms(lambda: stock_score(texts), args.repeat),
    )
    print(f"model_version {scorer.model_version}")
    print(f"batch: 1000 comments, mean length {statistics.mean(map(len, texts)):.0f} characters")
    print(f"{'median (both models)':28} {'ours':>10} {'stock':>10} {'ours/stock':>11}  target")
    for name, (ours, base), target in (
        ("load (fresh process) ms", load, "< 1000"),
        ("1 comment ms", single, "< 1"),
        ("1000 comments ms", thousand, "< 100"),
    ):
        print(f"{name:28} {ours:10.3f} {base:10.3f} {ours / base:11.2f}  {target}")


if __name__ == "__main__":
    main()
