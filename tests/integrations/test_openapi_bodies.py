"""The document is no looser than the server about request bodies: what a body's schema
allows, the server takes, and what the server refuses with a field error, the schema
refuses. schemathesis's ``positive_data_acceptance`` found each case below (a closing
message with a control character, ``reason: toxic`` with ``action: ham``, ``user_ip=null``
in a form, …); each is checked both ways on the live document and the app, and
schemathesis runs the check on ``/api/v1/threads``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from service.status import State
from service.store import Database
from tests.factories import payload, stored
from tests.integrations.conftest import LiveServer, SiteKeys, bearer
from tests.integrations.test_openapi import run_schemathesis

FORM = "application/x-www-form-urlencoded"
NO_SUCH_COMMENT = "0000000000000000"  # the shape of an id: the body is read first

#: (schema, how the server gets the body, path, body, the field the server refuses)
REFUSED = [
    pytest.param(
        "ThreadSettingsInput", "json", "/api/v1/threads?thread=t", {"message": "Closed\x17."},
        "message", id="closing-message-control",
    ),
    pytest.param(
        "ThreadSettingsInput", "json", "/api/v1/threads?thread=t", {"message": "a\u202eb"},
        "message", id="closing-message-direction",
    ),
    pytest.param(
        "ModerationInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/moderate",
        {"action": "ham", "expected_status": "held", "reason": "toxic"},
        "reason", id="toxic-without-reject",
    ),
    pytest.param(
        "ModerationInputForm", "form", f"/api/v1/comments/{NO_SUCH_COMMENT}/moderate",
        {"action": "spam", "expected_status": "held", "reason": "toxic"},
        "reason", id="toxic-without-reject-form",
    ),
    pytest.param(
        "ModerationInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/moderate",
        {"action": "approve", "expected_status": "held", "note": "a\x00b"},
        "note", id="moderation-note-control",
    ),
    pytest.param(
        "ModerationInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/moderate",
        {"action": "approve", "expected_status": "held", "revision": 10**18},
        "revision", id="revision-past-18-digits",
    ),
    pytest.param(
        "ReportInputForm", "form", f"/api/v1/comments/{NO_SUCH_COMMENT}/reports",
        {"reason": "spam", "user_ip": "null"}, "user_ip", id="user-ip-null-in-a-form",
    ),
    pytest.param(
        "ReportInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/reports",
        {"reason": "spam", "user_ip": "not-an-address"}, "user_ip", id="user-ip-not-one",
    ),
    pytest.param(
        "ReportInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/reports",
        {"reason": "spam", "reporter": "reader-42\u2066"}, "reporter", id="reporter-direction",
    ),
    pytest.param(
        "ReportInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/reports",
        {"reason": "spam", "reporter": " reader@example.org "}, "reporter",
        id="reporter-email",
    ),
    pytest.param(
        "ReportInput", "json", f"/api/v1/comments/{NO_SUCH_COMMENT}/reports",
        {"reason": "spam", "note": "a\u202db"}, "note", id="report-note-direction",
    ),
    pytest.param(
        "CommentInputForm", "form", "/api/v1/comments", payload(notify_replies="null"),
        "notify_replies", id="notify-replies-null-in-a-form",
    ),
    pytest.param(
        "CommentInput", "json", "/api/v1/comments", payload(name="Ada\u202e"),
        "name", id="name-direction",
    ),
    pytest.param(
        "CommentInput", "json", "/api/v1/comments", payload(url="https://ada.example/a\x85b"),
        "url", id="url-c1-control",
    ),
    pytest.param(
        "CommentInput", "json", "/api/v1/comments", payload(permalink="http://\x81a.example/"),
        "permalink", id="permalink-c1-control",
    ),
]  # fmt: skip


def _validator(client: FlaskClient, name: str) -> Draft202012Validator:
    """Return a validator of the document's ``name`` schema, checking formats (ipv4, …)."""
    components = client.get("/openapi.json").get_json()["components"]
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": components},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _send(client: FlaskClient, path: str, how: str, body: dict[str, Any], token: str) -> Any:
    method = client.put if path.startswith("/api/v1/threads") else client.post
    if how == "form":
        return method(path, data=body, headers=bearer(token))
    return method(path, json=body, headers=bearer(token))


