"""Builders for the privacy tests: Ada's whole life on a site (comments in every state, a
reply, decisions and audit entries quoting her, a report, an outbox, a check record), and
every value the database holds, to search for what an erasure must leave behind."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from service import reports
from service.clock import utcnow
from service.integrations.webhooks import create_endpoint
from service.lifecycle import Change, transition
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Label, Site
from service.store.tables_integrations import Check
from tests.factories import stored

ADA = "ada@example.org"
ADA_IP = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
SECRET_TEXT = "My neighbour Ada Lovelace at 12 Byron Road says the plan is wrong"


def _life_of_ada(db: Database) -> dict[str, str]:
    """Store Ada's comments in every state, a reply by Bob, a classifier decision that
    quotes her and a ban hit naming her address, an outbox, and an Akismet check."""
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        create_endpoint(session, site, "http://127.0.0.1:9/in", ["comment.rejected",
                        "comment.published", "comment.received"], allow_private=True)  # fmt: skip
    published = stored(db, email="Ada@Example.org", text=SECRET_TEXT + " (1)").id
    with db.session() as session:  # classified and published: its events are in the outbox
        decision = {
            "action": "publish",
            "summary": [f"banned email: {ADA} (expired)"],
            "reasons": [{"model": "spam", "kind": "token", "text": "Lovelace", "weight": 0.4,
                         "span": [16, 24]}],
        }  # fmt: skip
        change = Change(expected=State.PENDING, new=State.PUBLISHED, actor="system:worker",
                        action="classify", values={"spam": 0.1, "toxicity": 0.0,
                        "decision": decision}, details={"summary": decision["summary"]})  # fmt: skip
        assert transition(session, published, change) is not None
    held = stored(db, state=State.HELD, email=ADA, text=SECRET_TEXT + " (2)").id
    rejected = stored(db, state=State.REJECTED, email=ADA, text=SECRET_TEXT + " (3)").id
    with db.session() as session:
        session.get(Comment, rejected).rejection = "spam"  # type: ignore[union-attr]
    reply = stored(db, state=State.PUBLISHED, name="Bob", email="bob@example.org",
                   text="I disagree with Ada.", parent=published).id  # fmt: skip
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        session.add(Check(id="chk_ada", site_id=site.id, source="akismet", fingerprint="f",
                          text=SECRET_TEXT + " (check)", author_email=ADA, spam=0.2,
                          toxicity=0.0, verdict="ham", created_at=utcnow()))  # fmt: skip
        session.add(Label(check_id="chk_ada", site_id=site.id, label="ham", source="akismet",
                          actor="akismet", created_at=utcnow()))  # fmt: skip
    with db.session() as session:  # a reader's report, a moderator's note, an IP ban hit
        comment = session.get(Comment, published)
        assert comment is not None
        reports.add(session, comment, "other", f"Ada Lovelace ({ADA}) of Byron Road", "r" * 64)
        session.add(AuditEntry(comment_id=published, site_id=comment.site_id, actor="user:9",
                               action="note", note="Lovelace again, see Byron Road"))  # fmt: skip
        held_row = session.get(Comment, held)
        assert held_row is not None
        held_row.ip_hash = ADA_IP
        session.add(AuditEntry(comment_id=held, site_id=held_row.site_id, actor="system:worker",
                               action="classify", details={"summary": [f"banned ip: {ADA_IP}"]}))  # fmt: skip
    return {"published": published, "held": held, "rejected": rejected, "reply": reply}


def _every_stored_value(db: Database) -> str:
    """Return every row of every table as one lower-cased string."""
    rows = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows += [repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(rows).lower()
