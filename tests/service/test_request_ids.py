"""Request ids: a caller's safe ``X-Request-Id`` is kept, anything else replaced by a new
one, and every answer carries it, errors and CORS answers included (readable by pages)."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import request_ids
from tests.factories import payload

GENERATED = re.compile(r"^[0-9a-f]{32}$")
ALLOWED = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    "sent",
    [
        "0f8c2b7e-6a1d-4c3e-9b2a-5d7e8f9a0b1c",  # a UUID, as most proxies send
        "Root=1-67891233-abcdef012345678912345678",  # an AWS trace id
        "req.2026:11/27+x=y@edge_1",  # every allowed punctuation mark
        "a" * 128,  # the longest kept
    ],
)
def test_a_safe_request_id_is_echoed(client: FlaskClient, sent: str) -> None:
    """A safe id (1 to 128 characters of letters, digits and ``._:+/=@-``) comes back as sent."""
    rv = client.get("/healthz", headers={"X-Request-Id": sent})
    assert rv.headers["X-Request-Id"] == sent


def test_without_a_request_id_each_answer_gets_a_new_one(client: FlaskClient) -> None:
    """No header: a fresh id (32 hex digits) on each answer."""
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert GENERATED.match(first) and GENERATED.match(second)
    assert first != second


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "a" * 129,  # too long
        "two words",
        "id-1, id-2",  # two headers folded into one
        'x" injected="1',
        "line\tbreak",
        "café",
        "<script>",
    ],
)
def test_an_unsafe_request_id_is_replaced(client: FlaskClient, sent: str) -> None:
    """A value that could break or forge a log line is never repeated: a new id instead."""
    rv = client.get("/healthz", headers={"X-Request-Id": sent})
    assert GENERATED.match(rv.headers["X-Request-Id"]), rv.headers["X-Request-Id"]
    assert request_ids.sanitise(sent) is None


def test_errors_and_redirects_carry_the_id(client: FlaskClient) -> None:
    """404, 405, 422 (the JSON error shape), a redirect (to the dashboard's login) and a
    static file all carry it."""
    sent = {"X-Request-Id": "trace-42"}
    answers = [
        client.get("/api/v1/nothing-here", headers=sent),
        client.put("/api/v1/comments", headers=sent),
        client.post("/api/v1/comments", json={"thread": "t"}, headers=sent),
        client.get("/moderation/queue/held", headers={**sent, "Accept": "text/html"}),
    ]
    with client.get("/moderation/static/favicon.svg", headers=sent) as icon:
        answers.append(icon)
    assert [rv.status_code for rv in answers] == [404, 405, 422, 302, 200]
    assert [rv.headers.get("X-Request-Id") for rv in answers] == ["trace-42"] * 5


def test_an_unexpected_error_carries_the_id_in_its_answer_and_its_log_line(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """A 500 from an unhandled exception carries the id, and its logged line names it."""

    def boom() -> str:
        raise RuntimeError("kaboom")

    app.add_url_rule("/boom", view_func=boom)
    caplog.handler.addFilter(request_ids.LogFilter())
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        rv = app.test_client().get("/boom", headers={"X-Request-Id": "trace-500"})
    assert rv.status_code == 500
    assert rv.headers["X-Request-Id"] == "trace-500"
    [record] = [r for r in caplog.records if r.name == "service.errors"]
    assert record.request_id == "trace-500"  # type: ignore[attr-defined]
    assert (
        logging.Formatter(request_ids.LOG_FORMAT)
        .format(record)
        .split("\n")[0]
        .endswith("unhandled error on GET /boom request_id=trace-500")
    )


def test_a_page_on_an_allowed_origin_may_read_the_id(client: FlaskClient) -> None:
    """CORS answers expose X-Request-Id: a 202, a 422, and even the 403 refusing an origin."""
    accepted = client.post("/api/v1/comments", json=payload(), headers={"Origin": ALLOWED})
    invalid = client.post("/api/v1/comments", json={"thread": "t"}, headers={"Origin": ALLOWED})
    refused = client.post(
        "/api/v1/comments", json=payload(), headers={"Origin": "https://evil.example"}
    )
    assert [accepted.status_code, invalid.status_code, refused.status_code] == [202, 422, 403]
    for rv in (accepted, invalid, refused):
        exposed = {h.strip() for h in rv.headers["Access-Control-Expose-Headers"].split(",")}
        assert "X-Request-Id" in exposed
        assert GENERATED.match(rv.headers["X-Request-Id"])
    assert refused.headers["Access-Control-Expose-Headers"] == "X-Request-Id"  # nothing more


def test_a_job_queued_by_a_request_carries_its_id(app: Flask, client: FlaskClient) -> None:
    """The classification queued by a post holds the request's id in its meta (real Redis)."""
    from rq import Queue

    rv = client.post("/api/v1/comments", json=payload(), headers={"X-Request-Id": "trace-job"})
    assert rv.status_code == 202
    queue = Queue(app.config["QUEUE_NAME"], connection=app.extensions["moderato.redis"])
    job = queue.fetch_job(f"classify-{rv.get_json()['id']}")
    assert job is not None and job.meta == {"request_id": "trace-job"}
