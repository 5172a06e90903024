"""The document is no looser than the server about ``thread`` and a feed's ``site``."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integrations.conftest import bearer

THREAD_OPERATIONS = [
    ("/api/v1/comments", "get"),
    ("/api/v1/counts", "get"),
    ("/api/v1/threads", "get"),
    ("/api/v1/threads", "put"),
    ("/api/v1/queue", "get"),
    ("/feed/thread.atom", "get"),
]
BLANK_OR_CONTROLS = ["", "   ", "\t", "a\x00b", "line\nbreak"]


def _param(doc: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    found = [p for p in doc["paths"][path][method]["parameters"] if p.get("name") == name]
    assert len(found) == 1, (path, method, name)
    schema = found[0]["schema"]
    return dict(schema["items"] if schema.get("type") == "array" else schema)


@pytest.mark.parametrize(("path", "method"), THREAD_OPERATIONS)
def test_thread_parameters_are_not_blank_and_have_no_control_characters(
    client: FlaskClient, path: str, method: str
) -> None:
    """Each thread parameter has minLength 1 and a pattern that refuses a blank or
    control-character thread, and accepts a slug or a URL."""
    schema = _param(client.get("/openapi.json").get_json(), path, method, "thread")
    assert schema["minLength"] == 1
    pattern = re.compile(schema["pattern"])
    for bad in BLANK_OR_CONTROLS:
        assert not pattern.search(bad), repr(bad)
    for good in ("article-1", " padded ", "https://news.example/2026/budget?x=1"):
        assert pattern.search(good), good


def test_what_the_pattern_refuses_the_server_refuses(client: FlaskClient, make_site: Any) -> None:
    """Every thread the pattern refuses is a 422 on each operation (so the document is not
    stricter than the server's answer to it is documented)."""
    key = bearer(make_site(mod=["moderate"]).tokens["mod"])
    for bad in BLANK_OR_CONTROLS:
        for path, method in THREAD_OPERATIONS:
            rv = client.open(
                path, method=method.upper(), query_string={"thread": bad}, headers=key, json={}
            )
            assert rv.status_code == 422, (path, method, repr(bad), rv.status_code)


def test_the_site_feeds_site_has_the_slug_pattern(client: FlaskClient) -> None:
    """/feed/site.atom's site has the slug pattern used for site slugs elsewhere (intake's
    site), and the server refuses what it refuses with 422."""
    doc = client.get("/openapi.json").get_json()
    schema = _param(doc, "/feed/site.atom", "get", "site")
    intake = doc["components"]["schemas"]["CommentInput"]["properties"]["site"]
    assert schema["pattern"] == intake["pattern"]
    for bad in ("Not A Slug", "-x", "a/b"):
        assert not re.search(schema["pattern"], bad)
        assert client.get("/feed/site.atom", query_string={"site": bad}).status_code == 422
