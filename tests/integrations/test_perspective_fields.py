"""The Perspective-compatible endpoints refuse a field the request does not have, as Google's
API does: 400 ``INVALID_ARGUMENT`` in Google's error shape, naming the field and where it
was; a field sent under its proto name (``do_not_store``) is that field, as Google's parsers
read it. Real SQLite file and Redis, the shipped models."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.integrations.openapi.perspective import SCHEMAS as OPENAPI_SCHEMAS
from service.integrations.perspective.payload import proto_name
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
        fields = names(message)
        assert set(schema["properties"]) == fields | {proto_name(f) for f in fields}, message


VALID = [
    pytest.param("analyze", {
        "comment": {"text": TEXT, "type": "PLAIN_TEXT"},
        "requestedAttributes": {"TOXICITY": {"scoreType": "PROBABILITY", "scoreThreshold": 0},
                                "SPAM": None},
        "languages": ["en"], "doNotStore": True, "clientToken": "c-1", "sessionId": "s",
        "communityId": "c", "spanAnnotations": True, "dropUnsupportedAttributes": False,
    }, id="analyze-json-names"),
    pytest.param("analyze", {
        "comment": {"text": TEXT},
        "requested_attributes": {"TOXICITY": {"score_type": "PROBABILITY", "score_threshold": 0},
                                 "SPAM": {}},
        "do_not_store": True, "client_token": "c-1", "session_id": "s", "community_id": "c",
        "span_annotations": True, "drop_unsupported_attributes": False,
    }, id="analyze-proto-names"),
    pytest.param("suggestscore", {
        "comment": {"text": TEXT},
        "attributeScores": {"TOXICITY": {
            "summaryScore": {"value": 1, "type": "PROBABILITY"},
            "spanScores": [{"begin": 0, "end": 5, "score": {"value": 1}}]}},
        "languages": ["en"], "clientToken": "c-1", "communityId": "c", "sessionId": "s",
    }, id="suggest-json-names"),
    pytest.param("suggestscore", {
        "comment": {"text": TEXT},
        "attribute_scores": {"TOXICITY": {
            "summary_score": {"value": 1},
            "span_scores": [{"begin": 0, "end": 5, "score": {"value": 1}}]}},
        "client_token": "c-1", "community_id": "c", "session_id": "s",
    }, id="suggest-proto-names"),
]  # fmt: skip
INVALID = [
    pytest.param("analyze", {**ANALYZE, "dontStore": True}, id="unknown-field"),
    pytest.param("analyze", {**ANALYZE, "requestedAttributes": {"TOXICITY": {"score": 1}}},
                 id="unknown-nested-field"),
    pytest.param("analyze", {"comment": {"text": TEXT}}, id="no-attributes"),
    pytest.param("suggestscore", {**SUGGEST, "doNotStore": True}, id="suggest-unknown-field"),
]  # fmt: skip
REQUEST_SCHEMAS = {"analyze": "AnalyzeRequest", "suggestscore": "SuggestRequest"}


def _validator(client: FlaskClient, method: str) -> jsonschema.Draft202012Validator:
    """Return a validator of the request schema ``/openapi.json`` publishes for ``method``."""
    doc = client.get("/openapi.json").get_json()
    ref = f"#/components/schemas/{REQUEST_SCHEMAS[method]}"
    return jsonschema.Draft202012Validator({"$ref": ref, "components": doc["components"]})


@pytest.mark.parametrize(("method", "body"), VALID)
def test_bodies_in_either_spelling_are_valid_by_the_published_schema_and_taken(
    client: FlaskClient, site: SiteKeys, method: str, body: dict[str, Any]
) -> None:
    """A body under JSON or proto field names, as Google's parsers take it, is valid by the
    request schema of ``/openapi.json`` (it listed only the JSON names, refused others and
    required ``requestedAttributes``, so a validating client refused valid bodies) and the
    live app answers it 200."""
    assert list(_validator(client, method).iter_errors(body)) == []
    rv = call(client, site, method, body)
    assert rv.status_code == 200, rv.get_json()


@pytest.mark.parametrize(("method", "body"), INVALID)
def test_bodies_the_app_refuses_are_invalid_by_the_published_schema(
    client: FlaskClient, site: SiteKeys, method: str, body: dict[str, Any]
) -> None:
    """An unknown field, or no requested attributes in either spelling, is invalid by the
    published schema, and the app answers it 400."""
    assert list(_validator(client, method).iter_errors(body)) != []
    assert call(client, site, method, body).status_code == 400


def test_each_request_schema_names_only_its_own_fields() -> None:
    """A request schema's description names proto names of its own fields only (the
    suggestion's named ``requested_attributes`` and ``do_not_store``, copied)."""
    for name in REQUEST_SCHEMAS.values():
        schema = OPENAPI_SCHEMAS[name]
        named = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", schema["description"]))
        nested = {
            key
            for field in schema["properties"].values()
            for inner in [field.get("additionalProperties")]
            if isinstance(inner, dict)
            for key in inner.get("properties", {})
        }
        assert named and named <= set(schema["properties"]) | nested, name
