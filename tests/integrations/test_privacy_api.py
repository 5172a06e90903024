"""A site's server answers its commenters' data requests: ``POST /api/v1/privacy/export``
and ``/erase`` with a ``privacy`` key, for its own site only (real SQLite file, real Redis)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service import privacy
from service.api import privacy as privacy_api
from service.clock import utcnow
from service.store import Database
from service.store.tables import AuditEntry, Ban, Comment, Site
from service.store.tables_integrations import Check
from tests.factories import published, stored
from tests.integrations.conftest import LiveServer, SiteKeys, bearer
from tests.integrations.test_openapi import run_schemathesis

ADA = "ada@example.org"
SECRET = "Ada Lovelace of 12 Byron Road wrote this"
EXPORT, ERASE = "/api/v1/privacy/export", "/api/v1/privacy/erase"


def _site_with_ada(
    db: Database, make_site: Callable[..., SiteKeys]
) -> tuple[SiteKeys, dict[str, str]]:
    """A site with every kind of key, Ada's comments there and on ``default``, a check
    record, a ban of her address on the site and one on every site (with their audit
    entries)."""
    site = make_site(privacy=["privacy"], everything=["submit", "read", "moderate"])
    ids = {
        "here": published(db, site=site.slug, email="Ada@Example.org", text=SECRET + " here").id,
        "held": stored(db, site=site.slug, email=ADA, text=SECRET + " held").id,
        "there": published(db, email=ADA, text=SECRET + " on default").id,
        "bob": published(db, site=site.slug, email="bob@example.org", text="Bob's own words").id,
    }
    with db.session() as session:
        default = session.scalars(select(Site).where(Site.slug == "default")).one()
        for site_id, check_id in ((site.site_id, "chk_here"), (default.id, "chk_there")):
            session.add(Check(id=check_id, site_id=site_id, source="akismet", fingerprint="f",
                              text=SECRET, author_email=ADA, spam=0.1, toxicity=0.0,
                              verdict="ham", created_at=utcnow()))  # fmt: skip
        for site_id, note in ((site.site_id, "the site's ban"), (None, "the installation's ban")):
            session.add(Ban(site_id=site_id, kind="email", value=ADA, note=note,
                            created_by="user:1"))  # fmt: skip
            session.add(AuditEntry(site_id=site_id, actor="user:1", action="ban", note=note,
                                   details={"kind": "email", "value": ADA}))  # fmt: skip
    return site, ids


def test_only_a_key_with_the_privacy_scope_exports_or_erases(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """No key: 401 ``unauthorized``; a key with submit, read and moderate (every scope a
    key had before, and what a new site's first key and ``keys create`` give by default):
    403 ``insufficient_scope``, in the contract's error shape; nothing is erased."""
    site, ids = _site_with_ada(db, make_site)
    for url in (EXPORT, ERASE):
        anonymous = client.post(url, json={"email": ADA})
        assert anonymous.status_code == 401
        assert anonymous.get_json()["error"]["code"] == "unauthorized"
        for key in ("first", "everything"):
            refused = client.post(url, json={"email": ADA}, headers=bearer(site.tokens[key]))
            assert refused.status_code == 403, (url, key)
            assert refused.get_json() == {
                "error": {
                    "code": "insufficient_scope",
                    "message": "This key lacks the 'privacy' scope.",
                }
            }
    with db.session() as session:
        assert session.get(Comment, ids["here"]).text == SECRET + " here"  # type: ignore[union-attr]
        assert not session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(["privacy_erase", "privacy_export"]))
        ).all()


