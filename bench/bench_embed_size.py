"""Measure what a reader downloads for the embed: embed.js + the widget bundle, raw and gzipped
(and count.js, which index pages load instead, and the edit chunk, which the loader fetches
only for a reader with a comment to edit).

Run: ``.venv/bin/python bench/bench_embed_size.py`` (no app, database or network needed).
``--minifiers`` also builds the same sources with ``rjsmin`` (comments and whitespace only,
the minifier before ``calmjs.parse``; ``pip install rjsmin``) and prints both gzipped sizes.
"""

from __future__ import annotations

import statistics
import sys
import time

from service.embed import assets

BUDGET = 15 * 1024


def main() -> None:
    """Print each file's size and the gzipped total against the 15 KB budget."""
    files = [("embed.js (loader)", assets.loader()), ("widget bundle", assets.asset("widget.js"))]
    for label, item in files:
        print(f"{label:<20} {len(item.body):>7,} B raw  {len(item.gzipped):>6,} B gzipped")
    total = sum(len(item.gzipped) for _, item in files)
    verdict = "within" if total < BUDGET else "OVER"
    print(f"{'total':<20} {'':>13}  {total:>6,} B gzipped ({verdict} the {BUDGET:,} B budget)")
    count = assets.counter()  # index pages load this instead, not beside the thread
    print(
        f"{'count.js (index)':<20} {len(count.body):>7,} B raw  {len(count.gzipped):>6,} B gzipped"
    )
    chunk = assets.asset("edit.js")  # loaded only for a reader with a comment to edit
    print(
        f"{'edit chunk (lazy)':<20} {len(chunk.body):>7,} B raw  {len(chunk.gzipped):>6,} B gzipped"
        " (not in the total)"
    )


def _gzipped_sizes() -> dict[str, int]:
    """Return each script's gzipped size as the current minifier builds it."""
    for build in (assets.built, assets.loader, assets.counter):
        build.cache_clear()
    return {
        "embed.js": len(assets.loader().gzipped),
        "widget.js": len(assets.asset("widget.js").gzipped),
        "edit.js": len(assets.asset("edit.js").gzipped),
        "count.js": len(assets.counter().gzipped),
    }


def compare_minifiers() -> None:
    """Print the gzipped sizes of the same sources minified by rjsmin and by calmjs.parse."""
    import rjsmin

    shorten = assets.minify
    assets.minify = lambda script: rjsmin.jsmin(script) + "\n"
    try:
        before = _gzipped_sizes()
    finally:
        assets.minify = shorten
    after = _gzipped_sizes()
    for name in before:
        print(f"{name:<10} rjsmin {before[name]:>6,} B  calmjs.parse {after[name]:>6,} B")
    old, new = (d["embed.js"] + d["widget.js"] for d in (before, after))
    print(f"{'total':<10} rjsmin {old:>6,} B  calmjs.parse {new:>6,} B (loader + widget)")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        _gzipped_sizes()
        times.append(time.perf_counter() - started)
    print(f"building all four with calmjs.parse: median {statistics.median(times):.2f} s of 5")


if __name__ == "__main__":
    main()
    if "--minifiers" in sys.argv[1:]:
        compare_minifiers()
