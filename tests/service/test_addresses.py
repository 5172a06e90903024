"""The key an address is matched on (``service.addresses``) folds its spellings into one:
an internationalised domain and its IDNA ``xn--`` form, composed and decomposed letters;
the ``addresses1`` upgrade keys again what was stored before, merging and folding where
two rows' keys now meet. Pure tests first; the upgrade on a real SQLite file (and a real
PostgreSQL server when its binaries are installed)."""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from service import privacy, sites
from service.addresses import ascii_domain, domain_key, email_key, host_key, spellings
from service.clock import utcnow
from service.store import Database
from service.store.migrate import alembic_config, upgrade
from service.store.tables import Ban, Comment
from service.store.tables_integrations import Check
from service.store.tables_notify import MailMessage, MailSubscription, MailSubscriptionMerge
from tests.postgres import TempPostgres, find_bindir
from tests.service.test_migrations import schema_drift

BUCHER, BUCHER_ASCII = "bücher.example", "xn--bcher-kva.example"
#: ``José@bücher.example`` typed four ways: composed, decomposed, mixed, IDNA ASCII.
JOSE = "jos\u00e9@" + BUCHER
JOSE_SPELLINGS = [
    "Jos\u00e9@B\u00dcCHER.example",
    "Jose\u0301@bu\u0308cher.example",
    "jose\u0301@B\u00fccher.example",
    "JOS\u00c9@" + BUCHER_ASCII.upper(),
    " jose\u0301@xn--bcher-kva.example ",
    "jos\u00e9@\uff42\u00fccher\u3002example",  # a full-width b and an ideographic full stop
]


@pytest.mark.parametrize("typed", JOSE_SPELLINGS)
def test_every_spelling_of_an_address_has_one_key(typed: str) -> None:
    """Composed or decomposed letters, mixed in one address, any case, the domain in
    Unicode or in IDNA's ASCII form: one key, the form the comment form stores."""
    assert email_key(typed) == JOSE
    assert domain_key(typed) == BUCHER


def test_a_host_is_keyed_as_a_domain_is() -> None:
    """A website's host in either form is the e-mail domain's key, without ``www.``."""
    for host in ("www.xn--bcher-kva.example", "WWW.BÜCHER.example", "bu\u0308cher.example"):
        assert host_key(host) == BUCHER


def test_what_idna_refuses_is_kept_as_typed() -> None:
    """A false ``xn--`` label, an underscore, a label too long to be one: lower case and
    NFC only, and never an error (a key is computed for every stored row)."""
    for address in ("ada@xn--zz.example", "ada@spam_site.example", "ada@xn--" + "a" * 80):
        assert email_key(address) == address
    assert email_key("not an address") == "not an address"
    assert email_key(None) == email_key("") == ""


def test_the_key_of_a_key_is_itself() -> None:
    """Keying a key (a ban's value, at the upgrade) or the older key of an address gives
    the address's key: random addresses of letters from every script, dots, hyphens and
    ``xn--`` prefixes."""
    rng = random.Random(7)
    letters = [chr(c) for c in range(0x20, 0x30000) if unicodedata.category(chr(c))[0] in "LMN"]
    parts = [*letters, *[".", "-", "xn--", "a"] * 200]
    for _ in range(5000):
        local = "".join(rng.choice(letters) for _ in range(rng.randint(1, 5)))
        domain = "".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
        address = f"{local}@{domain}.example"
        key = email_key(address)
        older = unicodedata.normalize("NFC", unicodedata.normalize("NFC", address).lower())
        assert email_key(key) == key == email_key(older), address


def test_spellings_include_the_ascii_domain() -> None:
    """What an erasure searches for includes the address with its domain in IDNA's ASCII
    form (a ban typed so was quoted so in decisions and audit entries)."""
    found = spellings("Jose\u0301@bu\u0308cher.example")
    assert {JOSE, "jos\u00e9@" + BUCHER_ASCII, unicodedata.normalize("NFD", JOSE)} <= found
    assert ascii_domain(BUCHER) == BUCHER_ASCII
    assert ascii_domain("\U0001f600.example") is None  # no IDNA form