def test_the_export_is_the_sites_own_in_the_exports_shape(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """The answer is the CLI's export of the address limited to the key's site (found
    however its case was typed), without the bans on every site and their history (the
    installation's); never cached; audited by the key, counts only."""
    site, ids = _site_with_ada(db, make_site)
    rv = client.post(
        EXPORT, json={"email": "  ADA@example.ORG "}, headers=bearer(site.tokens["privacy"])
    )
    assert rv.status_code == 200 and rv.mimetype == "application/json"
    assert rv.headers["Cache-Control"] == "no-store"
    found = rv.get_json()
    with db.session() as session:
        row = session.scalars(select(Site).where(Site.slug == site.slug)).one()
        cli_export = json.loads(json.dumps(privacy.export(session, ADA, row)))
    assert found.keys() == cli_export.keys()
    assert found["email"] == ADA
    assert [c["id"] for c in found["comments"]] == [ids["here"], ids["held"]]
    assert found["comments"] == cli_export["comments"]  # every field, as the CLI's
    assert {c["site"] for c in found["comments"]} == {site.slug}
    assert [k["id"] for k in found["checks"]] == ["chk_here"]
    assert [b["note"] for b in found["bans"]] == ["the site's ban"]
    assert [h["note"] for h in found["ban_history"]] == ["the site's ban"]
    assert [b["note"] for b in cli_export["bans"]] == ["the site's ban", "the installation's ban"]
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_export")
        ).one()
        assert (entry.site_id, entry.actor) == (site.site_id, f"key:{site.tokens['privacy'][4:16]}")
        assert entry.details == {"comments": 2, "checks": 1, "bans": 1, "reply_notifications": 0}


def test_an_erasure_takes_the_sites_data_only_and_a_retry_is_harmless(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """The erasure takes down and erases Ada's comments on the key's site, deletes its check
    record and scrubs its ban history, answering the counts; her comment and check record
    on ``default``, Bob's comment and the installation's ban history stay. The same request
    again changes nothing and answers zeros, still ``complete``."""
    site, ids = _site_with_ada(db, make_site)
    key = bearer(site.tokens["privacy"])
    rv = client.post(ERASE, json={"email": "ada@EXAMPLE.org"}, headers=key)
    assert rv.status_code == 200 and rv.headers["Cache-Control"] == "no-store"
    assert rv.get_json() == {
        "site": site.slug,
        "complete": True,
        "erased": {"comments": 2, "taken_down": 2, "checks": 1, "reply_notifications": 0},
        "remaining": {"comments": 0},
    }
    with db.session() as session:
        rows = {i: session.get(Comment, c) for i, c in ids.items()}
        assert all(r is not None for r in rows.values())
        assert [rows[k].text for k in ("here", "held")] == ["", ""]  # type: ignore[union-attr]
        assert [rows[k].state for k in ("here", "held")] == ["rejected", "rejected"]  # type: ignore[union-attr]
        assert rows["there"].text == SECRET + " on default"  # type: ignore[union-attr]
        assert rows["there"].author_email == ADA  # type: ignore[union-attr]
        assert rows["bob"].text == "Bob's own words"  # type: ignore[union-attr]
        assert session.get(Check, "chk_here") is None
        assert session.get(Check, "chk_there") is not None
        bans = session.scalars(select(AuditEntry).where(AuditEntry.action == "ban")).all()
        by_site = {e.site_id: (e.details["value"], e.note) for e in bans}
        assert by_site == {
            site.site_id: (privacy.ERASED, privacy.ERASED),
            None: (ADA, "the installation's ban"),
        }
        assert len(session.scalars(select(Ban)).all()) == 2  # bans stay (docs/deploy.md)
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_erase")
        ).one()
        assert entry.site_id == site.site_id and ADA not in json.dumps(entry.details)

    again = client.post(ERASE, json={"email": ADA}, headers=key)
    assert again.status_code == 200
    assert again.get_json() == {
        "site": site.slug,
        "complete": True,
        "erased": {"comments": 0, "taken_down": 0, "checks": 0, "reply_notifications": 0},
        "remaining": {"comments": 0},
    }
    exported = client.post(EXPORT, json={"email": ADA}, headers=key).get_json()
    assert exported["comments"] == [] and exported["checks"] == []
    thread = client.get(f"/api/v1/comments?site={site.slug}&thread=article-1").get_json()
    assert [c["id"] for c in thread["items"]] == [ids["bob"]]


