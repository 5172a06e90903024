"""What finding a comment's page costs (the no-JS thread's and the listing API's
``comment=<id>``), against their first pages, on a busy thread. One process, no HTTP.

    .venv/bin/python -m bench.bench_comment_page [--comments 5000] [--requests 20] [--rounds 5]

The thread is ``bench_thread_pages``'s (40% replies, seed 0); the comment looked for is
the newest, on the last page oldest first. ``page_holding`` is timed as it runs (pages of
a fixed size: two counts) and with ``MAX_REPLIES`` lowered to 100, so that pages end
early and each root's replies are counted to lay them out.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench._common import instance, median
from bench.bench_thread_pages import _fill


def _ms(call: Callable[[], object], requests: int) -> float:
    """Return the mean milliseconds of ``requests`` calls."""
    started = time.perf_counter()
    for _ in range(requests):
        call()
    return (time.perf_counter() - started) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with instance():
        from sqlalchemy import select

        from service import conversations, create_app
        from service.comment_pages import page_holding
        from service.extensions import db
        from service.store.tables import Comment, Site

        app = create_app()
        _fill(app, args.comments)
        client = app.test_client()
        page = "/embed/thread?site=default&thread=t&format=page"
        api = "/api/v1/comments?site=default&thread=t"
        limit = app.config["LIST_MAX_PAGE_SIZE"]
        with app.app_context(), db().session() as session:
            site = session.scalars(select(Site).where(Site.slug == "default")).one()
            newest = session.scalars(
                select(Comment.id).where(Comment.thread == "t").order_by(Comment.created_at.desc())
            ).first()
            assert newest is not None

            def holding(newest_first: bool) -> Callable[[], object]:
                return lambda: page_holding(
                    session, site, "t", newest, newest_first=newest_first, limit=limit
                )

            def exact() -> object:
                saved, conversations.MAX_REPLIES = conversations.MAX_REPLIES, 100
                try:
                    return holding(False)()
                finally:
                    conversations.MAX_REPLIES = saved

            cases: dict[str, Callable[[], object]] = {
                "page_holding, oldest": holding(False),
                "page_holding, newest": holding(True),
                "page_holding, pages ended early": exact,
                "no-JS first page": lambda: client.get(page),
                "no-JS page with comment=": lambda: client.get(f"{page}&comment={newest}"),
                # the widget's link lookup: one request a thread (by conversation), and the
                # flat list's own lookup (by comment)
                "API first page, by conversation": lambda: client.get(f"{api}&by=conversation"),
                "API comment=, by conversation": lambda: client.get(
                    f"{api}&by=conversation&comment={newest}"
                ),
                "API first page, by comment": lambda: client.get(api),
                "API comment=, by comment": lambda: client.get(f"{api}&comment={newest}"),
            }
            for call in cases.values():  # warm up
                call()
            times: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.rounds):
                for name, call in cases.items():
                    times[name].append(_ms(call, args.requests))
    print(
        f"in-process, {args.comments} published comments, pages of {limit} conversations, "
        f"{args.rounds} rounds of {args.requests} calls (medians)"
    )
    for name, ms in times.items():
        print(f"  {name:<32} {median(ms):7.2f} ms")


if __name__ == "__main__":
    main()
