"""The classification job and its failure path, run in this process on real Redis, SQLite and models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import redis as redis_lib
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry
from rq.scheduler import RQScheduler
from sqlalchemy import select, update

from service.store import Database
from service.store.tables import AuditEntry, Ban, Comment, Site
from tests.factories import SPAM, stored
from tests.helpers import wait_for
from worker.jobs import classify_comment
from worker.runtime import Runtime


def _comment(db: Database, comment_id: str) -> Comment:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row


def _classify_audits(db: Database, comment_id: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.comment_id == comment_id, AuditEntry.actor == "system:worker"
                )
            )
        )


def test_a_benign_comment_is_published_with_scores_reasons_and_model_version(
    db: Database, worker_runtime: Runtime
) -> None:
    """classify stores both scores, the decision with its thresholds, and the model version."""
    comment = stored(db)
    assert classify_comment(comment.id) == "publish"
    row = _comment(db, comment.id)
    assert row.state == "published" and row.published_at is not None
    assert row.spam is not None and 0 <= row.spam < 0.5
    assert row.toxicity is not None and 0 <= row.toxicity < 0.5
    assert row.model_version == worker_runtime.scorer.model_version
    assert row.decision is not None
    assert row.decision["thresholds"]["publish_below"] == {"spam": 0.5, "toxicity": 0.5}
    assert row.decision["model_version"] == row.model_version


def test_obvious_spam_is_not_published_and_says_why(db: Database, worker_runtime: Runtime) -> None:
    """A spam wave comment is held or rejected, with spam reasons pointing into the text."""
    comment = stored(db, text=SPAM, name="Casino Bonus")
    assert classify_comment(comment.id) in ("hold", "reject")
    row = _comment(db, comment.id)
    assert row.state in ("held", "rejected")
    assert row.decision is not None and row.decision["summary"]
    spans = [r["span"] for r in row.decision["reasons"] if r["model"] == "spam" and r["span"]]
    assert spans and all(0 <= a < b <= len(SPAM) for a, b in spans)


def test_running_the_job_twice_decides_once(db: Database, worker_runtime: Runtime) -> None:
    """A replayed job finds the comment decided and changes nothing: one audit entry, one outcome."""
    comment = stored(db)
    assert classify_comment(comment.id) == "publish"
    assert classify_comment(comment.id) == "skipped"
    assert len(_classify_audits(db, comment.id)) == 1


def test_a_banned_author_is_rejected_as_banned(db: Database, worker_runtime: Runtime) -> None:
    """A ban on the e-mail, or on the e-mail's domain, rejects with reason banned."""
    with db.session() as session:
        session.add(Ban(site_id=None, kind="email", value="troll@example.org", created_by="t"))
        session.add(Ban(site_id=None, kind="domain", value="spam.example", created_by="t"))
    by_email = stored(db, email="Troll@example.org")
    by_domain = stored(db, email="someone@spam.example")
    for comment in (by_email, by_domain):
        classify_comment(comment.id)
        row = _comment(db, comment.id)
        assert (row.state, row.rejection) == ("rejected", "banned")


def test_bot_signals_reject_as_bot_and_a_required_token_is_enforced(
    db: Database, worker_runtime: Runtime
) -> None:
    """A filled honeypot rejects as bot; a missing token does so only where the site requires one."""
    honeypot = stored(db)
    missing = stored(db)
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == honeypot.id).values(signals={"honeypot": True})
        )
        session.execute(
            update(Comment)
            .where(Comment.id == missing.id)
            .values(signals={"form_token": "missing"})
        )
    classify_comment(honeypot.id)
    classify_comment(missing.id)
    assert _comment(db, honeypot.id).rejection == "bot"
    assert _comment(db, missing.id).state == "published"
    required = stored(db)
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == required.id)
            .values(signals={"form_token": "missing"})
        )
        session.execute(
            update(Site).where(Site.slug == "default").values(policy={"form_token": "required"})
        )
    classify_comment(required.id)
    assert _comment(db, required.id).rejection == "bot"


def test_pre_moderation_holds_a_benign_comment(db: Database, worker_runtime: Runtime) -> None:
    """A site in pre-moderation holds even a clean comment for a human."""
    with db.session() as session:
        session.execute(update(Site).where(Site.slug == "default").values(policy={"mode": "pre"}))
    comment = stored(db)
    assert classify_comment(comment.id) == "hold"
    assert _comment(db, comment.id).state == "held"


class BrokenScorer:
    """Fault injection: a scorer whose every call fails, as a corrupt model would."""

    model_version = "broken"

    def score(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        raise RuntimeError("model exploded")


def test_a_comment_that_cannot_be_scored_is_retried_then_held_never_published(
    db: Database, worker_runtime: Runtime, redis_url: str
) -> None:
    """Scoring failures are retried by RQ with backoff, then the comment is held as
    classifier_error, its summary naming the error's class and not its message."""
    worker_runtime.scorer = BrokenScorer()  # type: ignore[assignment]
    comment = stored(db)
    assert worker_runtime.queue.enqueue_classify(comment.id)
    conn = redis_lib.from_url(redis_url)
    queue = Queue("moderato", connection=conn)
    worker = SimpleWorker([queue], connection=conn)
    scheduler = RQScheduler(["moderato"], connection=conn)

    def run_due_jobs() -> bool:
        if scheduler.acquire_locks():
            scheduler.enqueue_scheduled_jobs()
        worker.work(burst=True)
        return _comment(db, comment.id).state != "pending"

    wait_for(run_due_jobs, timeout=20, interval=0.2)
    row = _comment(db, comment.id)
    assert row.state == "held"
    assert row.decision is not None and row.decision["error"] == "classifier_error"
    # the class goes out (webhooks, the API); the message stays for the dashboard
    assert row.decision["summary"] == ["classifier_error: the classifier failed (RuntimeError)"]
    assert "model exploded" in row.decision["error_detail"]
    assert [a.action for a in _classify_audits(db, comment.id)] == ["classifier_error"]
    failed = FailedJobRegistry("moderato", connection=conn)
    assert f"classify-{comment.id}" in failed.get_job_ids()
