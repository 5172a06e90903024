"""Benchmark the synchronous compatible endpoints: Akismet comment-check and Perspective analyze.

Run: ``python -m bench.bench_compat`` (add ``--requests N``). Calls go through the
Flask test client (no network) on a throw-away instance with a real Valkey and
SQLite file, after one warm-up call that loads the models. Prints the median and
95th percentile per call (the time a site's backend waits, less the network),
with GET /healthz through the same client as the baseline, and the models'
scoring alone for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Protocol

from bench._common import instance

TEXT = "Thanks for the careful reporting on the council budget; the figures were new to me."


def percentile(values: list[float], p: float) -> float:
    """Return the ``p``-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


class _Answer(Protocol):
    """What a timed call gives back: its status code."""

    status_code: int


class _Ok:
    """Wrap a plain call so it looks like a 200 response."""

    status_code = 200

    def __init__(self, _result: object) -> None:
        pass


def main() -> None:
    """Print the latency figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with instance(sqlite_synchronous="NORMAL"):
        from service import create_app
        from service import sites as site_ops
        from service.extensions import db

        app = create_app({"KEY_RATE_PER_MINUTE": 1e9, "KEY_RATE_BURST": 10**9})
        with app.app_context(), db().session() as session:
            site = site_ops.by_slug(session, "default")
            assert site is not None
            key = site_ops.add_key(session, site, name="bench", scopes=["submit"])
        client = app.test_client()
        akismet = {"api_key": key, "blog": "https://news.example", "user_ip": "203.0.113.7",
                   "comment_content": TEXT}  # fmt: skip
        perspective = {"comment": {"text": TEXT}, "requestedAttributes": {"TOXICITY": {}}}
        from models.scoring import load_scorer

        scorer = load_scorer()
        calls: dict[str, Callable[[], _Answer]] = {
            "baseline: GET /healthz": lambda: client.get("/healthz"),
            "scoring alone (in-process)": lambda: _Ok(scorer.score([{"text": TEXT}])),
            "akismet comment-check": lambda: client.post("/1.1/comment-check", data=akismet),
            "perspective analyze": lambda: client.post(
                f"/v1alpha1/comments:analyze?key={key}", json=perspective
            ),
        }
        base = None
        for name, call in calls.items():
            assert call().status_code == 200  # warm-up: loads the models once
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                rv = call()
                times.append((time.perf_counter() - start) * 1000)
                assert rv.status_code == 200
            median = statistics.median(times)
            base = base or median
            print(
                f"{name:28s} median {median:6.2f} ms   p95 {percentile(times, 95):6.2f} ms   "
                f"x{median / base:5.1f} of baseline   ({args.requests} calls)"
            )


if __name__ == "__main__":
    main()
