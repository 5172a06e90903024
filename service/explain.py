"""Why the classifier decided what it did, as a site's server reads it: the stored
decision's reasons (the scoring contract's shape) and its summary lines, the two things
the dashboard's card shows. Pure: no I/O.

Used by the ``comment.held`` and ``comment.rejected`` webhooks (``service.events``) and by
the keyed queue listing (``service.api.queue``), so a receiver learns why a comment waits
without a second, ``read``-scoped call.
"""

from __future__ import annotations

import re
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
    ``classifier_error: the classifier failed (TimeoutError)`` for a comment held because
    scoring kept failing: the error's class, never its message)."""
    decision = comment.decision if isinstance(comment.decision, Mapping) else {}
    if decision.get("error") == "classifier_error":
        return [error_summary(str(decision.get("error_type") or _legacy_type(decision)))]
    return [str(line) for line in decision.get("summary") or []]


#: What a class name may hold in the stable reason (anything else: ``Exception``).
ERROR_TYPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}$")


def error_type(kind: str) -> str:
    """Return an error's class name as the reason names it (``Exception`` if odd)."""
    return kind if ERROR_TYPE.match(kind) else "Exception"


def error_summary(kind: str) -> str:
    """Return the stable line of a hold after classifier errors: the class, not the text."""
    return f"classifier_error: the classifier failed ({error_type(kind)})"


def _legacy_type(decision: Mapping[str, Any]) -> str:
    """The class name in a summary line stored before ``error_type`` was (``… failed
    (ValueError: message)``); ``AbandonedJob`` for the sweep's "no decision after N
    attempts"; else ``Exception``."""
    line = str((decision.get("summary") or [""])[0])
    found = re.search(r"\(([A-Za-z_][A-Za-z0-9_]*):", line)
    if found:
        return found[1]
    return "AbandonedJob" if "no decision after" in line else "Exception"


def error_detail(comment: Comment) -> str | None:
    """Return a classifier error's message, for the dashboard only (never sent out)."""
    decision = comment.decision if isinstance(comment.decision, Mapping) else {}
    if decision.get("error") != "classifier_error":
        return None
    detail = decision.get("error_detail") or (decision.get("summary") or [None])[0]
    return str(detail) if detail else None


def public_decision(comment: Comment) -> dict[str, Any] | None:
    """Return the stored decision as the API shows it to a ``read`` key: the stable
    summary, without a classifier error's message."""
    if not isinstance(comment.decision, Mapping) or not comment.decision:
        return None
    decision = {k: v for k, v in comment.decision.items() if k != "error_detail"}
    if "summary" in decision:
        decision["summary"] = summary(comment)
    return decision


def explanation(comment: Comment) -> dict[str, Any]:
    """Return ``{"reasons": [...], "summary": [...]}``: empty lists before a decision (or
    after an author's edit, which clears it)."""
    return {"reasons": reasons(comment), "summary": summary(comment)}
