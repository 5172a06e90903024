"""Read the sweep's rows page by page (keyset pagination), within its share of the interval."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import and_, or_

from worker.runtime import Runtime

#: Rows read per query; a sweep reads batch after batch (keyset pagination) until none
#: is left or it has spent ``BUDGET_SHARE`` of the interval (after Redis lost 20,000 jobs,
#: one batch per interval re-queued 50 comments a second, slower than the workers).
BATCH = 500
BUDGET_SHARE = 0.5


def deadline_for(rt: Runtime, budget: float | None) -> float:
    """Return the monotonic time a sweep stops reading further batches."""
    seconds = (
        budget if budget is not None else BUDGET_SHARE * float(rt.app.config["SWEEP_INTERVAL"])
    )
    return time.monotonic() + seconds


#: Re-queues one page of rows: (how many, whether Redis refused an enqueue).
Requeue = Callable[[Sequence[Any]], tuple[int, bool]]


def pages(rt: Runtime, query: Any, order: Any, key: Any, deadline: float, requeue: Requeue) -> int:
    """Run ``requeue`` on the rows of ``query`` (selecting id, attempts, ``order``) page by
    page in (``order``, ``key``) order, each page after the last one's row (keyset
    pagination: rows it skipped stay behind it, never read twice), until a short page, a
    page with nothing lost (a backlog: its rows wait in the queue, and paging through
    them slowed the worker; found in review), a refused enqueue or ``deadline``; return
    how many were queued."""
    after: tuple[Any, Any] | None = None
    queued = 0
    while True:
        page = query
        if after is not None:
            page = page.where(or_(order > after[0], and_(order == after[0], key > after[1])))
        with rt.db.session() as session:
            rows = session.execute(page.order_by(order, key).limit(BATCH)).all()
        count, redis_failed = requeue(rows)
        queued += count
        if redis_failed or not count or len(rows) < BATCH or time.monotonic() >= deadline:
            return queued
        after = (rows[-1][2], rows[-1][0])
