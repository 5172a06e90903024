"""Answers that count against a rate limit say where the caller stands: the IETF draft's
``RateLimit-Policy`` and ``RateLimit`` fields, on successes, errors and 429s alike."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.factories import payload
from tests.integrations.conftest import SiteKeys, bearer

FIELD = re.compile(r'^"key";r=(\d+);t=(\d+)$')


def _left(rv: object) -> tuple[int, int]:
    match = FIELD.match(rv.headers["RateLimit"])  # type: ignore[attr-defined]
    assert match, rv.headers  # type: ignore[attr-defined]
    return int(match[1]), int(match[2])


def test_a_keys_answers_carry_its_rate_limit(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A key's bucket of 3 refilled at 60 a minute: each counted answer (202, 404, 429)
    says the policy (q=3 requests, full again in w=3 s) and what is left (r, t); the 429
    has Retry-After beside them. Reads spend nothing and say nothing. Review finding:
    only the 429 said anything (Retry-After), so a client learned its limit by hitting it."""
    site = make_site(settings={"rate_limit": {"per_minute": 60, "burst": 3}}, mod=["moderate"])
    key = bearer(site.tokens["first"])
    answers = [client.post("/api/v1/comments", json=payload(), headers=key) for _ in range(3)]
    assert [rv.status_code for rv in answers] == [202, 202, 202]
    assert {rv.headers["RateLimit-Policy"] for rv in answers} == {'"key";q=3;w=3'}
    left = [_left(rv) for rv in answers]
    assert [r for r, _ in left] == [2, 1, 0]
    assert all(1 <= t <= 3 for _, t in left) and left[0][1] <= left[2][1]
    limited = client.post("/api/v1/comments", json=payload(), headers=key)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert _left(limited)[0] == 0 and limited.headers["RateLimit-Policy"] == '"key";q=3;w=3'

    mod = bearer(site.tokens["mod"])  # another key: a bucket of its own
    missing = client.post(
        "/api/v1/comments/AAAAAAAAAAAAAAAAAAAAAAAAAA/moderate",
        json={"action": "approve", "expected_status": "held"},
        headers=mod,
    )
    assert missing.status_code == 404 and _left(missing)[0] == 2
    read = client.get("/api/v1/comments?thread=article-1", headers=key)
    assert read.status_code == 200
    assert "RateLimit" not in read.headers and "RateLimit-Policy" not in read.headers


def test_a_browser_reads_its_rate_limit_through_cors(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A page on the site's origin may read the fields (``Access-Control-Expose-Headers``),
    with a key or without one (the per-client bucket, policy ``client``)."""
    site = make_site()
    origin = {"Origin": "https://news.example"}
    keyed = client.post(
        "/api/v1/comments", json=payload(), headers={**origin, **bearer(site.tokens["first"])}
    )
    anonymous = client.post("/api/v1/comments", json=payload(site=site.slug), headers=origin)
    for rv in (keyed, anonymous):
        assert rv.status_code == 202
        exposed = {h.strip() for h in rv.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"RateLimit", "RateLimit-Policy", "Retry-After"} <= exposed
    assert anonymous.headers["RateLimit-Policy"] == '"client";q=10000;w=6'
    assert anonymous.headers["RateLimit"].startswith('"client";r=')


def test_an_uneven_rate_counts_every_request_left(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """7 a minute (an interval of 8.57 s) with a burst of 10: the first answer leaves 9, not
    8 (the milliseconds are not rounded against the caller); the window is 86 s."""
    site = make_site(settings={"rate_limit": {"per_minute": 7, "burst": 10}})
    rv = client.post("/api/v1/comments", json=payload(), headers=bearer(site.tokens["first"]))
    assert rv.headers["RateLimit-Policy"] == '"key";q=10;w=86'
    assert _left(rv) == (9, 9)
