"""The Perspective-compatible endpoints refuse a field the request does not have, as Google's
API does: 400 ``INVALID_ARGUMENT`` in Google's error shape, naming the field and where it
was; a field sent under its proto name (``do_not_store``) is that field, as Google's parsers
read it. Real SQLite file and Redis, the shipped models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.integrations.perspective.schemas import SCHEMAS
from service.store import Database
from service.store.tables import Label
from service.store.tables_integrations import Check
from tests.integrations.conftest import SiteKeys

TEXT = "Thanks for the careful reporting. You are an idiot."
ANALYZE = {"comment": {"text": TEXT}, "requestedAttributes": {"TOXICITY": {}}}
SUGGEST = {
    "comment": {"text": TEXT},
    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
}


@pytest.fixture
def site(make_site: Callable[..., SiteKeys]) -> SiteKeys:
    """A site that keeps Perspective texts and labels when a call allows it."""
    return make_site(settings={"perspective_store": True}, coral=["submit", "moderate"])


def call(client: FlaskClient, site: SiteKeys, method: str, body: dict[str, Any]) -> Any:
    return client.post(f"/v1alpha1/comments:{method}?key={site.tokens['coral']}", json=body)


def _stored(db: Database) -> tuple[list[str], list[str]]:
    with db.session() as session:
        checks = [c.text for c in session.scalars(select(Check))]
        labels = [label.label for label in session.scalars(select(Label))]
    return checks, labels


@pytest.mark.parametrize(
    ("method", "body", "message"),
    [
        ("analyze", {**ANALYZE, "doNotStore": False, "dontStore": True},
         'Unknown name "dontStore": Cannot find field.'),
        ("analyze", {**ANALYZE, "doNotStore": False, "comment": {"text": TEXT, "lang": "en"}},
         "Unknown name \"lang\" at 'comment': Cannot find field."),
        ("analyze", {**ANALYZE, "doNotStore": False,
                     "requestedAttributes": {"TOXICITY": {"scoreTreshold": 0.5}}},
         "Unknown name \"scoreTreshold\" at 'requested_attributes[TOXICITY]': Cannot find field."),
        ("suggestscore", {**SUGGEST, "doNotStore": True},
         'Unknown name "doNotStore": Cannot find field.'),
        ("suggestscore", {**SUGGEST, "attributeScores": {"TOXICITY": {"summary": {"value": 1}}}},
         "Unknown name \"summary\" at 'attribute_scores[TOXICITY]': Cannot find field."),
        ("suggestscore", {**SUGGEST, "attributeScores": {"TOXICITY": {"summaryScore": {
            "value": 1, "kind": "PROBABILITY"}}}},
         "Unknown name \"kind\" at 'attribute_scores[TOXICITY].summary_score': Cannot find field."),
    ],
)  # fmt: skip
def test_an_unknown_field_is_googles_400_naming_it_and_nothing_is_kept(
    client: FlaskClient,
    db: Database,
    site: SiteKeys,
    method: str,
    body: dict[str, Any],
    message: str,
) -> None:
    """A field the request (or one of its messages) does not have: 400 ``{"error": {"code":
    400, "message": "Invalid JSON payload received. Unknown name …", "status":
    "INVALID_ARGUMENT"}}``, naming it and where, as Google answers; the text is neither
    scored into a check record nor labelled (it was ignored and the call went through)."""
    rv = call(client, site, method, body)
    assert rv.status_code == 400
    assert rv.get_json() == {
        "error": {
            "code": 400,
            "message": f"Invalid JSON payload received. {message}",
            "status": "INVALID_ARGUMENT",
        }
    }
    assert _stored(db) == ([], [])


def test_proto_field_names_are_the_same_fields(
    client: FlaskClient, db: Database, site: SiteKeys
) -> None:
    """Google's parsers take a field's proto name as well as its JSON name, so ours do:
    ``requested_attributes``, ``span_annotations``, ``do_not_store``, ``client_token`` and
    ``score_threshold`` are read as their JSON names (they were ignored before; refusing
    them now would break a client Google serves). The same field under both names is a
    400."""
    body = {
        "comment": {"text": TEXT},
        "requested_attributes": {"TOXICITY": {"score_threshold": 0}},
        "span_annotations": True,
        "do_not_store": False,
        "client_token": "c-1",
    }
    rv = call(client, site, "analyze", body)
    assert rv.status_code == 200, rv.get_json()
    answer = rv.get_json()
    assert answer["clientToken"] == "c-1"
    assert len(answer["attributeScores"]["TOXICITY"]["spanScores"]) == 2
    assert _stored(db) == ([TEXT], [])
    twice = call(client, site, "analyze", {**ANALYZE, "doNotStore": True, "do_not_store": True})
    assert twice.status_code == 400
    assert twice.get_json()["error"]["message"] == (
        'Invalid JSON payload received. Field "doNotStore" was given twice (as "do_not_store" too).'
    )


def test_the_context_is_accepted_as_it_comes(client: FlaskClient, site: SiteKeys) -> None:
    """``context`` is never read: whatever it holds passes, as before (only the fields we
    read are checked: a misspelling there would change nothing)."""
    body = {**ANALYZE, "context": {"entries": [{"text": "An article", "genre": "news"}], "x": 1}}
    assert call(client, site, "analyze", body).status_code == 200


def test_the_openapi_document_and_the_discovery_document_name_the_same_fields(
    client: FlaskClient,
) -> None:
    """The OpenAPI schemas of both requests refuse other properties and list exactly the
    fields of the discovery document's messages, which the endpoints check against."""
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]

    def names(message: str) -> set[str]:
        return set(SCHEMAS[message]["properties"])

    analyze, suggest = schemas["AnalyzeRequest"], schemas["SuggestRequest"]
    pairs = [
        (analyze, "AnalyzeCommentRequest"),
        (suggest, "SuggestCommentScoreRequest"),
        (analyze["properties"]["comment"], "TextEntry"),
        (suggest["properties"]["comment"], "TextEntry"),
        (
            analyze["properties"]["requestedAttributes"]["additionalProperties"],
            "AttributeParameters",
        ),
        (suggest["properties"]["attributeScores"]["additionalProperties"], "AttributeScores"),
    ]
    for schema, message in pairs:
        assert schema["additionalProperties"] is False, message
        assert set(schema["properties"]) == names(message), message
