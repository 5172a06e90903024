"""Privacy requests find an address however it was stored and typed: letters whose lower
case is longer (``İ``) or ASCII (the Kelvin sign), decomposed Unicode, a domain in Unicode
or in IDNA's ASCII form (real SQLite file; tests/service/test_postgres.py runs them on
PostgreSQL)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sqlalchemy import select, text

from service import privacy, sites
from service.clock import utcnow
from service.store import Database
from service.store.migrate import upgrade
from service.store.tables import Comment, Site
from service.store.tables_integrations import Check
from tests.factories import stored
from tests.privacy_helpers import _every_stored_value

INCI = "İnci@example.org"
BUCHER, BUCHER_ASCII = "b\u00fccher.example", "xn--bcher-kva.example"
#: 96 letters, 264 once decomposed: ``ǖ`` is ``u``, a diaeresis and a macron.
LONG_WHEN_DECOMPOSED = "a" + "\u01d6" * 21 + "@" + ("\u01d6" * 21 + ".") * 3 + "example"
KELVIN = "\u212aelvin@example.org"  # KELVIN SIGN, whose lower case is ASCII k
ZOE_DECOMPOSED = "Zoe\u0308@example.org"


def _check(db: Database, check_id: str, email: str) -> None:
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        session.add(Check(id=check_id, site_id=site.id, source="akismet", fingerprint="f",
                          text="words", author_email=email, spam=0.1, toxicity=0.0,
                          verdict="ham", created_at=utcnow()))  # fmt: skip


def test_addresses_whose_lower_case_changes_length_or_script_are_found(db: Database) -> None:
    """``İnci@…`` (lower case: ``i`` and a combining dot) and ``Kelvin@…`` with the Kelvin
    sign were never found by SQLite's ASCII-only ``lower()`` and the LIKE pattern, so an
    erasure answered complete and left them (found in review)."""
    inci = stored(db, email=INCI, text="Inci's words").id
    kelvin = stored(db, email=KELVIN, text="Kelvin's words").id
    other = stored(db, email="inci@example.org", text="Another person").id  # plain i
    _check(db, "chk_inci", " " + INCI)
    with db.session() as session:
        assert [c["id"] for c in privacy.export(session, INCI)["comments"]] == [inci]
        assert [c["id"] for c in privacy.export(session, "i̇NCI@example.org")["comments"]] == [inci]
        assert [c["id"] for c in privacy.export(session, "kelvin@example.org")["comments"]] == [
            kelvin
        ]
        assert [k["id"] for k in privacy.export(session, INCI)["checks"]] == ["chk_inci"]
    with db.session() as session:
        done = privacy.erase(session, INCI, "cli")
    assert (done.comments, done.taken_down, done.checks) == (1, 1, 1)
    with db.session() as session:
        assert privacy.erase(session, "KELVIN@example.org", "cli").comments == 1
    left = _every_stored_value(db)
    assert "inci's words" not in left and "kelvin's words" not in left
    assert INCI.lower() not in left and KELVIN.lower() not in left
    with db.session() as session:
        assert session.get(Comment, other).author_email == "inci@example.org"  # type: ignore[union-attr]


def test_a_decomposed_address_matches_the_composed_one(db: Database) -> None:
    """``Zoe`` + a combining diaeresis is ``Zoë`` (NFC): either finds both."""
    decomposed = stored(db, email=ZOE_DECOMPOSED, text="First").id
    composed = stored(db, email="zoë@example.org", text="Second").id
    for typed in (ZOE_DECOMPOSED, "ZOË@example.org"):
        with db.session() as session:
            found = [c["id"] for c in privacy.export(session, typed)["comments"]]
        assert sorted(found) == sorted([decomposed, composed]), typed
    with db.session() as session:
        assert privacy.erase(session, "zoë@example.org", "cli").comments == 2


def test_an_internationalised_domain_is_found_in_either_form(db: Database) -> None:
    """``ada@bücher.example`` (as the comment form stores her) is found by a request typed
    ``ada@xn--bcher-kva.example``, and a check record sent in that form is erased by one
    typed in Unicode (both missed: the key kept the domain as written)."""
    comment = stored(db, email=f"Ada@{BUCHER_ASCII}", text="Ada's words").id
    _check(db, "chk_ada", f"ADA@{BUCHER_ASCII}")
    with db.session() as session:
        found = privacy.export(session, f"ada@{BUCHER_ASCII}")
        assert [c["id"] for c in found["comments"]] == [comment]
        assert [k["id"] for k in found["checks"]] == ["chk_ada"]
    with db.session() as session:
        done = privacy.erase(session, f"ADA@{BUCHER.upper()}", "cli")
    assert (done.comments, done.checks) == (1, 1)
    left = _every_stored_value(db)
    assert "ada's words" not in left and BUCHER not in left and BUCHER_ASCII not in left


def test_an_address_sent_decomposed_is_measured_composed(db: Database) -> None:
    """An address the comment form takes (96 letters composed) typed decomposed is 264
    characters: a privacy request typed so finds it (it was refused as not an address,
    being over 254)."""
    composed = LONG_WHEN_DECOMPOSED
    decomposed = unicodedata.normalize("NFD", composed)
    assert (len(composed), len(decomposed)) == (96, 264)
    comment = stored(db, email=composed).id
    with db.session() as session:
        assert [c["id"] for c in privacy.export(session, decomposed)["comments"]] == [comment]
        assert privacy.erase(session, decomposed, "cli").comments == 1


def test_the_upgrade_keys_the_addresses_stored_before(tmp_path: Path) -> None:
    """Comments and checks stored before ``privacy1`` get their ``email_key``, so an
    erasure after the upgrade finds them."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "hooks1")
    old = Database(url)
    with old.session() as session:
        site_id = sites.ensure_default(session).id
        session.execute(
            text(
                "INSERT INTO comments (id, site_id, thread, state, author_name, author_email,"
                " avatar, text, html, signals, attempts, created_at, updated_at, revision)"
                " VALUES ('c0000000000000000001', :site, 't', 'published', 'Inci', :email,"
                " '', 'hello', '<p>hello</p>', '{}', 0, '2026-01-01', '2026-01-01', 0)"
            ),
            {"site": site_id, "email": " " + INCI},
        )
    old.dispose()
    upgrade(url)
    new = Database(url)
    try:
        with new.session() as session:
            assert privacy.erase(session, INCI, "cli").comments == 1
    finally:
        new.dispose()
