"""API keys: hashed storage, scopes, revocation, per-key rate limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import sites as site_ops
from service.clock import utcnow
from service.store import Database
from service.store.tables import ApiKey, Comment, Site
from tests.factories import payload
from tests.integrations.conftest import SiteKeys, bearer


def test_only_a_hash_of_the_key_is_stored(make_site: Callable[..., SiteKeys], db: Database) -> None:
    """The database keeps the key's prefix and a hash, never the secret part."""
    site = make_site()
    token = site.tokens["first"]
    with db.session() as session:
        rows = session.scalars(select(ApiKey).where(ApiKey.site_id == site.site_id)).all()
    assert len(rows) == 1
    secret = token.split("_", 2)[2]
    assert rows[0].prefix in token
    assert secret not in rows[0].secret_hash
    assert rows[0].secret_hash != secret


def test_key_without_submit_scope_cannot_submit(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A key lacking the submit scope gets 403 insufficient_scope and nothing is stored."""
    site = make_site(reader=["read"])
    rv = client.post("/api/v1/comments", json=payload(), headers=bearer(site.tokens["reader"]))
    assert rv.status_code == 403
    assert rv.get_json()["error"]["code"] == "insufficient_scope"


def test_unknown_and_malformed_keys_get_401(client: FlaskClient) -> None:
    """A made-up or malformed bearer key gets 401 invalid_api_key in the error shape."""
    for token in ("mod_0123456789ab_not-a-real-secret", "garbage"):
        rv = client.post("/api/v1/comments", json=payload(), headers=bearer(token))
        assert rv.status_code == 401
        assert rv.get_json()["error"]["code"] == "invalid_api_key"


def test_a_key_sent_any_other_way_gets_401_and_nothing_is_stored(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """A valid key without the Bearer scheme is refused with a hint, not taken as a browser post.

    Before, such a request went through anonymously to the default site: 202, and the
    integrator's own site never saw the comment.
    """
    token = make_site().tokens["first"]
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Comment))
    for headers in (
        {"Authorization": token},
        {"Authorization": f"Token {token}"},
        {"Authorization": "Bearer "},
        {"X-Api-Key": token},
    ):
        rv = client.post("/api/v1/comments", json=payload(), headers=headers)
        assert rv.status_code == 401, headers
        error = rv.get_json()["error"]
        assert error["code"] == "invalid_api_key"
        assert "Authorization: Bearer <key>" in error["message"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == before


def test_a_submit_only_key_can_follow_its_status_url(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """The status URL answers a submit-only key with the public view (no scores), not 403."""
    site = make_site()
    created = client.post("/api/v1/comments", json=payload(), headers=bearer(site.tokens["first"]))
    rv = client.get(created.headers["Location"], headers=bearer(site.tokens["first"]))
    assert rv.status_code == 200
    body = rv.get_json()
    assert body["id"] == created.get_json()["id"]
    assert "scores" not in body


def test_revoked_key_stops_working(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """After revocation the key answers 401 while the site's other keys still work."""
    site = make_site(spare=["submit"])
    token = site.tokens["first"]
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(token)).status_code == 202
    with db.session() as session:
        row = session.get(Site, site.site_id)
        assert row is not None
        prefix = token.split("_")[1]
        assert site_ops.revoke_key(session, row, prefix) is True
        assert site_ops.revoke_key(session, row, prefix) is False
    rv = client.post("/api/v1/comments", json=payload(), headers=bearer(token))
    assert rv.status_code == 401
    spare = bearer(site.tokens["spare"])
    assert client.post("/api/v1/comments", json=payload(), headers=spare).status_code == 202


def test_read_scope_shows_scores_only_for_own_site(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A read key sees scores of its own site's comments; another site's read key does not."""
    mine = make_site("Mine", reader=["read"])
    other = make_site("Other", reader=["read"])
    comment_id = client.post(
        "/api/v1/comments", json=payload(), headers=bearer(mine.tokens["first"])
    ).get_json()["id"]
    own = client.get(f"/api/v1/comments/{comment_id}", headers=bearer(mine.tokens["reader"]))
    foreign = client.get(f"/api/v1/comments/{comment_id}", headers=bearer(other.tokens["reader"]))
    assert "scores" in own.get_json()
    assert "scores" not in foreign.get_json()


def test_key_over_its_rate_limit_gets_429_with_retry_after(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """Past its burst a key gets 429 rate_limited with Retry-After; other keys are unaffected."""
    site = make_site(settings={"rate_limit": {"per_minute": 1, "burst": 2}}, spare=["submit"])
    headers = bearer(site.tokens["first"])
    codes = [client.post("/api/v1/comments", json=payload(), headers=headers) for _ in range(3)]
    assert [rv.status_code for rv in codes[:2]] == [202, 202]
    limited: Any = codes[2]
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    spare = bearer(site.tokens["spare"])
    assert client.post("/api/v1/comments", json=payload(), headers=spare).status_code == 202


def test_key_use_is_recorded(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Using a key sets its last_used_at (for the admin's key list)."""
    site = make_site()
    client.post("/api/v1/comments", json=payload(), headers=bearer(site.tokens["first"]))
    with db.session() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.site_id == site.site_id)).one()
    assert row.last_used_at is not None


