"""Measure what a reader downloads for the embed: embed.js + the widget bundle, raw and gzipped
(and count.js, which index pages load instead, and the edit chunk, which the loader fetches
only for a reader with a comment to edit).

Run: ``.venv/bin/python bench/bench_embed_size.py`` (no app, database or network needed).
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()
