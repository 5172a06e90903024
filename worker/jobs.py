"""RQ jobs. Thin functions that raise: failures go to RQ's retries and failed registry."""

from __future__ import annotations

import logging

from service import threads
from service.clock import utcnow
from service.enqueue import enqueue_outboxes
from service.lifecycle import Change, transition
from service.policy import decide
from service.status import State
from service.store.tables import Comment, Site
from worker import runtime
from worker.rules import author_holds, ban_hits, bot_hits, bot_holds

log = logging.getLogger(__name__)


def classify_comment(comment_id: str, revision: int | None = None) -> str:
    """Score a pending comment and apply its site's policy; a no-op once it is decided.

    The decision holds only for the text revision scored (the update is conditional on it):
    an author who edits the comment meanwhile makes a new revision, decided by its own job,
    never by the scores of the text before. A job queued for an older ``revision`` than the
    comment's (None: any) does nothing.
    """
    rt = runtime.get()
    with rt.db.session() as session:
        comment = session.get(Comment, comment_id)
        if comment is None or comment.state != State.PENDING.value:
            return "skipped"
        if revision is not None and comment.revision != revision:
            return "skipped"
        scored = comment.revision
        site = session.get(Site, comment.site_id)
        assert site is not None
        policy = threads.policy_for(session, site, comment.thread)
        rules = ban_hits(session, comment) + bot_hits(comment.signals or {}, policy)
        holds = bot_holds(comment.signals or {}) + author_holds(session, comment, policy)
        item = {
            "text": comment.text,
            "name": comment.author_name,
            "email": comment.author_email,
            "url": comment.author_url,
        }
    result = rt.scorer.score([item])[0]
    decision = decide(result, rules, policy, holds)
    record = {
        "action": decision.action,
        "summary": decision.summary,
        "reasons": result["reasons"],
        "thresholds": decision.thresholds,
        "model_version": result["model_version"],
    }
    with rt.db.session() as session:
        outcome = transition(
            session,
            comment_id,
            Change(
                expected=State.PENDING,
                new=decision.state,
                actor="system:worker",
                action="classify",
                rejection=decision.rejection,
                revision=scored,
                values={
                    "spam": float(result["spam"]),
                    "toxicity": float(result["toxicity"]),
                    "decision": record,
                    "model_version": result["model_version"],
                    "decided_at": utcnow(),
                },
                details={"summary": decision.summary},
            ),
        )
    if outcome is None:
        return "skipped"
    enqueue_outboxes(rt.queue, outcome.deliveries, outcome.mails)
    log.info("comment %s: %s (%s)", comment_id, decision.state.value, "; ".join(decision.summary))
    return decision.action
