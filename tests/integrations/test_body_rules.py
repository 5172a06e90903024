"""One rule for request bodies across the JSON API: what a wrong Content-Type gets, and
what unknown fields get (docs/integrations.md, "Request bodies")."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.status import State
from service.store import Database
from service.store.tables import Report
from tests.factories import payload, stored
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


def test_a_keyed_request_with_an_unknown_field_is_a_422_naming_it(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """With a key (a program), every endpoint that takes a body answers an unknown field
    with ``422 validation_failed``, the field named (``unknown_field``) beside the other
    field errors, and nothing changes: intake, reports, an edit, ``/moderate`` and the
    thread settings alike. Review finding: intake and PATCH dropped a misspelt field
    without a word (``notify_reply`` lost the reader's opt-in) while PUT answered 422."""
    site = make_site(mod=["moderate"])
    key, mod = bearer(site.tokens["first"]), bearer(site.tokens["mod"])
    posted = client.post(
        "/api/v1/comments",
        json={**payload(site=site.slug, user_ip="198.51.100.7"), "notify_reply": True},
        headers=key,
    )
    assert posted.status_code == 422
    assert posted.get_json()["error"]["fields"] == {
        "notify_reply": {
            "code": "unknown_field",
            "message": "This request takes no such field (check its name).",
        }
    }
    both = client.post(
        "/api/v1/comments",
        data={"thread": "t", "name": "Ada", "text": "Hello", "colour": "red"},
        headers=key,
    ).get_json()["error"]["fields"]
    assert {name: err["code"] for name, err in both.items()} == {
        "colour": "unknown_field",
        "email": "required",
    }
    comment = stored(db, state=State.PUBLISHED, site=site.slug)
    calls = [
        client.post(
            f"/api/v1/comments/{comment.id}/reports",
            json={"reason": "spam", "user_ip": "198.51.100.7", "user_agnet": "x"},
            headers=key,
        ),
        client.patch(f"/api/v1/comments/{comment.id}", json={"txt": "Fixed."}, headers=key),
        client.post(
            f"/api/v1/comments/{comment.id}/moderate",
            json={"action": "spam", "expected_state": "published"},
            headers=mod,
        ),
        client.put(
            f"/api/v1/threads?site={site.slug}&thread=t", json={"colour": "red"}, headers=mod
        ),
    ]
    fields = [rv.get_json()["error"]["fields"] for rv in calls]
    assert [rv.status_code for rv in calls] == [422] * 4
    assert fields[0]["user_agnet"]["code"] == "unknown_field"
    assert {name: err["code"] for name, err in fields[1].items()} == {
        "txt": "unknown_field",
        "text": "required",
    }
    assert {name: err["code"] for name, err in fields[2].items()} == {
        "expected_state": "unknown_field",
        "expected_status": "required",
    }
    assert fields[3]["colour"]["code"] == "unknown_field"
    with db.session() as session:
        assert session.get(type(comment), comment.id).state == State.PUBLISHED.value
        assert session.scalar(select(func.count()).select_from(Report)) == 0


def test_a_browsers_post_keeps_its_extra_fields_ignored(client: FlaskClient, db: Database) -> None:
    """Without a key (a browser: the widget's form token and honeypot, a publisher's own
    form's extras, a no-JS form's ``return_to``) unknown fields are ignored, as before:
    the comment, the report and the edit go through."""
    extra = {"utm_source": "newsletter", "return_to": "http://localhost/a"}
    posted = client.post("/api/v1/comments", json={**payload(), **extra})
    assert posted.status_code == 202
    body = posted.get_json()
    edited = client.patch(
        f"/api/v1/comments/{body['id']}",
        json={"text": "Edited, with a typo fixed.", **extra},
        headers={"Moderato-Edit-Token": body["edit_token"]},
    )
    assert edited.status_code == 202
    published = stored(db, state=State.PUBLISHED)
    reported = client.post(
        f"/api/v1/comments/{published.id}/reports", data={"reason": "spam", **extra}
    )
    assert reported.status_code == 202
