"""Bans on an address match it as every other match does (``service.addresses.email_key``:
trimmed, lower case, NFC, the domain in Unicode): a ban from a card or typed by hand in one
spelling rejects the author's comments in another (a domain in either IDNA form
included), and the ``bans3`` upgrade keys (and folds) the bans stored before. Real SQLite
file, Redis and models; the worker's job runs in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask.testing import FlaskClient
from sqlalchemy import select, text

from service import privacy, sites
from service.store import Database
from service.store.migrate import alembic_config, upgrade
from service.store.tables import Ban, Comment
from tests.dashboard import logged_in
from tests.factories import post, stored
from tests.postgres import TempPostgres, find_bindir
from tests.service.test_migrations import schema_drift
from worker.jobs import classify_comment
from worker.rules import ban_hits

#: ``J`` and a combining caron (no composed capital exists) lowers to ``j`` and the caron,
#: which NFC composes into ``ǰ``; a decomposed ``ë`` is what NFC composes as typed.
JOHN, JOHN_LOWER = "J\u030cohn@example.org", "\u01f0ohn@example.org"
ZOE_DECOMPOSED, ZOE = "Zoe\u0308@example.org", "zo\u00eb@example.org"
SPELLINGS = [
    pytest.param(JOHN, JOHN_LOWER, id="combining-caron"),
    pytest.param(ZOE_DECOMPOSED, ZOE, id="decomposed-diaeresis"),
    pytest.param("\u212aelvin@example.org", "kelvin@example.org", id="kelvin-sign"),
    pytest.param("İnci@Example.org", "i\u0307NCI@example.org", id="dotted-capital-i"),
]
#: A domain in Unicode, as the comment form stores it, and in IDNA's ASCII form.
BUCHER, BUCHER_ASCII = "b\u00fccher.example", "xn--bcher-kva.example"


def _ban(client: FlaskClient, token: str, **body: Any) -> dict[str, Any]:
    resp = client.post("/moderation/bans", json=body, headers={"X-CSRF-Token": token})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()  # type: ignore[no-any-return]


def _outcome(db: Database, client: FlaskClient, email: str) -> tuple[str, str | None]:
    """Post a comment as ``email`` and run the worker's job on it; return where it ends."""
    cid = post(client, email=email).get_json()["id"]
    classify_comment(cid)
    with db.session() as session:
        row = session.get(Comment, cid)
        assert row is not None
        return row.state, row.rejection


@pytest.mark.parametrize(("one", "other"), SPELLINGS)
def test_a_ban_from_a_card_rejects_the_other_spellings(
    client: FlaskClient, db: Database, worker_runtime: Any, one: str, other: str
) -> None:
    """Banning the author of a comment sent as one spelling rejects their comments sent
    as the other, both ways round (a card's ban on ``J̌ohn@…`` was kept as ``j`` + caron,
    and ``ǰohn@…`` was published)."""
    token = logged_in(client, db)
    for first, then in ((one, other), (other, one)):
        cid = post(client, email=first).get_json()["id"]
        banned = _ban(client, token, comment_id=cid, target="email")
        assert banned["value"] == privacy.normalise(other)
        assert _outcome(db, client, then) == ("rejected", "banned")
        lifted = client.post(
            f"/moderation/bans/{banned['id']}/delete", headers={"X-CSRF-Token": token}
        )
        assert lifted.status_code == 303
    assert _outcome(db, client, other)[0] == "published"  # lifted: no ban left behind


@pytest.mark.parametrize(("one", "other"), SPELLINGS)
def test_a_ban_typed_by_hand_rejects_the_other_spellings(
    client: FlaskClient, db: Database, worker_runtime: Any, one: str, other: str
) -> None:
    """A ban typed in one spelling is kept as the key and rejects a comment sent in the
    other (``Zoe`` + a combining diaeresis typed by hand never caught ``Zoë@…``); typing
    the other spelling finds the ban already there."""
    token = logged_in(client, db)
    banned = _ban(client, token, kind="email", value=f" {one} ", site="default")
    assert banned["value"] == privacy.normalise(one)
    again = client.post(
        "/moderation/bans",
        json={"kind": "email", "value": other, "site": "default"},
        headers={"X-CSRF-Token": token},
    )
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert _outcome(db, client, other) == ("rejected", "banned")
    assert _outcome(db, client, "someone.else@example.org")[0] == "published"


