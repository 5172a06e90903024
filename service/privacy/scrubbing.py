"""Rewrite what repeats an erased commenter: the comment itself, its audit entries and
report notes, the webhook outbox rows about it."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service import events
from service.explain import explanation, summary
from service.store.tables import AuditEntry, Comment, Report, WebhookDelivery

ERASED = "[erased]"
ERASE_NOTE = "erased at the author's request"
#: The fields of an event's comment that tell who wrote it and what they wrote.
PERSONAL = frozenset({"author_name", "author_url", "avatar", "text", "html", "reasons", "summary"})


def scrubber(needles: list[str]) -> Any:
    """Return a function that replaces each of ``needles`` (any case) in a string, or in the
    strings of a list or dict, with ``ERASED`` (the longest first where two start alike)."""
    ordered = sorted({n for n in needles if n}, key=lambda n: (-len(n), n))
    # no needle: a pattern that never matches (an empty one would match everywhere)
    alternatives = "|".join(re.escape(n) for n in ordered) or "(?!)"
    pattern = re.compile(alternatives, re.IGNORECASE)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(ERASED, value)
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    return scrub


def scrub_comment(comment: Comment, scrub: Any) -> None:
    """Erase who wrote ``comment`` and what they wrote; keep its decision's reasons without
    the words they quote."""
    comment.author_name = ERASED
    comment.author_email = ""
    comment.author_url = None
    comment.avatar = ""
    comment.text = ""
    comment.html = f"<p><em>{ERASED}</em></p>"
    comment.ip_hash = None
    comment.user_agent = None
    comment.referrer = None
    comment.signals = {}
    comment.notify_replies = False
    comment.lang = None
    comment.previous_text = None  # the text before an author's edit
    if comment.decision:
        decision = dict(comment.decision)
        decision["reasons"] = [
            {"model": r.get("model"), "kind": r.get("kind"), "weight": r.get("weight")}
            for r in decision.get("reasons") or []
            if isinstance(r, dict)
        ]
        # a classifier error's message may quote the text: the stable summary stays
        decision.pop("error_detail", None)
        if decision.get("error") == "classifier_error":
            decision["summary"] = summary(comment)
        comment.decision = scrub(decision)


def scrub_audit(session: Session, ids: list[str], scrub: Any) -> None:
    """Scrub the address, IP hashes and classifier errors' messages from the comments'
    audit entries, and replace the moderators' notes on them (a note may quote the
    author's name or words; found in review). Readers' report notes on them go too."""
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.comment_id.in_(ids))):
        details = scrub(entry.details or {})
        if "error" in details:  # a classifier error's message may quote the text
            details["error"] = ERASED
        note = entry.note if entry.note in (None, "", ERASE_NOTE) else ERASED
        if details != (entry.details or {}) or note != entry.note:
            entry.details, entry.note = details, note
    session.execute(
        update(Report).where(Report.comment_id.in_(ids), Report.note.is_not(None)).values(note=None)
    )


def scrub_outbox(
    session: Session,
    comments: list[Comment],
    fresh: set[str],
    scrub: Any,
    slugs: dict[int, str],
) -> None:
    """Rewrite the body of every outbox row about these comments with the erased fields
    (rows of the take-down just recorded carry them already)."""
    by_id = {c.id: c for c in comments}
    mentions = or_(*(WebhookDelivery.payload.contains(cid, autoescape=True) for cid in by_id))
    for row in session.scalars(select(WebhookDelivery).where(mentions)):
        if row.id in fresh:
            continue
        body = json.loads(row.payload)
        comment = by_id.get(str(body.get("data", {}).get("id")))
        if comment is None:
            continue
        sent = body["data"]
        # Who wrote it and what they wrote come from the erased comment; the rest (the
        # state at the time of the event, an edit's ``previous_status``, the revision, a
        # moderation's action) stays as sent: an edited event lost its previous_status
        # (found in review).
        fresh_data = events.comment_data(comment, slugs.get(comment.site_id, ""))
        if "reasons" in sent:  # held, rejected: the reasons no longer quote the words
            fresh_data.update(explanation(comment))
        data = {**sent, **{k: v for k, v in fresh_data.items() if k in PERSONAL or k not in sent}}
        if "note" in sent:  # a moderator's note may quote the author
            data["note"] = sent["note"] if sent["note"] in (None, "", ERASE_NOTE) else ERASED
        body["data"] = scrub(data)
        row.payload = json.dumps(body)
