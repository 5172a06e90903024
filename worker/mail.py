"""Send the mail outbox: claim a row, read what it is about, compose, hand it to SMTP.

Like webhook deliveries (``worker/webhooks/``): a job first *claims* its row with a
conditional update that pushes ``next_attempt_at`` a lease ahead, so two jobs for one
mail cannot both send it; a worker that dies mid-attempt leaves a pending row whose
lease runs out, and the sweep queues it again. Per attempt:

- the mail is no longer wanted (unsubscribed, erased, the reply taken down or being
  edited, the address confirmed already, or asked to confirm less than
  ``MAIL_CONFIRM_MAX_AGE`` ago and not unsubscribed since): ``cancelled``, nothing sent;
  a reply's mail cancelled so is made due again when the reply is published again
  (``service.notify.outbox``), and one whose reply was published while we cancelled it
  is tried again at once;
- the server took it: ``sent``, ``sent_at`` the time it accepted the mail (an attempt
  that failed leaves no send time; a data export's ``confirmation_sent_at`` is the
  confirmation mail's ``sent_at``);
- ``TemporaryMailError`` (server away, 4xx, authentication): retried after
  ``base * factor^(n-1)`` seconds (capped, with jitter); after ``MAIL_MAX_ATTEMPTS``
  attempts, ``failed``;
- ``PermanentMailError`` (5xx: the recipient or the message refused): ``failed``.

Delivery is at least once: a worker killed between the server's answer and the write of
``sent`` sends that mail again (with the same ``Message-ID``).
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from service import mailer as smtp
from service import sites
from service.addresses import email_key
from service.clock import utcnow
from service.embed import i18n
from service.notify import compose, outbox, tokens
from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from service.store.tables_notify import MailMessage, MailSubscription
from worker import leases, runtime
from worker.webhooks.retry import RetryPolicy

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=90)  # longer than the job's 60 s timeout
#: Why a reply's mail is cancelled while the reply is out of its thread (taken down, or
#: edited and waiting for the classifier): the one reason a later publish undoes.
NOT_PUBLISHED = "the reply is no longer published"


class MailScheduler(Protocol):
    """Where a mail's next attempt goes: the RQ queue in a worker."""

    def enqueue_mail_at(self, message_id: str, attempt: int, when: datetime) -> bool: ...


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a mail is not sent after all."""

    reason: str


def policy(cfg: Mapping[str, Any]) -> RetryPolicy:
    """Return the retry policy of mails, from the ``MAIL_*`` settings."""
    return RetryPolicy(
        max_attempts=int(cfg["MAIL_MAX_ATTEMPTS"]),
        base=float(cfg["MAIL_RETRY_BASE"]),
        factor=float(cfg["MAIL_RETRY_FACTOR"]),
        cap=float(cfg["MAIL_RETRY_CAP"]),
    )


def claim(db: Database, message_id: str, now: datetime) -> bool:
    """Take a pending, due mail for one attempt (a lease); False if not ours to send now."""
    return leases.claim(db, MailMessage, message_id, now, LEASE)


def _reserve(session: Session, sub: MailSubscription, row: MailMessage, cfg: Any) -> bool:
    """Make ``row`` the subscription's one confirmation of the period (a new nonce: older
    links stop working), unless another was sent within ``MAIL_CONFIRM_MAX_AGE`` and the
    address has not unsubscribed since (an address that acted may ask again at once); one
    conditional update, so two confirmations sent at once cannot both pass."""
    now = utcnow()
    cutoff = now - timedelta(seconds=float(cfg["MAIL_CONFIRM_MAX_AGE"]))
    if sub.request_message_id == row.id:
        return True  # ours since an earlier attempt: same nonce, same link
    result = session.execute(
        update(MailSubscription)
        .where(
            MailSubscription.id == sub.id,
            MailSubscription.state != "confirmed",
            or_(
                MailSubscription.requested_at.is_(None),
                MailSubscription.requested_at < cutoff,
                MailSubscription.unsubscribed_at > MailSubscription.requested_at,
            ),
        )
        .values(requested_at=now, request_message_id=row.id, nonce=secrets.token_urlsafe(16))
        .execution_options(synchronize_session=False)
    )
    session.refresh(sub)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def prepare(db: Database, message_id: str, cfg: Any) -> EmailMessage | Skip:
    """Read what the row is about now and compose its mail, or say why it is not wanted."""
    with db.session() as session:
        row = session.get(MailMessage, message_id)
        sub = session.get(MailSubscription, row.subscription_id) if row else None
        comment = session.get(Comment, row.comment_id) if row else None
        site = session.get(Site, row.site_id) if row else None
        if row is None or sub is None or site is None:
            return Skip("the subscription is gone (erased)")
        if comment is None or not outbox.address(comment.author_email):
            return Skip("the comment is gone (erased)")
        lang = i18n.pick(sub.lang)
        common = {
            "sender": str(cfg["MAIL_FROM"]),
            "to": sub.email,
            "message_id": row.id,
            "lang": lang,
            "site": site.name,
        }
        t, public, secret = i18n.translator(lang), str(cfg["PUBLIC_URL"]), cfg["SECRET_KEY"]
        if row.kind == outbox.CONFIRM:
            if sub.state == "confirmed":
                return Skip("the address is confirmed already")
            if not _reserve(session, sub, row, cfg):
                return Skip("a confirmation was sent to the address lately")
            token = tokens.confirm_token(secret, sub.id, sub.nonce)
            return compose.confirmation(
                t,
                **common,
                name=comment.author_name,
                link=tokens.link(public, tokens.CONFIRM_PATH, token),
                days=max(1, round(float(cfg["MAIL_CONFIRM_MAX_AGE"]) / 86400)),
            )
        parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
        if sub.state != "confirmed":
            return Skip("unsubscribed")
        if comment.state != State.PUBLISHED.value:
            return Skip(NOT_PUBLISHED)
        if (
            parent is None
            or not parent.notify_replies
            or email_key(parent.author_email) != sub.email_key
        ):
            return Skip("the comment replied to no longer asks (erased)")
        fallback = compose.own_thread_page(public, site.slug, comment.thread, comment.id)
        return compose.reply_notice(
            t,
            **common,
            replier=comment.author_name,
            text=comment.text,
            thread=compose.at_comment(  # the reply itself, not the top of the article
                compose.thread_link(
                    comment.thread,
                    [parent.permalink, comment.permalink],
                    lambda url: sites.origin_allowed(site, url),
                    fallback,
                ),
                comment.id,
            ),
            unsubscribe=tokens.link(
                public, tokens.UNSUBSCRIBE_PATH, tokens.unsubscribe_token(secret, sub.id, sub.email)
            ),
        )


def record(
    db: Database,
    message_id: str,
    outcome: str,
    error: str | None,
    retry: RetryPolicy,
    now: datetime,
    rand: Callable[[], float],
    *,
    accepted_at: datetime | None = None,
) -> tuple[datetime | None, int]:
    """Write an attempt's result (sent, retry, failed); return when to retry and attempts.
    A sent mail's ``sent_at`` is ``accepted_at``: when the server accepted it."""
    with db.session() as session:
        row = session.get(MailMessage, message_id)
        assert row is not None
        row.attempts += 1
        row.last_attempt_at = now
        row.last_error = error
        row.next_attempt_at = None
        if outcome == "sent":
            row.status, row.sent_at = "sent", accepted_at
            return None, row.attempts
        if outcome == "retry" and row.attempts < retry.max_attempts:
            row.next_attempt_at = now + timedelta(seconds=retry.delay(row.attempts, None, rand))
            return row.next_attempt_at, row.attempts
        row.status = "failed"
        if outcome == "retry":
            row.last_error = f"gave up after {row.attempts} attempts: {error}"
        if row.kind == outbox.CONFIRM:  # the address may ask again without waiting a week
            session.execute(
                update(MailSubscription)
                .where(MailSubscription.request_message_id == row.id)
                .values(requested_at=None, request_message_id=None)
                .execution_options(synchronize_session=False)
            )
        return None, row.attempts


