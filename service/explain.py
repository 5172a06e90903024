"""Why the classifier decided what it did, as a site's server reads it: the stored
decision's reasons (the scoring contract's shape) and its summary lines, the two things
the dashboard's card shows. Pure: no I/O.

Used by the ``comment.held`` and ``comment.rejected`` webhooks (``service.events``) and by
the keyed queue listing (``service.api.queue``), so a receiver learns why a comment waits
without a second, ``read``-scoped call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.store.tables import Comment


def valid_span(reason: Mapping[str, Any], length: int) -> tuple[int, int] | None:
    """Return a reason's span if it is a usable ``[start, end)`` within ``length`` (the
    dashboard highlights only these; a span it cannot place is not sent either)."""
    span = reason.get("span")
    if not isinstance(span, list | tuple) or len(span) != 2:
        return None
    start, end = span
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)):
        return None
    return (start, end) if 0 <= start < end <= length else None


def reasons(comment: Comment) -> list[dict[str, Any]]:
    """Return the classifier's reasons, each ``{"model", "kind", "text", "weight", "span"}``.

    An erased comment's reasons keep their model, kind and weight: their ``text`` (the
    words they quoted) and ``span`` are null (``service.privacy.scrubbing``).
    """
    decision = comment.decision if isinstance(comment.decision, Mapping) else {}
    out = []
    for raw in decision.get("reasons") or []:
        if not isinstance(raw, Mapping):
            continue
        weight = raw.get("weight")
        text = raw.get("text")
        span = valid_span(raw, len(comment.text or ""))
        out.append(
            {
                "model": str(raw.get("model", "")),
                "kind": str(raw.get("kind", "")),
                "text": text if isinstance(text, str) else None,
                "weight": float(weight)
                if isinstance(weight, int | float) and not isinstance(weight, bool)
                else None,
                "span": list(span) if span else None,
            }
        )
    return out


def summary(comment: Comment) -> list[str]:
    """Return the decision's human-readable lines (why it was held, rejected or published;
    ``classifier_error: …`` for a comment held because scoring kept failing)."""
    decision = comment.decision if isinstance(comment.decision, Mapping) else {}
    return [str(line) for line in decision.get("summary") or []]


def explanation(comment: Comment) -> dict[str, Any]:
    """Return ``{"reasons": [...], "summary": [...]}``: empty lists before a decision (or
    after an author's edit, which clears it)."""
    return {"reasons": reasons(comment), "summary": summary(comment)}