@pytest.mark.parametrize(("schema", "how", "path", "body", "field"), REFUSED)
def test_what_the_server_refuses_the_document_refuses(
    client: FlaskClient,
    make_site: Callable[..., SiteKeys],
    schema: str,
    how: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    """Each body the server answers with a field error (422, in the contract's shape)
    breaks its documented schema (each was valid there: schemathesis sent it and was
    refused)."""
    site = make_site(key=["submit", "moderate"])
    rv = _send(client, path, how, body, site.tokens["key"])
    assert rv.status_code == 422, rv.get_json()
    error = rv.get_json()["error"]
    assert error["code"] == "validation_failed" and list(error["fields"]) == [field]
    assert not _validator(client, schema).is_valid(body)


def test_suggested_scores_need_a_value_from_0_to_1(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A suggested score without a summary score, or with one out of 0..1, is a 400 naming
    it, as Google's API answers, and the document requires one (it allowed ``{}``)."""
    site = make_site(key=["moderate"])
    validator = _validator(client, "SuggestRequest")
    for scores in ({"SPAM": {}}, {"SPAM": {"summaryScore": {"value": 1.5}}}):
        body = {"comment": {"text": "Hello"}, "attributeScores": scores}
        rv = client.post(
            "/v1alpha1/comments:suggestscore",
            json=body,
            headers={"X-Goog-Api-Key": site.tokens["key"]},
        )
        assert rv.status_code == 400 and "summary_score.value" in rv.get_json()["error"]["message"]
        assert not validator.is_valid(body)
    fine = {
        "comment": {"text": "Hello"},
        "attributeScores": {"SPAM": {"summary_score": {"value": 1}}},
    }
    assert validator.is_valid(fine)
    rv = client.post(
        "/v1alpha1/comments:suggestscore", json=fine, headers={"X-Goog-Api-Key": site.tokens["key"]}
    )
    assert rv.status_code == 200


def test_what_the_document_allows_the_server_takes(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """A JSON revision written ``0.0`` is the integer 0 (JSON Schema's ``integer``; it was
    a 422), ``toxic`` goes with ``reject``, a form's reply opt-in says ``on``, and an
    empty ``comment=`` in a listing is none (the document refused it: a pattern without
    the empty string)."""
    site = make_site(key=["submit", "moderate", "read"])
    token = site.tokens["key"]
    held = stored(db, state=State.HELD, site=site.slug).id
    body = {"action": "approve", "expected_status": "held", "revision": 0.0}
    assert _validator(client, "ModerationInput").is_valid(body)
    rv = _send(client, f"/api/v1/comments/{held}/moderate", "json", body, token)
    assert rv.status_code == 200 and rv.get_json()["status"] == "published"
    toxic = {"action": "reject", "expected_status": "published", "reason": "toxic", "note": "a\tb"}
    assert _validator(client, "ModerationInputForm").is_valid(toxic)
    rv = _send(client, f"/api/v1/comments/{held}/moderate", "form", toxic, token)
    assert rv.status_code == 200 and rv.get_json()["label"] == "toxic"
    comment = payload(notify_replies="on", user_ip="", url="https://ada.example/")
    assert _validator(client, "CommentInputForm").is_valid(comment)
    assert _send(client, "/api/v1/comments", "form", comment, token).status_code == 202
    doc = client.get("/openapi.json").get_json()
    [param] = [
        p for p in doc["paths"]["/api/v1/comments"]["get"]["parameters"] if p["name"] == "comment"
    ]
    assert Draft202012Validator(param["schema"]).is_valid("")
    listed = client.get("/api/v1/comments?thread=article-1&comment=", headers=bearer(token))
    assert listed.status_code == 200
    report = _validator(client, "ReportInput")  # an id or nothing; not an address
    assert report.is_valid({"reason": "spam", "reporter": "reader-42@site"})
    assert report.is_valid({"reason": "spam", "reporter": None})


@pytest.mark.slow
def test_schemathesis_finds_every_valid_thread_setting_taken(
    live_server: LiveServer, make_site: Callable[..., SiteKeys], tmp_path: Path
) -> None:
    """schemathesis, with ``positive_data_acceptance`` too, against the live app: every
    thread setting the document allows is taken (a closing message with a control
    character was a 422 for a valid body)."""
    site = make_site(
        settings={"rate_limit": {"per_minute": 1_000_000, "burst": 1_000_000}},
        everything=["submit", "read", "moderate"],
    )
    report = run_schemathesis(
        live_server.url,
        site.tokens["everything"],
        tmp_path,
        "--include-path",
        "/api/v1/threads",
        extra_checks=("positive_data_acceptance",),
    )
    assert "passed" in report, report