def test_a_domain_ban_matches_the_keyed_domain(db: Database) -> None:
    """A ban on a domain typed with a Kelvin sign (whose lower case is ASCII ``k``) is
    kept keyed, and matches an address and a website on it however they are spelled."""
    from service.moderation.bans import normalise

    value = normalise("domain", "@www.\u212aelvin.example")
    assert value == "kelvin.example"
    with db.session() as session:
        session.add(Ban(site_id=None, kind="domain", value=value, created_by="t"))
    by_mail = stored(db, email="ada@KELVIN.example")
    by_site = stored(db, email="ada@example.org", url="https://WWW.Kelvin.Example/me")
    with db.session() as session:
        for comment in (by_mail, by_site):
            row = session.get(Comment, comment.id)
            assert row is not None
            assert [h.reason for h in ban_hits(session, row)] == ["banned domain: kelvin.example"]


def _before_bans3(url: str) -> tuple[int, int]:
    """Migrate ``url`` to ``notify2`` with two sites and bans as the older code kept them
    (``strip().lower()`` of a card's address or of what was typed); return the sites."""
    upgrade(url, "notify2")
    old = Database(url)
    with old.session() as session:
        site = sites.ensure_default(session).id
        other = sites.create(session, "Other", ["https://other.example"], slug="other").site.id
    rows = [  # id, site, kind, value
        (1, site, "email", JOHN.lower()),  # from a card: j + caron
        (2, site, "email", JOHN_LOWER),  # the same address, typed composed: folded into 1
        (3, None, "email", ZOE_DECOMPOSED.lower()),  # typed by hand, never composed
        (4, other, "email", JOHN.lower()),  # another site's ban: its own
        (5, site, "ip", "6613062f26ae4b0c9d8e7f6a5b4c3d2e"),
        (6, site, "domain", "spam.example"),
        (7, None, "email", ZOE),  # already a key, the same as 3's: folded into 3
    ]
    with old.engine.begin() as conn:
        for ban_id, site_id, kind, value in rows:
            conn.execute(
                text(
                    "INSERT INTO bans (id, site_id, kind, value, created_by, created_at)"
                    " VALUES (:id, :site, :kind, :value, 't', CURRENT_TIMESTAMP)"
                ),
                {"id": ban_id, "site": site_id, "kind": kind, "value": value},
            )
    old.dispose()
    return site, other


def test_bans3_keys_the_bans_and_folds_one_addresses_two(tmp_path: Path) -> None:
    """Upgrading past ``bans3`` keys every ban on an address or domain; two bans of one
    scope whose keys meet become the oldest; IP hashes are left as they are; the upgraded
    bans reject the other spellings and a privacy export lists them; a downgrade and
    upgrade leave the models' schema."""
    _upgrade_and_check(f"sqlite:///{tmp_path / 'old.db'}")


@pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL server binaries not installed")
def test_bans3_on_postgres() -> None:
    """The same upgrade on a real PostgreSQL server."""
    bindir = find_bindir()
    assert bindir is not None
    server = TempPostgres(bindir).start()
    try:
        _upgrade_and_check(server.create_database("moderato_bans3"))
    finally:
        server.stop()


