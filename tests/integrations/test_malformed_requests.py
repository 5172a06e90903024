"""Requests an integrator's code gets wrong: each is a clear 4xx in the documented shape,
never a 500 (found in review: lone surrogates and deep nesting were 500s, and a key in the
query or body was ignored, so the comment went anonymously to the default site)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from service.status import State
from service.store import Database
from tests.factories import count_comments, payload, stored
from tests.integrations.conftest import bearer

SURROGATE = '{"thread": "t", "name": "Ada", "email": "ada@example.org", "text": "ab\\ud800cd"}'
DEEP = '{"x": ' + "[" * 5000 + "]" * 5000 + "}"
JSON = {"Content-Type": "application/json"}


def test_a_lone_surrogate_is_a_400_everywhere(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """Half an emoji (\\ud800) in any field of intake, moderation, reports or Perspective."""
    site = make_site(mod=["moderate"], coral=["submit", "moderate"])
    rv = client.post("/api/v1/comments", data=SURROGATE, headers=JSON)
    assert rv.status_code == 400 and rv.get_json()["error"]["code"] == "invalid_body"
    keyed = client.post(
        "/api/v1/comments",
        data=SURROGATE.replace('"t"', '"t\\udfff"'),
        headers={**JSON, **bearer(site.tokens["first"])},
    )
    assert keyed.status_code == 400
    comment = stored(db, state=State.PUBLISHED, site=site.slug).id
    body = '{"action": "approve", "expected_status": "published", "note": "x\\ud83d"}'
    moderated = client.post(
        f"/api/v1/comments/{comment}/moderate",
        data=body,
        headers={**JSON, **bearer(site.tokens["mod"])},
    )
    assert moderated.status_code == 400
    report = client.post(
        f"/api/v1/comments/{comment}/reports",
        data='{"reason": "spam", "note": "\\ud800"}',
        headers={**JSON, "Origin": "https://news.example"},
    )
    assert report.status_code == 400
    analyze = client.post(
        f"/v1alpha1/comments:analyze?key={site.tokens['coral']}",
        data='{"comment": {"text": "hi \\ud800"}, "requestedAttributes": {"TOXICITY": {}}}',
        headers=JSON,
    )
    assert analyze.status_code == 400
    assert analyze.get_json()["error"]["status"] == "INVALID_ARGUMENT"
    assert count_comments(db) == 1


def test_json_nested_thousands_deep_is_a_400(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    site = make_site(mod=["moderate"], coral=["submit", "moderate"])
    rv = client.post("/api/v1/comments", data=DEEP, headers=JSON)
    assert rv.status_code == 400 and rv.get_json()["error"]["code"] == "malformed_json"
    comment = stored(db, state=State.PUBLISHED, site=site.slug).id
    for path in (f"/api/v1/comments/{comment}/moderate", f"/api/v1/comments/{comment}/reports"):
        assert (
            client.post(path, data=DEEP, headers={**JSON, **bearer(site.tokens["mod"])}).status_code
            == 400
        )
    analyze = client.post(
        f"/v1alpha1/comments:analyze?key={site.tokens['coral']}", data=DEEP, headers=JSON
    )
    assert (
        analyze.status_code == 400 and analyze.get_json()["error"]["status"] == "INVALID_ARGUMENT"
    )


def test_a_key_in_the_query_or_the_body_is_a_401_not_an_anonymous_post(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """Akismet's api_key and Perspective's ?key= habits, on our own endpoints."""
    site = make_site()
    key = site.tokens["first"]
    for rv in (
        client.post(f"/api/v1/comments?api_key={key}", json=payload()),
        client.post(f"/api/v1/comments?key={key}", json=payload()),
        client.post("/api/v1/comments", json=payload(api_key=key)),
        client.post("/api/v1/comments", data={**payload(), "api_key": key}),
    ):
        assert rv.status_code == 401, rv.get_json()
        error = rv.get_json()["error"]
        assert error["code"] == "invalid_api_key" and "Authorization: Bearer" in error["message"]
    assert count_comments(db) == 0
    assert client.post("/api/v1/comments", json=payload(), headers=bearer(key)).status_code == 202


def test_the_dashboards_json_actions_refuse_the_same_bodies(
    client: FlaskClient, db: Database
) -> None:
    """A lone surrogate or deep nesting in a dashboard action is a 422, not a 500."""
    from tests.dashboard import logged_in

    token = logged_in(client, db)
    comment = stored(db, state=State.HELD).id
    headers = {**JSON, "X-CSRF-Token": token}
    for body in ('{"action": "approve", "expected": "held", "note": "\\ud800"}', DEEP):
        rv = client.post(f"/moderation/comments/{comment}/act", data=body, headers=headers)
        assert rv.status_code == 422, rv.get_data(as_text=True)[:200]
    with db.session() as session:
        from service.store.tables import Comment

        assert session.get(Comment, comment).state == "held"  # type: ignore[union-attr]


def test_a_keyed_call_that_forwards_a_browsers_origin_is_accepted(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """A backend (or an edge runtime) passing its browser's Origin along with the key is
    the site's server, not a foreign page: 202 (it was 403 origin_not_allowed)."""
    site = make_site()
    rv = client.post(
        "/api/v1/comments",
        json=payload(user_ip="198.51.100.9"),
        headers={**bearer(site.tokens["first"]), "Origin": "https://backend.internal"},
    )
    assert rv.status_code == 202, rv.get_json()
    anonymous = client.post(
        "/api/v1/comments",
        json=payload(site=site.slug),
        headers={"Origin": "https://backend.internal"},
    )
    assert anonymous.status_code == 403
    assert anonymous.get_json()["error"]["code"] == "origin_not_allowed"


def test_json_that_parses_but_nests_hundreds_deep_is_refused_too(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """600 levels parse, and the surrogate check once recursed over them: a 500 on the
    dashboard and on Perspective (found in re-review). A bulk action's queue that is not a
    string is a plain refusal too."""
    from tests.dashboard import logged_in

    site = make_site(coral=["submit", "moderate"])
    token = logged_in(client, db)
    comment = stored(db, state=State.HELD).id
    nested = "[" * 600 + "]" * 600
    body = '{"action": "approve", "expected": "held", "note": ' + nested + "}"
    rv = client.post(
        f"/moderation/comments/{comment}/act", data=body, headers={**JSON, "X-CSRF-Token": token}
    )
    assert rv.status_code in (400, 422), rv.status_code
    analyze = client.post(
        f"/v1alpha1/comments:analyze?key={site.tokens['coral']}",
        data='{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "context": {"x": '
        + nested
        + "}}",
        headers=JSON,
    )
    assert analyze.status_code == 200  # an unread field may nest as it likes
    bulk = client.post(
        "/moderation/bulk",
        json={"action": "approve", "items": [f"{comment}:held"], "queue": []},
        headers={"X-CSRF-Token": token},
    )
    assert bulk.status_code == 200  # an unknown queue is ignored: the items' states stand
