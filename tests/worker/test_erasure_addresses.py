"""An author's withdrawal and a privacy erasure scrub the address in every spelling of it
that the worker's decision repeats (``banned email: …``), not only the spelling the
comment was sent in. Real SQLite file, Redis and models; the worker's job runs here."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service import privacy
from service.addresses import spellings
from service.privacy.scrubbing import scrubber
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.dashboard import logged_in
from tests.factories import post
from worker.jobs import classify_comment

SPELLINGS = [  # sent as, banned as
    pytest.param("J\u030cohn@example.org", "\u01f0ohn@example.org", id="combining-caron"),
    pytest.param("\u01f0ohn@example.org", "J\u030cOHN@example.org", id="caron-the-other-way"),
    pytest.param("Zoe\u0308@example.org", "ZOE\u0308@example.org", id="decomposed-diaeresis"),
    pytest.param("\u212aelvin@example.org", "KELVIN@example.org", id="kelvin-sign"),
    pytest.param("İnci@example.org", "i\u0307nci@example.org", id="dotted-capital-i"),
]


def _folded(value: Any) -> str:
    """Return ``value`` as JSON text, composed and case-folded (how a reader would search)."""
    return unicodedata.normalize("NFC", json.dumps(value, ensure_ascii=False)).casefold()


def _banned_comment(client: FlaskClient, db: Database, sent_as: str, banned_as: str) -> Any:
    """Ban ``banned_as`` by hand, post a comment as ``sent_as`` and let the worker reject
    it; return the 202's body (with its edit token)."""
    token = logged_in(client, db)
    rv = client.post(
        "/moderation/bans",
        json={"kind": "email", "value": banned_as, "site": "default"},
        headers={"X-CSRF-Token": token},
    )
    assert rv.status_code == 201
    body = post(client, email=sent_as).get_json()
    assert classify_comment(body["id"]) == "reject"
    assert _left(db, body["id"], sent_as)  # the decision quotes the ban: there is something
    return body


def _left(db: Database, comment_id: str, address: str) -> list[str]:
    """Return what still names ``address`` (any spelling) about the comment: its decision
    and its audit entries."""
    key = privacy.normalise(address).casefold()
    with db.session() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        entries = session.scalars(select(AuditEntry).where(AuditEntry.comment_id == comment_id))
        found = [comment.decision, *((e.details, e.note) for e in entries)]
    return [_folded(f) for f in found if key in _folded(f)]


@pytest.mark.parametrize(("sent_as", "banned_as"), SPELLINGS)
def test_a_withdrawal_scrubs_every_spelling_of_the_address(
    client: FlaskClient, db: Database, worker_runtime: Any, sent_as: str, banned_as: str
) -> None:
    """The author of a comment the worker rejected for a ban withdraws it: the ban's value
    the decision and its audit entry quote is erased whatever its spelling (a withdrawal
    of ``J̌ohn@…``'s comment left ``banned email: ǰohn@…`` in both)."""
    body = _banned_comment(client, db, sent_as, banned_as)
    rv = client.delete(
        f"/api/v1/comments/{body['id']}", headers={"Moderato-Edit-Token": body["edit_token"]}
    )
    assert rv.status_code == 200 and rv.get_json()["rejection"] == "withdrawn"
    assert _left(db, body["id"], sent_as) == []


@pytest.mark.parametrize(("sent_as", "banned_as"), SPELLINGS)
def test_an_erasure_typed_in_a_third_way_scrubs_every_spelling(
    client: FlaskClient, db: Database, worker_runtime: Any, sent_as: str, banned_as: str
) -> None:
    """A privacy erasure asked for in the address's NFD upper case finds the comment and
    erases the ban's value its decision quotes, in whatever spelling."""
    body = _banned_comment(client, db, sent_as, banned_as)
    asked = unicodedata.normalize("NFD", sent_as.upper())
    assert privacy.erase_in_batches(db, asked, "test").comments == 1
    assert _left(db, body["id"], sent_as) == []


def test_the_spellings_of_an_address_are_found_case_blind() -> None:
    """Every form older code may have written an address in (``strip().lower()`` of what
    was typed, composed or not) is a needle; no needle erases nothing."""
    needles = spellings(" J\u030cohn@Example.org ")
    assert {"J\u030cohn@Example.org", "j\u030cohn@example.org", "\u01f0ohn@example.org"} <= needles
    scrub = scrubber([*needles, "john@example.org"])
    text = "banned email: \u01f0ohn@example.org; J\u030cOHN@EXAMPLE.ORG; john@example.org.uk"
    assert scrub(text) == "banned email: [erased]; [erased]; [erased].uk"
    assert scrubber([])("nothing to erase") == "nothing to erase"


def test_an_erasure_scrubs_a_domain_quoted_in_its_ascii_form(
    client: FlaskClient, db: Database
) -> None:
    """A decision and an audit entry written before ``addresses1`` quote a ban typed as
    ``Ada@xn--bcher-kva.example`` (bans kept the domain as typed); the erasure of
    ``ada@bücher.example``, the address the comment form stored, erases that spelling too."""
    quoted = "banned email: ada@xn--bcher-kva.example"
    comment_id = post(client, email="Ada@b\u00fccher.example").get_json()["id"]
    with db.session() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        comment.decision = {"action": "reject", "summary": [quoted]}
        session.add(
            AuditEntry(
                comment_id=comment_id, site_id=comment.site_id, actor="system:worker",
                action="classify", details={"summary": [quoted.upper()]},
            )
        )  # fmt: skip
    assert privacy.erase_in_batches(db, "ada@b\u00fccher.example", "test").comments == 1
    with db.session() as session:
        comment = session.get(Comment, comment_id)
        assert comment is not None
        entries = session.scalars(select(AuditEntry).where(AuditEntry.comment_id == comment_id))
        left = _folded([comment.decision, *(e.details for e in entries)])
    assert "bcher" not in left and "[erased]" in left
