"""Benchmark the shipped scorer: artifact load, one comment, and a batch of 1,000.

Run: ``python bench/bench_scoring.py`` (add ``--repeat N``). Prints medians; the targets
are load < 1 s, one comment < 1 ms and 1,000 comments < 100 ms with both models.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

LOAD = (
    "import time; t = time.perf_counter(); from models import load_scorer; load_scorer(); "
    "print(time.perf_counter() - t)"
)


def comments(n: int) -> list[dict[str, str]]:
    """Return ``n`` short real comments (YouTube + SMS test texts), repeated if needed."""
    from models import data

    texts = data.youtube_pilot().texts + data.sms_split()[1].texts
    return [{"text": texts[i % len(texts)]} for i in range(n)]


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Return the median wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the benchmark medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    loads = [
        float(
            subprocess.run(
                [sys.executable, "-c", LOAD], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    from models import load_scorer

    scorer = load_scorer()
    batch = comments(1000)
    one = [batch[3]]
    scorer.score(batch)
    print(f"model_version         {scorer.model_version}")
    print(
        f"load (fresh process)  median {statistics.median(loads) * 1000:8.1f} ms  (target < 1000)"
    )
    single = median_ms(lambda: scorer.score(one), args.repeat * 20)
    print(f"1 comment, 2 models   median {single:8.3f} ms  (target < 1)")
    thousand = median_ms(lambda: scorer.score(batch), args.repeat)
    print(f"1000 comments         median {thousand:8.1f} ms  (target < 100)")
    mean_len = statistics.mean(len(c["text"]) for c in batch)
    print(f"batch mean length     {mean_len:.0f} characters")


if __name__ == "__main__":
    main()
