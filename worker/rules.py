"""Rules that decide before any score: bans and the embed's bot traps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from service.addresses import domain_key, email_key, host_key
from service.policy import RuleHit
from service.status import Rejection, State
from service.store.tables import Ban, Comment

#: Form-token verdicts (set at intake by the embed's token check) that mean "a bot".
BAD_TOKENS = {"invalid": "the form token is forged", "too_fast": "the form was filled too fast"}


def domains_of(comment: Comment) -> set[str]:
    """Return the author's e-mail domain and website host, as bans keep domains."""
    found = {domain_key(comment.author_email)}
    if comment.author_url:
        host = urlsplit(comment.author_url).hostname
        if host:
            found.add(host_key(host))
    return found


def ban_hits(session: Session, comment: Comment) -> list[RuleHit]:
    """Return a hit for each ban (site-wide or global) that matches the comment's author:
    addresses and domains compared as ``service.addresses`` keys them (bans keep them so)."""
    wanted = [(Ban.kind == "email") & (Ban.value == email_key(comment.author_email))]
    if comment.ip_hash:
        wanted.append((Ban.kind == "ip") & (Ban.value == comment.ip_hash))
    wanted.append((Ban.kind == "domain") & Ban.value.in_(sorted(domains_of(comment))))
    bans = session.scalars(
        select(Ban).where(or_(Ban.site_id.is_(None), Ban.site_id == comment.site_id), or_(*wanted))
    ).all()
    return [RuleHit(Rejection.BANNED, f"banned {ban.kind}: {ban.value}") for ban in bans]


def bot_holds(signals: Mapping[str, Any]) -> list[str]:
    """Return reasons to hold a comment whose bot signals are suspicious but not damning.

    A reused form token: the widget and the no-JS form fetch a fresh token for every
    comment, so a second comment with the same token is a script replaying it, or at
    best a person resubmitting an old page. Hold rather than reject: a person loses
    nothing, a bot's comments wait for a moderator instead of going live.
    """
    if signals.get("form_token") == "reused":
        return ["the form token was already used by an earlier comment"]
    return []


#: The hold reason a first-time author gets (shown on the card as why it was held).
NEW_AUTHOR = "first comment from this e-mail address on this site (the site reviews new authors)"


def author_holds(session: Session, comment: Comment, policy: Mapping[str, Any]) -> list[str]:
    """Return a reason to hold the comment when the site reviews new authors and this
    e-mail address has no published comment on the site yet.

    Addresses are matched on the key every comment stores (``service.addresses.email_key``:
    trimmed, lower case, NFC): ``Ada@example.org`` is known when ``ada@example.org`` was
    published (found in review), and ``ǰohn@…`` when ``J̌ohn@…`` was (the avatar hash, which
    hashes ``strip().lower()`` as Gravatar wants it, told them apart). Anyone may type a known
    author's address, so this is a first filter for new voices, as in WordPress, never a
    check of identity: the scores still apply.
    """
    if policy.get("new_authors") != "hold":
        return []
    known = session.scalar(
        select(Comment.id)
        .where(
            Comment.site_id == comment.site_id,
            Comment.email_key == email_key(comment.author_email),
            Comment.state == State.PUBLISHED.value,
            Comment.id != comment.id,
        )
        .limit(1)
    )
    return [] if known else [NEW_AUTHOR]


def bot_hits(signals: Mapping[str, Any], policy: Mapping[str, Any]) -> list[RuleHit]:
    """Return hits for a filled honeypot, a bad form token, or a missing one the site requires."""
    hits = []
    if signals.get("honeypot"):
        hits.append(RuleHit(Rejection.BOT, "the hidden honeypot field was filled"))
    token = signals.get("form_token")
    if token in BAD_TOKENS:
        hits.append(RuleHit(Rejection.BOT, BAD_TOKENS[token]))
    if token == "missing" and policy.get("form_token") == "required":
        hits.append(RuleHit(Rejection.BOT, "the site requires a form token and none was sent"))
    return hits
