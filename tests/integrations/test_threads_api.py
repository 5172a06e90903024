"""Thread settings through a site's key: ``/api/v1/threads``, and a closed thread's
answer to a site's server."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from service.store import Database
from tests.factories import payload
from tests.integrations.conftest import bearer
from tests.service.test_threads import _set


def test_a_sites_server_cannot_post_to_a_closed_thread(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """A key's comment meets the same closed thread (closed is closed, for every sender)."""
    site = make_site()
    _set(db, "story-9", site.slug, closed=True)
    rv = client.post(
        "/api/v1/comments",
        json=payload(thread="story-9", user_ip="198.51.100.7"),
        headers=bearer(site.tokens["first"]),
    )
    assert rv.status_code == 403 and rv.get_json()["error"]["code"] == "thread_closed"


def test_a_site_key_reads_and_changes_a_threads_settings(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """GET/PUT /api/v1/threads with a moderate key: 401 without a key, 403 without the
    scope or for another site, 422 for unknown fields; the answer is the new settings."""
    site = make_site(mod=["moderate"])
    url = f"/api/v1/threads?site={site.slug}&thread=story-1"
    assert client.get(url).status_code == 401
    assert (
        client.put(url, json={"closed": True}, headers=bearer(site.tokens["first"])).status_code
        == 403
    )
    mod = bearer(site.tokens["mod"])
    other = client.put("/api/v1/threads?site=default&thread=x", json={}, headers=mod)
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "site_mismatch"
    unknown = client.put(url, json={"closed": True, "colour": "red"}, headers=mod)
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["fields"]["colour"]["code"] == "unknown_field"
    assert client.put(url.replace("story-1", ""), json={}, headers=mod).status_code == 422

    rv = client.put(
        url, json={"closed": True, "message": "Closed for the night.", "mode": "pre"}, headers=mod
    )
    assert rv.status_code == 200
    assert rv.get_json() == {
        "site": site.slug,
        "thread": "story-1",
        "closed": True,
        "closed_by": "moderator",
        "message": "Closed for the night.",
        "setting": "closed",
        "mode": "pre",
        "closes_at": None,
    }
    assert client.get(url, headers=mod).get_json()["closed"] is True
    posted = client.post(
        "/api/v1/comments",
        json=payload(site=site.slug, thread="story-1"),
        headers={"Origin": "https://news.example"},
    )
    assert posted.status_code == 403 and posted.get_json()["error"]["code"] == "thread_closed"
    reopened = client.put(url, json={"closed": None}, headers=mod).get_json()
    assert (reopened["closed"], reopened["setting"], reopened["mode"]) == (False, "site", "pre")