def test_a_large_erasure_is_finished_by_repeating_the_request(
    client: FlaskClient,
    db: Database,
    make_site: Callable[..., SiteKeys],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over ``MAX_COMMENTS`` comments, a request erases the oldest ones and answers
    ``complete: false`` with what remains; repeating it finishes the job."""
    monkeypatch.setattr(privacy_api, "MAX_COMMENTS", 2)
    site = make_site(privacy=["privacy"])
    ids = [stored(db, site=site.slug, email=ADA, text=f"{SECRET} #{n}").id for n in range(5)]
    key = bearer(site.tokens["privacy"])
    answers = [client.post(ERASE, json={"email": ADA}, headers=key).get_json() for _ in range(3)]
    assert [
        (a["complete"], a["erased"]["comments"], a["remaining"]["comments"]) for a in answers
    ] == [
        (False, 2, 3),
        (False, 2, 1),
        (True, 1, 0),
    ]
    with db.session() as session:
        assert {session.get(Comment, i).text for i in ids} == {""}  # type: ignore[union-attr]


def test_each_requests_audit_entry_says_what_remains(
    client: FlaskClient,
    db: Database,
    make_site: Callable[..., SiteKeys],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ``privacy_erase`` entry of each request of a resumed erasure records how many
    comments remain and whether it is ``complete``, beside its counts (it had only the
    counts: an operator could not tell a finished erasure from a partial one); counts only,
    never the address."""
    monkeypatch.setattr(privacy_api, "MAX_COMMENTS", 2)
    site = make_site(privacy=["privacy"])
    for n in range(3):
        stored(db, site=site.slug, email=ADA, text=f"{SECRET} #{n}")
    key = bearer(site.tokens["privacy"])
    for _ in range(2):
        assert client.post(ERASE, json={"email": ADA}, headers=key).status_code == 200
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_erase").order_by(AuditEntry.id)
        ).all()
        details = [e.details for e in entries]
    assert [(d["comments"], d["remaining"], d["complete"]) for d in details] == [
        (2, 1, False),
        (1, 0, True),
    ]
    assert ADA not in json.dumps(details) and all(
        isinstance(v, int) for d in details for v in d.values()
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "email", "required"),
        ({"email": 7}, "email", "invalid_type"),
        ({"email": "not an address"}, "email", "invalid_email"),
        ({"email": "ada\x00@example.org"}, "email", "control_characters"),
        ({"email": ADA, "site": "default"}, "site", "unknown_field"),
    ],
)
def test_a_bad_body_is_refused_with_the_field_named(
    client: FlaskClient,
    make_site: Callable[..., SiteKeys],
    body: dict[str, Any],
    field: str,
    code: str,
) -> None:
    """422 ``validation_failed`` naming the field (a ``site`` cannot be chosen: the key's is
    the only one); nothing is done."""
    site = make_site(privacy=["privacy"])
    for url in (EXPORT, ERASE):
        rv = client.post(url, json=body, headers=bearer(site.tokens["privacy"]))
        assert rv.status_code == 422, (url, body)
        error = rv.get_json()["error"]
        assert error["code"] == "validation_failed" and error["fields"][field]["code"] == code


def test_the_keys_rate_limit_holds(client: FlaskClient, make_site: Callable[..., SiteKeys]) -> None:
    """A privacy key spends its rate limit like any other: over it, 429 with Retry-After."""
    site = make_site(settings={"rate_limit": {"per_minute": 1, "burst": 1}}, privacy=["privacy"])
    key = bearer(site.tokens["privacy"])
    assert client.post(EXPORT, json={"email": ADA}, headers=key).status_code == 200
    limited = client.post(ERASE, json={"email": ADA}, headers=key)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert limited.get_json()["error"]["code"] == "rate_limited"


@pytest.mark.slow
def test_schemathesis_finds_nothing_wrong_with_the_privacy_endpoints(
    live_server: LiveServer, make_site: Callable[..., SiteKeys], tmp_path: Path
) -> None:
    """schemathesis, with a ``privacy`` key against the live app (real SQLite, real Redis):
    no server error, every answer as documented."""
    site = make_site(
        settings={"rate_limit": {"per_minute": 1_000_000, "burst": 1_000_000}},
        privacy=["privacy"],
    )
    for path in ("/api/v1/privacy/export", "/api/v1/privacy/erase"):
        report = run_schemathesis(
            live_server.url, site.tokens["privacy"], tmp_path, "--include-path", path
        )
        assert "No issues found" in report and "1 passed" in report, report
