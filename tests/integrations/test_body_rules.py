"""One rule for request bodies across the JSON API: what a wrong Content-Type gets, and
what unknown fields get (docs/integrations.md, "Request bodies")."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.integrations.conftest import bearer


def test_a_form_sent_to_the_json_only_thread_settings_is_a_415(
    client: FlaskClient, make_site: Any
) -> None:
    """``PUT /api/v1/threads`` takes JSON only (a form cannot say true or null): a form
    post is ``415 unsupported_media_type``, as a wrong type is on every other endpoint,
    never a 422 about its fields' types. Review finding: it answered 422."""
    site = make_site(mod=["moderate"])
    mod = bearer(site.tokens["mod"])
    url = f"/api/v1/threads?site={site.slug}&thread=story-1"
    form = client.put(url, data={"closed": "true"}, headers=mod)
    assert form.status_code == 415
    assert form.get_json()["error"] == {
        "code": "unsupported_media_type",
        "message": "This endpoint takes application/json only.",
    }
    wrong = [
        client.put(url, data=b"closed", content_type="text/plain", headers=mod),
        client.post(
            "/api/v1/comments",
            data=b"x",
            content_type="text/plain",
            headers=bearer(site.tokens["first"]),
        ),
        client.post(
            "/api/v1/comments/x/moderate", data=b"x", content_type="text/plain", headers=mod
        ),
        client.patch("/api/v1/comments/x", data=b"x", content_type="text/plain"),
    ]
    assert {(rv.status_code, rv.get_json()["error"]["code"]) for rv in wrong} == {
        (415, "unsupported_media_type")
    }
    assert client.put(url, json={"closed": True}, headers=mod).status_code == 200
