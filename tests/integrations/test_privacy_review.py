"""The privacy endpoints keep to their documentation: JSON bodies only, and the rate-limit
fields they send are in the OpenAPI document (real SQLite file, real Redis)."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.integrations.conftest import SiteKeys, bearer

ADA = "ada@example.org"
URLS = {"exportAuthorData": "/api/v1/privacy/export", "eraseAuthorData": "/api/v1/privacy/erase"}


def test_a_form_body_is_refused_with_415(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """The document says JSON only: a form-encoded body is a 415, not an erasure (it was
    accepted; found in review)."""
    site = make_site(privacy=["privacy"])
    for url in URLS.values():
        rv = client.post(url, data={"email": ADA}, headers=bearer(site.tokens["privacy"]))
        assert rv.status_code == 415, url
        assert rv.get_json()["error"]["code"] == "unsupported_media_type"


def test_the_rate_limit_fields_sent_are_documented(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """Each privacy answer carries ``RateLimit`` and ``RateLimit-Policy``, and the document
    declares them on each of its answers (it left them off; found in review)."""
    site = make_site(privacy=["privacy"])
    doc = client.get("/openapi.json").get_json()
    for operation_id, url in URLS.items():
        rv = client.post(url, json={"email": ADA}, headers=bearer(site.tokens["privacy"]))
        assert rv.status_code == 200 and {"RateLimit", "RateLimit-Policy"} <= set(rv.headers.keys())
        operation = doc["paths"][url]["post"]
        assert operation["operationId"] == operation_id
        for status, answer in operation["responses"].items():
            assert {"RateLimit", "RateLimit-Policy"} <= set(answer.get("headers", {})), status