def _before_addresses1(url: str) -> tuple[int, int]:
    """Migrate ``url`` to ``outbox1`` with two sites and rows keyed as the older code kept
    them (lower case, NFC, the domain as written): comments, check records, subscriptions
    with a mail each and an earlier merge, bans. Return the sites."""
    upgrade(url, "outbox1")
    old = Database(url)
    now = utcnow().replace(tzinfo=None)
    with old.session() as session:
        site = sites.ensure_default(session).id
        other = sites.create(session, "Other", ["https://other.example"], slug="other").site.id
    ascii_jose = "jos\u00e9@" + BUCHER_ASCII
    comments = [  # id, address, key as the older code stored it
        ("c01", "Jos\u00e9@" + BUCHER, JOSE),
        ("c02", "Jos\u00e9@" + BUCHER_ASCII, ascii_jose),
        ("c03", "ada@example.org", "ada@example.org"),
    ]
    subscriptions = [  # id, site, address, state, decided
        (1, site, "jos\u00e9@" + BUCHER, "confirmed", now - timedelta(days=2)),
        (2, site, ascii_jose, "unsubscribed", now - timedelta(days=1)),  # the later decision
        (3, other, ascii_jose, "confirmed", now - timedelta(days=3)),  # another site's
    ]
    bans = [  # id, site, kind, value
        (1, site, "email", ascii_jose),
        (2, site, "email", JOSE),  # the same address: folded into 1
        (3, site, "domain", BUCHER_ASCII),
        (4, None, "domain", BUCHER_ASCII),  # every site's: its own
        (5, site, "domain", "spam.example"),
    ]
    with old.engine.begin() as conn:
        for cid, address, key in comments:
            conn.execute(
                text(
                    "INSERT INTO comments (id, site_id, thread, state, author_name, author_email,"
                    " email_key, avatar, text, html, signals, attempts, created_at, updated_at,"
                    " revision) VALUES (:id, :site, 't', 'published', 'José', :email, :key, '',"
                    " 'hello', '<p>hello</p>', '{}', 0, :now, :now, 0)"
                ),
                {"id": cid, "site": site, "email": address, "key": key, "now": now},
            )
        conn.execute(
            text(
                "INSERT INTO checks (id, site_id, source, fingerprint, text, author_email,"
                " email_key, spam, toxicity, verdict, is_test, created_at) VALUES ('chk_1',"
                " :site, 'akismet', 'f', 'words', :email, :email, 0.1, 0.0, 'ham', false, :now)"
            ),
            {"site": site, "email": ascii_jose, "now": now},
        )
        for sub_id, site_id, address, state, when in subscriptions:
            conn.execute(
                text(
                    "INSERT INTO mail_subscriptions (id, site_id, email, email_key, state, nonce,"
                    " lang, created_at, confirmed_at, unsubscribed_at) VALUES (:id, :site,"
                    " :email, :email, :state, '', 'en', :created, :confirmed, :unsubscribed)"
                ),
                {"id": sub_id, "site": site_id, "email": address, "state": state,
                 "created": when - timedelta(hours=1),
                 "confirmed": when if state == "confirmed" else None,
                 "unsubscribed": when if state != "confirmed" else None},
            )  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO mail_outbox (id, site_id, subscription_id, kind, comment_id,"
                    " status, attempts, crashes, created_at) VALUES (:id, :site, :sub, 'reply', :c,"
                    " 'pending', 0, 0, :now)"
                ),
                {"id": f"mail_{sub_id}", "site": site_id, "sub": sub_id, "c": f"c{sub_id}",
                 "now": now},
            )  # fmt: skip
        # subscription 9, merged into 1 at notify2: its unsubscribe link ends what 1 becomes
        conn.execute(
            text("INSERT INTO mail_subscription_merges (merged_id, subscription_id) VALUES (9, 1)")
        )
        for ban_id, site_id, kind, value in bans:
            conn.execute(
                text(
                    "INSERT INTO bans (id, site_id, kind, value, created_by, created_at)"
                    " VALUES (:id, :site, :kind, :value, 't', :now)"
                ),
                {"id": ban_id, "site": site_id, "kind": kind, "value": value, "now": now},
            )
    old.dispose()
    return site, other