def test_a_rolled_key_works_beside_its_successor_until_its_grace_ends(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Rolling gives a new key with the same name and scopes; the old one keeps working for
    the grace period (so servers switch without a failed request), then answers 401."""
    site = make_site(cms=["submit", "read"])
    old = site.tokens["cms"]
    prefix = old.split("_")[1]
    with db.session() as session:
        row = session.get(Site, site.site_id)
        assert row is not None
        rolled = site_ops.roll_key(session, row, prefix, timedelta(hours=24))
        assert rolled is not None and rolled.token != old
        new = rolled.token
        assert site_ops.roll_key(session, row, "nosuchprefix", timedelta(hours=1)) is None
        with pytest.raises(ValueError):
            site_ops.roll_key(session, row, prefix, timedelta(days=31))
    for token in (old, new):
        rv = client.post("/api/v1/comments", json=payload(), headers=bearer(token))
        assert rv.status_code == 202
    with db.session() as session:
        rolled = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one()
        successor = session.scalars(select(ApiKey).where(ApiKey.prefix == new.split("_")[1])).one()
        assert (successor.name, successor.scopes, successor.expires_at) == (
            "cms",
            rolled.scopes,
            None,
        )
        assert rolled.expires_at is not None and rolled.revoked_at is None
        left = rolled.expires_at - utcnow()
        assert timedelta(hours=23, minutes=59) < left <= timedelta(hours=24)
        rolled.expires_at = utcnow() - timedelta(seconds=1)  # the grace period is over
    ended = client.post("/api/v1/comments", json=payload(), headers=bearer(old))
    assert ended.status_code == 401 and ended.get_json()["error"]["code"] == "invalid_api_key"
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(new)).status_code == 202


def test_a_rolled_key_can_be_revoked_early_and_rolling_never_extends(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Revoke ends a rolled key before its grace is over; a key is rolled once (each roll
    made another live successor, found in review) and the roll reports the old key's real
    end, never later than its own expiry; a key created with an expiry stops at it."""
    site = make_site()
    old = site.tokens["first"]
    prefix = old.split("_")[1]
    with db.session() as session:
        row = session.get(Site, site.site_id)
        assert row is not None
        first = site_ops.roll_key(session, row, prefix, timedelta(hours=1))
        assert first is not None
        end = session.scalars(select(ApiKey.expires_at).where(ApiKey.prefix == prefix)).one()
        assert first.old_key_ends == end
        with pytest.raises(site_ops.AlreadyRolled) as again:
            site_ops.roll_key(session, row, prefix, timedelta(days=7))
        assert again.value.successor == first.token.split("_")[1]
        assert (
            session.scalars(select(ApiKey.expires_at).where(ApiKey.prefix == prefix)).one() == end
        )
        assert site_ops.revoke_key(session, row, prefix) is True
        soon = site_ops.add_key(
            session, row, name="soon", scopes=["submit"], expires_at=utcnow() + timedelta(hours=2)
        )
        later = site_ops.roll_key(session, row, soon.split("_")[1], timedelta(days=2))
        assert later is not None
        assert later.old_key_ends - utcnow() <= timedelta(hours=2)  # its own end, not +2 days
        expired = site_ops.add_key(
            session, row, name="old", scopes=["submit"], expires_at=utcnow() - timedelta(1)
        )
        expiring = site_ops.add_key(
            session, row, name="soon", scopes=["submit"], expires_at=utcnow() + timedelta(1)
        )
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(old)).status_code == 401
    assert (
        client.post("/api/v1/comments", json=payload(), headers=bearer(expired)).status_code == 401
    )
    assert (
        client.post("/api/v1/comments", json=payload(), headers=bearer(expiring)).status_code == 202
    )
