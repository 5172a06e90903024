"""Server-to-server intake: a site's backend posts with its key and the end user's details."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from service.security import ip_hash
from service.store import Database
from service.store.tables import AuditEntry, Comment
from tests.conftest import SECRET
from tests.factories import payload
from tests.integrations.conftest import SiteKeys, bearer


def test_key_intake_uses_the_keys_site_and_the_users_details(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """With a key, the comment goes to the key's site and keeps the end user's IP hash and agent."""
    site = make_site()
    body = payload(
        user_ip="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        referrer="https://search.example/?q=council",
        permalink="https://news.example/2026/council-figures",
    )
    rv = client.post(
        "/api/v1/comments",
        json=body,
        headers={**bearer(site.tokens["first"]), "User-Agent": "news-backend/1.0"},
    )
    assert rv.status_code == 202
    assert rv.headers["Location"].endswith(rv.get_json()["id"])
    with db.session() as session:
        comment = session.get(Comment, rv.get_json()["id"])
        assert comment is not None
        assert comment.site_id == site.site_id
        assert comment.ip_hash == ip_hash(SECRET, "203.0.113.7")
        assert comment.user_agent == "Mozilla/5.0 (X11; Linux x86_64)"
        assert comment.referrer == "https://search.example/?q=council"
        assert comment.permalink == "https://news.example/2026/council-figures"
        assert comment.signals == {"source": "api"}
        audit = session.query(AuditEntry).filter_by(comment_id=comment.id).one()
        assert audit.actor.startswith("key:")


def test_key_intake_reports_every_bad_field_at_once(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """Bad comment fields and bad end-user fields come back together in one 422."""
    site = make_site()
    body = payload(
        email="not-an-address",
        user_ip="999.1.1.1",
        user_agent="x" * 600,
        permalink="javascript:alert(1)",
    )
    rv = client.post("/api/v1/comments", json=body, headers=bearer(site.tokens["first"]))
    assert rv.status_code == 422
    fields = rv.get_json()["error"]["fields"]
    assert fields["email"]["code"] == "invalid_email"
    assert fields["user_ip"]["code"] == "invalid_ip"
    assert fields["user_agent"]["code"] == "too_long"
    assert fields["permalink"]["code"] == "invalid_url"


def test_key_intake_refuses_another_sites_slug(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A key posting with the slug of another site gets 403 site_mismatch."""
    site = make_site()
    rv = client.post(
        "/api/v1/comments", json=payload(site="default"), headers=bearer(site.tokens["first"])
    )
    assert rv.status_code == 403
    assert rv.get_json()["error"]["code"] == "site_mismatch"


def test_browser_intake_ignores_user_ip_in_the_body(client: FlaskClient, db: Database) -> None:
    """Without a key the IP comes from the connection; a body user_ip cannot spoof it."""
    rv = client.post("/api/v1/comments", json=payload(user_ip="198.51.100.9"))
    assert rv.status_code == 202
    with db.session() as session:
        comment = session.get(Comment, rv.get_json()["id"])
        assert comment is not None
        assert comment.ip_hash == ip_hash(SECRET, "127.0.0.1")


def test_browser_intake_does_not_even_check_the_end_user_fields(client: FlaskClient) -> None:
    """The browser path ignores user_ip and friends, so a bad one is no reason to refuse."""
    rv = client.post(
        "/api/v1/comments", json=payload(user_ip="nope", permalink="javascript:alert(1)")
    )
    assert rv.status_code == 202, rv.get_json()


def test_an_empty_site_with_a_key_is_the_keys_site_as_documented(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """With a key, an empty ``site`` is the key's site (never ``default``), and the OpenAPI
    document says so; without a key, empty means ``default``. Review finding: the
    document said an empty ``site`` means ``default`` whatever the caller."""
    site = make_site()
    rv = client.post(
        "/api/v1/comments", json=payload(site=""), headers=bearer(site.tokens["first"])
    )
    assert rv.status_code == 202
    with db.session() as session:
        stored_site = session.get(Comment, rv.get_json()["id"]).site_id  # type: ignore[union-attr]
    assert stored_site == site.site_id
    described = client.get("/openapi.json").get_json()["components"]["schemas"]["CommentInput"]
    words = described["properties"]["site"]["description"]
    assert "With a site key: the key's site" in words and "Without a key" in words
