"""The privacy endpoints keep to their documentation: JSON bodies only, and the rate-limit
fields they send are in the OpenAPI document (real SQLite file, real Redis)."""

from __future__ import annotations

from collections.abc import Callable

import jsonschema
from flask.testing import FlaskClient

from service import sites
from service.integrations.webhooks import create_endpoint
from service.store import Database
from tests.factories import published
from tests.helpers import outbox_bodies
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


def test_an_erasures_moderated_event_names_an_action_the_document_lists(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """An erasure through the API takes a published comment down with a
    ``comment.moderated`` event whose ``action`` is ``erase``: the document's list of
    actions names it (it did not; found in review)."""
    site = make_site(privacy=["privacy"])
    with db.session() as session:
        site_row = sites.by_slug(session, site.slug)
        assert site_row is not None
        create_endpoint(session, site_row, "http://127.0.0.1:9/h", ["comment.moderated"],
                        allow_private=True)  # fmt: skip
    published(db, site=site.slug, email=ADA)
    rv = client.post(URLS["eraseAuthorData"], json={"email": ADA},
                     headers=bearer(site.tokens["privacy"]))  # fmt: skip
    assert rv.status_code == 200
    [event] = [e for e in outbox_bodies(db) if e["type"] == "comment.moderated"]
    doc = client.get("/openapi.json").get_json()
    described = doc["components"]["schemas"]["WebhookComment"]["properties"]["action"]
    assert event["data"]["action"] == "erase" and "`erase`" in described["description"]


def test_the_documented_pattern_allows_the_spaces_the_server_trims(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """``" ada@example.org "`` is answered (the server trims it), so the document's
    ``PrivacyRequest`` accepts it too (its pattern refused any space; found in review);
    a space inside the address is refused by both."""
    site = make_site(privacy=["privacy"])
    doc = client.get("/openapi.json").get_json()
    schema = doc["components"]["schemas"]["PrivacyRequest"]
    for body, status in (
        ({"email": "  ada@example.org\u00a0"}, 200),
        ({"email": "a da@x.org"}, 422),
    ):
        rv = client.post(
            URLS["exportAuthorData"], json=body, headers=bearer(site.tokens["privacy"])
        )
        assert rv.status_code == status, body
        valid = jsonschema.Draft202012Validator(schema).is_valid(body)
        assert valid is (status == 200), body