def cancel(db: Database, message_id: str, reason: str) -> bool:
    """Mark a mail not needed after all; False when it is a reply's that is published again
    by now (its author's edit, published between our read and this write): then it stays
    pending and due. The reply's state is read after the row's update, so a publish that
    commits later finds the row cancelled and makes it due (``outbox._revive``)."""
    with db.session() as session:
        row = session.get(MailMessage, message_id)
        if row is None or row.status != "pending":
            return True
        row.status, row.next_attempt_at, row.last_error = "cancelled", None, reason
        session.flush()  # the row's lock first (PostgreSQL), then the reply's state
        if reason == NOT_PUBLISHED and outbox.published(session, row.comment_id):
            row.status, row.next_attempt_at, row.last_error = "pending", utcnow(), None
            return False
        return True


def attempt_mail(
    db: Database,
    message_id: str,
    *,
    mailer: smtp.Mailer | None,
    config: Mapping[str, Any],
    scheduler: MailScheduler,
    now: datetime | None = None,
    rand: Callable[[], float] = random.random,
    retried: bool = False,
) -> str:
    """Make one attempt at a mail and record it; return what happened."""
    now = now or utcnow()
    if not claim(db, message_id, now):
        return "skipped"
    if mailer is None:
        error = "mail is off (no MODERATO_SMTP_URL)"
        record(db, message_id, "failed", error, policy(config), now, rand)
        return "failed"
    try:
        prepared = prepare(db, message_id, config)
    except ValueError as exc:  # a header the email package refuses: no retry would help
        record(db, message_id, "failed", f"cannot compose: {exc}", policy(config), now, rand)
        return "failed"
    if isinstance(prepared, Skip):
        if not cancel(db, message_id, prepared.reason):
            log.info("mail %s: the reply is published again: trying again", message_id)
            if retried:  # it flipped twice under us: left pending and due, for the sweep
                return "skipped"
            return attempt_mail(db, message_id, mailer=mailer, config=config,
                                scheduler=scheduler, rand=rand, retried=True)  # fmt: skip
        log.info("mail %s: cancelled (%s)", message_id, prepared.reason)
        return "cancelled"
    accepted_at = None
    try:
        accepted_at = mailer.send(prepared)
        outcome, error = "sent", ""
    except smtp.TemporaryMailError as exc:
        outcome, error = "retry", str(exc)
    except smtp.PermanentMailError as exc:
        outcome, error = "failed", str(exc)
    retry_at, attempts = record(
        db, message_id, outcome, error or None, policy(config), now, rand, accepted_at=accepted_at
    )
    if retry_at is not None:
        scheduler.enqueue_mail_at(message_id, attempts, retry_at)
        outcome = "retry"
    elif outcome == "retry":
        outcome = "failed"
    log.info("mail %s: %s (%s)", message_id, outcome, error or "ok")
    return outcome


def mailer_for(cfg: Mapping[str, Any]) -> smtp.Mailer | None:
    """Return the SMTP sender the settings describe, or None when mail is off."""
    if not smtp.configured(cfg):
        return None
    return smtp.SmtpMailer(smtp.parse_smtp_url(str(cfg["SMTP_URL"]), float(cfg["MAIL_TIMEOUT"])))


def send(message_id: str) -> str:
    """RQ job: make one attempt at sending ``message_id`` (a no-op when not due)."""
    rt = runtime.get()
    cfg = rt.app.config
    return attempt_mail(rt.db, message_id, mailer=mailer_for(cfg), config=cfg, scheduler=rt.queue)