def _upgrade_and_check(url: str) -> None:
    site, other = _before_bans3(url)
    upgrade(url)
    command.downgrade(alembic_config(url), "notify2")
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        with new.session() as session:
            found = [(b.id, b.site_id, b.kind, b.value) for b in session.scalars(select(Ban))]
            assert sorted(found) == [
                (1, site, "email", JOHN_LOWER),
                (3, None, "email", ZOE),
                (4, other, "email", JOHN_LOWER),
                (5, site, "ip", "6613062f26ae4b0c9d8e7f6a5b4c3d2e"),
                (6, site, "domain", "spam.example"),
            ]
            listed = privacy.export(session, JOHN)["bans"]
            assert [(b["site"], b["value"]) for b in listed] == [
                ("default", JOHN_LOWER), ("other", JOHN_LOWER)
            ]  # fmt: skip
        john = stored(new, email=JOHN_LOWER)
        zoe = stored(new, email="ZOE\u0308@example.org")
        with new.session() as session:
            for comment, expected in ((john, JOHN_LOWER), (zoe, ZOE)):
                row = session.get(Comment, comment.id)
                assert row is not None
                assert [h.reason for h in ban_hits(session, row)] == [f"banned email: {expected}"]
    finally:
        new.dispose()


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        pytest.param(BUCHER_ASCII, f"ada@{BUCHER}", id="ascii-ban-unicode-address"),
        pytest.param(
            f"@www.{BUCHER.upper()}", f"ada@{BUCHER_ASCII}", id="unicode-ban-ascii-address"
        ),
    ],
)
def test_a_domain_ban_in_either_idna_form_rejects_the_other(
    client: FlaskClient, db: Database, worker_runtime: Any, typed: str, sent: str
) -> None:
    """A ban typed on ``xn--bcher-kva.example`` is kept as ``bücher.example`` (the form the
    comment form stores) and rejects ``ada@bücher.example`` (it never did), and one typed
    in Unicode is taken (it was refused as no domain) and rejects an address sent in the
    ASCII form; typing the other form finds the ban already there."""
    token = logged_in(client, db)
    banned = _ban(client, token, kind="domain", value=typed, site="default")
    assert banned["value"] == BUCHER
    again = client.post(
        "/moderation/bans",
        json={"kind": "domain", "value": f"www.{BUCHER_ASCII}", "site": "default"},
        headers={"X-CSRF-Token": token},
    )
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert _outcome(db, client, sent) == ("rejected", "banned")
    assert _outcome(db, client, "ada@buecher.example")[0] == "published"


def test_an_address_ban_and_a_website_ban_match_across_idna_forms(
    client: FlaskClient, db: Database, worker_runtime: Any
) -> None:
    """An address banned as ``Ada@xn--bcher-kva.example`` rejects ``ada@bücher.example``;
    a card's ban on a website at ``www.xn--bcher-kva.example`` rejects an author writing
    from ``bücher.example`` and one whose website is written in Unicode."""
    token = logged_in(client, db)
    banned = _ban(client, token, kind="email", value=f"Ada@{BUCHER_ASCII}", site="default")
    assert banned["value"] == f"ada@{BUCHER}"
    assert _outcome(db, client, f"ada@{BUCHER}") == ("rejected", "banned")
    cid = post(client, email="bo@example.org", url=f"https://www.{BUCHER_ASCII}/me").get_json()[
        "id"
    ]
    by_site = _ban(client, token, comment_id=cid, target="url_domain")
    assert by_site["value"] == BUCHER
    assert _outcome(db, client, f"cy@{BUCHER}") == ("rejected", "banned")
    other = post(client, email="di@example.org", url=f"https://{BUCHER}/").get_json()["id"]
    classify_comment(other)
    with db.session() as session:
        row = session.get(Comment, other)
        assert row is not None and (row.state, row.rejection) == ("rejected", "banned")


def test_a_ban_longer_than_its_column_is_a_422(client: FlaskClient, db: Database) -> None:
    """An address whose key outgrows the ban's 254 characters (``İ`` is ``i`` and a
    combining dot in lower case), or a website host longer than that on a card, is a 422
    naming the field, and nothing is banned (PostgreSQL refused the value: a 500;
    tests/service/test_postgres.py)."""
    token = logged_in(client, db)
    headers = {"X-CSRF-Token": token}
    typed = client.post(
        "/moderation/bans",
        json={"kind": "email", "value": "\u0130" * 240 + "@example.org", "site": "default"},
        headers=headers,
    )
    assert typed.status_code == 422
    assert typed.get_json()["error"]["fields"]["value"]["code"] == "too_long"
    host = ".".join(["b" * 60] * 5) + ".example"
    cid = post(client, url=f"https://{host}/").get_json()["id"]
    card = client.post(
        "/moderation/bans", json={"comment_id": cid, "target": "url_domain"}, headers=headers
    )
    assert card.status_code == 422
    assert card.get_json()["error"]["fields"]["target"]["code"] == "too_long"
    with db.session() as session:
        assert session.scalars(select(Ban)).all() == []
