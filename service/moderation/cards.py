"""A comment card's contents: highlighted text, why it was held, scores, links and actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import url_for
from sqlalchemy.orm import Session

from service import explain
from service.addresses import domain_key
from service.bidi import isolate
from service.clock import rfc3339, utcnow
from service.moderation.actions import Action, available
from service.moderation.bans import WEBMAIL
from service.moderation.highlight import Run, runs
from service.moderation.queries import queue_of
from service.reports import Summary, open_summaries
from service.status import State
from service.store.tables import Comment


@dataclass(frozen=True, slots=True)
class Reason:
    """One contributing signal, as the card lists it."""

    index: int
    model: str
    kind: str
    text: str
    weight: float | None
    placed: bool


@dataclass(slots=True)
class Card:
    """Everything a comment card shows."""

    comment: Comment
    site: str
    queue: str
    runs: list[Run]
    reasons: list[Reason]
    summary: list[str]
    #: The state the worker put the comment in ("held", …), which the summary explains.
    decided: str | None
    error: str | None
    actions: list[tuple[Action, str]]
    thread_url: str | None
    age: str
    created: str
    domain: str
    #: Readers' open reports (a published comment in the Reported queue), else None.
    reports: Summary | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def error_detail(self) -> str | None:
        """Return a classifier error's message: moderators see it, webhooks never do."""
        return explain.error_detail(self.comment)

    @property
    def featured(self) -> bool:
        """Tell whether the comment is featured (only a published one can be)."""
        c = self.comment
        return c.featured_at is not None and c.state == State.PUBLISHED.value

    @property
    def version(self) -> str:
        """Return what changes when the card would show something new in place: the
        comment's last change (a feature or unfeature bumps it too) and its open reports.
        The queue's poll compares it with the card on screen."""
        reports = (self.reports.newest, self.reports.count) if self.reports else (0, 0)
        return f"{self.comment.updated_at.timestamp():.6f}.{reports[0]}.{reports[1]}"

    @property
    def webmail(self) -> bool:
        """Tell whether the author's domain is a big mail provider: never offered as a
        domain ban (one click on it was always refused; found in review)."""
        return self.domain.removeprefix("@") in WEBMAIL

    @property
    def reason_labels(self) -> list[tuple[str, int]]:
        """Return the reports' reasons in words, most frequent first."""
        if self.reports is None:
            return []
        return [(REPORT_REASONS.get(r, r), n) for r, n in self.reports.reasons]

    def run_class(self, run: Run) -> str:
        """Return the CSS class of a highlighted run: by the model(s) behind it."""
        models = {self.reasons[i].model for i in run.reasons if i < len(self.reasons)}
        if len(models) > 1:
            return "r r-both"
        return "r r-tox" if models == {"toxicity"} else "r r-spam"

    def run_title(self, run: Run) -> str:
        """Return the tooltip of a highlighted run: the reasons behind it."""
        return "; ".join(_describe(self.reasons[i]) for i in run.reasons if i < len(self.reasons))


def _describe(reason: Reason) -> str:
    weight = f" (weight {reason.weight:.2f})" if reason.weight is not None else ""
    return f"{reason.model}: {reason.kind} “{isolate(reason.text)}”{weight}"


def _reasons(raw: list[Mapping[str, Any]], text_length: int) -> list[Reason]:
    out = []
    for i, r in enumerate(raw):
        weight = r.get("weight")
        out.append(
            Reason(
                index=i,
                model=str(r.get("model", "")),
                kind=str(r.get("kind", "")),
                text=str(r.get("text", "")),
                weight=float(weight) if isinstance(weight, int | float) else None,
                placed=explain.valid_span(r, text_length) is not None,
            )
        )
    return out


def thread_url(comment: Comment, site: str) -> str | None:
    """Return where the thread can be read: its URL, the comment's page, or the public API."""
    for candidate in (comment.thread, comment.permalink):
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate
    query = urlencode({"site": site, "thread": comment.thread})
    return f"{url_for('api.list_comments')}?{query}"


def age(when: datetime, now: datetime | None = None) -> str:
    """Return how long ago ``when`` was, in words a moderator reads at a glance."""
    seconds = max(int(((now or utcnow()) - when).total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


#: The worker's decision action → the state it put the comment in.
DECIDED = {"publish": "published", "hold": "held", "reject": "rejected"}


#: A reader's reason to report, as the card says it.
REPORT_REASONS = {
    "spam": "spam",
    "abusive": "abusive or harassing",
    "off_topic": "off-topic",
    "other": "other",
}


def build(comment: Comment, site: str, reported: Summary | None = None) -> Card:
    """Return the card of ``comment`` (of site ``site``), with its open reports if any."""
    decision: dict[str, Any] = dict(comment.decision or {})
    raw = [r for r in decision.get("reasons") or [] if isinstance(r, Mapping)]
    published = comment.state == State.PUBLISHED.value
    reported = reported if published else None
    return Card(
        comment=comment,
        site=site,
        queue="reported" if reported else queue_of(comment.state, comment.rejection),
        reports=reported,
        runs=runs(comment.text, raw),
        reasons=_reasons(raw, len(comment.text)),
        summary=explain.summary(comment),
        decided=DECIDED.get(str(decision.get("action"))),
        error=decision.get("error"),
        actions=available(comment.state, comment.rejection),
        thread_url=thread_url(comment, site),
        age=age(comment.created_at),
        created=rfc3339(comment.created_at) or "",
        domain="@" + domain_key(comment.author_email),  # as a ban on it keeps it
    )


def build_all(dbs: Session, comments: list[Comment], slugs: dict[int, str]) -> list[Card]:
    """Return the cards of ``comments``, with their open reports (one query for all)."""
    found = open_summaries(dbs, [c.id for c in comments])
    return [build(c, slugs.get(c.site_id, "?"), found.get(c.id)) for c in comments]


def build_one(dbs: Session, comment: Comment, site: str) -> Card:
    """Return one comment's card, with its open reports."""
    return build(comment, site, open_summaries(dbs, [comment.id]).get(comment.id))


def queue_link(queue: str, **args: Any) -> str:
    """Return the URL of a queue narrowed by ``args``."""
    return url_for("moderation.queue", queue=queue, **args)
