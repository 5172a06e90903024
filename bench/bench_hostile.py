"""Benchmark scoring hostile text: the link patterns before and after the fix, in one process.

Run: ``python bench/bench_hostile.py`` (``--repeat N``). For each hostile 5,000-character
comment (the intake maximum) and one ordinary comment, prints the median time to score it
with both models using the shipped link/e-mail patterns and using the unbounded patterns
they replaced (``tests/models/test_signals_redos.py`` keeps those as the reference and
checks both find the same matches), and the ratio. The unbounded URL pattern was
quadratic on dotted runs: "a.a.a.…" took about 0.8 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import load_scorer, signals
from tests.models.test_signals_redos import OLD_EMAIL, OLD_URL

CASES = {
    "ordinary comment": "Thanks for the clear piece; the council's figures on page 4 surprised me.",
    '"a." × 2,500': "a." * 2500,
    '"0." × 2,500': "0." * 2500,
    '"@ " + "a." × 2,499': "@ " + "a." * 2499,
    '"a-a." × 1,250': "a-a." * 1250,
}


def median_ms(scorer: object, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        scorer.score([{"text": text}])  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scorer = load_scorer()
    shipped = (signals.URL_RE, signals.EMAIL_RE)
    print(f"{'comment':24} {'shipped ms':>11} {'unbounded ms':>13} {'ratio':>7}")
    for name, text in CASES.items():
        signals.URL_RE, signals.EMAIL_RE = shipped
        new = median_ms(scorer, text, args.repeat)
        signals.URL_RE, signals.EMAIL_RE = OLD_URL, OLD_EMAIL
        old = median_ms(scorer, text, args.repeat)
        print(f"{name:24} {new:11.2f} {old:13.2f} {new / old:7.3f}")
    signals.URL_RE, signals.EMAIL_RE = shipped


if __name__ == "__main__":
    main()