def test_addresses1_keys_again_and_merges_what_now_meets(tmp_path: Path) -> None:
    """Upgrading past ``addresses1`` keys comments, check records, subscriptions and bans
    with their domain in Unicode; a reader's two subscriptions on one site become the one
    of the later decision with both mails (and the merges recorded before follow it); two
    bans on one address become the oldest; an erasure typed in either form finds every row;
    a downgrade keys them as before, and an upgrade again leaves the models' schema."""
    _upgrade_and_check(f"sqlite:///{tmp_path / 'old.db'}")


@pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL server binaries not installed")
def test_addresses1_on_postgres() -> None:
    """The same upgrade on a real PostgreSQL server."""
    bindir = find_bindir()
    assert bindir is not None
    server = TempPostgres(bindir).start()
    try:
        _upgrade_and_check(server.create_database("moderato_addresses1"))
    finally:
        server.stop()


def _keys(db: Database) -> dict[str, object]:
    with db.session() as session:
        return {
            "comments": {c.id: c.email_key for c in session.scalars(select(Comment))},
            "checks": {k.id: k.email_key for k in session.scalars(select(Check))},
            "subscriptions": {
                (s.id, s.site_id, s.state, s.email_key)
                for s in session.scalars(select(MailSubscription))
            },
        }


def _upgrade_and_check(url: str) -> None:
    site, other = _before_addresses1(url)
    upgrade(url)
    new = Database(url)
    try:
        assert schema_drift(new) == []
        keys = _keys(new)
        assert keys["comments"] == {"c01": JOSE, "c02": JOSE, "c03": "ada@example.org"}
        assert keys["checks"] == {"chk_1": JOSE}
        assert keys["subscriptions"] == {
            (2, site, "unsubscribed", JOSE),
            (3, other, "confirmed", JOSE),
        }
        with new.session() as session:
            mails = session.scalars(select(MailMessage).order_by(MailMessage.id)).all()
            assert [(m.id, m.subscription_id) for m in mails] == [
                ("mail_1", 2), ("mail_2", 2), ("mail_3", 3)
            ]  # fmt: skip
            merges = session.scalars(select(MailSubscriptionMerge)).all()
            assert sorted((m.merged_id, m.subscription_id) for m in merges) == [(1, 2), (9, 2)]
            found = sorted((b.id, b.site_id, b.kind, b.value) for b in session.scalars(select(Ban)))
            assert found == [
                (1, site, "email", JOSE),
                (3, site, "domain", BUCHER),
                (4, None, "domain", BUCHER),
                (5, site, "domain", "spam.example"),
            ]
            exported = privacy.export(session, "JOSE\u0301@" + BUCHER_ASCII)
            assert sorted(c["id"] for c in exported["comments"]) == ["c01", "c02"]
        command.downgrade(alembic_config(url), "outbox1")
        keys = _keys(new)
        assert keys["comments"] == {
            "c01": JOSE, "c02": "jos\u00e9@" + BUCHER_ASCII, "c03": "ada@example.org"
        }  # fmt: skip
        assert keys["checks"] == {"chk_1": "jos\u00e9@" + BUCHER_ASCII}
        assert keys["subscriptions"] == {
            (2, site, "unsubscribed", "jos\u00e9@" + BUCHER_ASCII),
            (3, other, "confirmed", "jos\u00e9@" + BUCHER_ASCII),
        }
        upgrade(url)
        assert schema_drift(new) == []
        with new.session() as session:
            erased = privacy.erase(session, "Jose\u0301@bu\u0308cher.example", "test")
        assert (erased.comments, erased.checks, erased.subscriptions) == (2, 1, 2)
    finally:
        new.dispose()
