"""Where a key goes, and what a keyed request gets: always JSON, never an anonymous post,
and reads that spend nothing of its rate limit."""

from __future__ import annotations

import base64
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.store import Database
from service.store.tables import Comment
from tests.factories import payload
from tests.integrations.conftest import SiteKeys, bearer

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Comment)) or 0)


def test_a_keyed_form_post_with_a_browsers_accept_gets_json(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A keyed form-encoded post that accepts text/html first gets the 202 JSON with its
    Location (not a 303 to a page), and its field errors as the JSON 422 (not a page)."""
    site = make_site()
    headers = {**bearer(site.tokens["first"]), "Accept": BROWSER_ACCEPT}
    rv = client.post("/api/v1/comments", data=payload(), headers=headers)
    assert rv.status_code == 202, rv.data[:200]
    assert rv.mimetype == "application/json"
    assert rv.get_json()["status"] == "pending" and rv.headers["Location"]
    bad = client.post("/api/v1/comments", data=payload(email="not-an-address"), headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/json"
    assert bad.get_json()["error"]["fields"]["email"]["code"] == "invalid_email"


def test_a_keyed_form_report_with_a_browsers_accept_gets_json(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """The report form's pages are for browsers too: a keyed report gets the JSON 404."""
    site = make_site()
    headers = {**bearer(site.tokens["first"]), "Accept": BROWSER_ACCEPT}
    rv = client.post(
        "/api/v1/comments/01JDZZZZZZZZZZZZZZZZZZZZZZ/reports",
        data={"reason": "spam", "user_ip": "198.51.100.4"},
        headers=headers,
    )
    assert rv.status_code == 404 and rv.mimetype == "application/json"


def test_a_key_in_another_header_or_in_basic_credentials_is_a_401(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """X-Goog-Api-Key, Api-Key or Basic credentials carrying a key: 401 invalid_api_key
    naming where the key goes, and nothing stored (it was an anonymous post to default);
    on a read as well as on intake, JSON or form with a browser's Accept."""
    token = make_site().tokens["first"]
    before = _count(db)
    basic_user = base64.b64encode(f"{token}:".encode()).decode()
    basic_pass = base64.b64encode(f"api:{token}".encode()).decode()
    for headers in (
        {"X-Goog-Api-Key": token},
        {"Api-Key": token},
        {"X-Auth-Token": f"Token {token}"},
        {"Authorization": f"Basic {basic_user}"},
        {"Authorization": f"Basic {basic_pass}"},
    ):
        for rv in (
            client.post("/api/v1/comments", json=payload(), headers=headers),
            client.post(
                "/api/v1/comments", data=payload(), headers={**headers, "Accept": BROWSER_ACCEPT}
            ),
            client.get("/api/v1/comments?thread=article-1", headers=headers),
        ):
            assert rv.status_code == 401, (headers, rv.status_code)
            error = rv.get_json()["error"]
            assert error["code"] == "invalid_api_key"
            assert "Authorization: Bearer <key>" in error["message"]
    assert _count(db) == before


def test_basic_credentials_without_a_key_are_left_to_the_proxy(client: FlaskClient) -> None:
    """Basic credentials of a password-guarding proxy (no key in them) change nothing."""
    basic = base64.b64encode(b"editor:correct horse battery").decode()
    rv = client.post(
        "/api/v1/comments", json=payload(), headers={"Authorization": f"Basic {basic}"}
    )
    assert rv.status_code == 202


def test_polling_the_status_url_spends_nothing_of_the_keys_rate_limit(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """With a burst of 2, a post then ten polls of its status_url (with the key, read scope
    or not) leave the second post its token: 202, not 429."""
    site = make_site(settings={"rate_limit": {"per_minute": 1, "burst": 2}}, reader=["read"])
    key = bearer(site.tokens["first"])
    first = client.post("/api/v1/comments", json=payload(), headers=key)
    assert first.status_code == 202
    for token in (site.tokens["first"], site.tokens["reader"]) * 5:
        polled = client.get(first.headers["Location"], headers=bearer(token))
        assert polled.status_code == 200
    assert client.post("/api/v1/comments", json=payload(), headers=key).status_code == 202


def test_key_401s_say_how_to_authenticate(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """Every 401 about a key carries WWW-Authenticate: Bearer (RFC 6750): invalid_token for
    a bad or misplaced key, a bare challenge where a key is required and none was sent; the
    dashboard's 401 (a session, not a key) does not."""
    comment_id = client.post(
        "/api/v1/comments", json=payload(), headers=bearer(make_site().tokens["first"])
    ).get_json()["id"]
    invalid = [
        client.post("/api/v1/comments", json=payload(), headers=bearer("mod_0123456789ab_nope")),
        client.get("/api/v1/comments?thread=t", headers={"Authorization": "Token x"}),
        client.get(
            "/api/v1/counts?thread=t", headers={"X-Goog-Api-Key": "mod_0123456789ab_" + "x" * 43}
        ),
    ]
    for rv in invalid:
        assert rv.status_code == 401
        assert rv.headers["WWW-Authenticate"] == 'Bearer realm="moderato", error="invalid_token"'
    missing = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": "approve", "expected_status": "pending"},
    )
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="moderato"'
    dashboard = client.get("/moderation/integrations/")
    assert dashboard.status_code == 401 and "WWW-Authenticate" not in dashboard.headers
