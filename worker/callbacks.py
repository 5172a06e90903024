"""RQ callbacks. RQ calls ``on_failure`` after every failed attempt, so check ``retries_left``."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from service import explain
from service.clock import utcnow
from service.lifecycle import Change, transition
from service.status import State
from worker import runtime

log = logging.getLogger(__name__)


def classification_failed(
    job: Any,
    connection: Any,
    exc_type: type[BaseException] | None,
    exc: BaseException | None,
    tb: TracebackType | None,
) -> None:
    """After the last retry, hold the comment for a human with reason ``classifier_error``."""
    if job.retries_left:
        return
    comment_id = job.args[0]
    # the text its job scored: an edit's job names its revision; the post's own job (the
    # comment id alone) scored the text as posted, revision 0, never "whichever is current"
    # (an edit meanwhile was held with an error its own job never had; found in review)
    revision = job.args[1] if len(job.args) > 1 else 0
    kind = exc_type.__name__ if exc_type else "Exception"
    hold_for_classifier_error(comment_id, f"{kind}: {exc}", revision, kind)


def hold_for_classifier_error(
    comment_id: str, why: str, revision: int | None = None, kind: str = "Exception"
) -> bool:
    """Move a still-pending comment to ``held``, never published, with the error recorded
    (only while its text is still ``revision``, when given).

    What leaves moderato (webhooks, the API) is the stable reason ``explain.error_summary``
    builds from ``kind`` (the exception's class name); the message itself (``why``, which
    may name hosts, paths or the text) stays with us: the log, the audit entry, and the
    decision's ``error_detail``, which only the dashboard's card shows."""
    rt = runtime.get()
    with rt.db.session() as session:
        outcome = transition(
            session,
            comment_id,
            Change(
                expected=State.PENDING,
                new=State.HELD,
                actor="system:worker",
                action="classifier_error",
                revision=revision,
                values={
                    "decision": {
                        "action": "hold",
                        "error": "classifier_error",
                        "error_type": explain.error_type(kind),
                        "summary": [explain.error_summary(kind)],
                        "error_detail": why[:300],
                        "reasons": [],
                    },
                    "decided_at": utcnow(),
                },
                details={"error": why[:1000]},
            ),
        )
    if outcome is None:
        return False
    log.warning("comment %s held: classifier_error (%s)", comment_id, why)
    if outcome.deliveries:
        rt.queue.enqueue_deliveries(outcome.deliveries)
    return True
