"""Readers' reports sent by a site's server with its key: each reader counts once."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service.status import State
from service.store import Database
from service.store.tables import Report
from tests.factories import stored


def _rows(db: Database) -> list[Report]:
    with db.session() as session:
        return list(session.scalars(select(Report).order_by(Report.id)))


def test_a_sites_server_relays_each_readers_report(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """With a key, the reader is the body's user_ip (as for comments): two readers behind
    one server make two reports, the same reader twice one. Without a user_ip (or a
    ``reporter``) the server is the reader: its retries count once (see below). A key of
    another site gets 404. Review finding: every report from a server counted as one
    reader."""
    from service import sites as site_ops
    from tests.integrations.conftest import bearer

    site = make_site(mod=["moderate"])
    with db.session() as session:
        site_row = site_ops.by_slug(session, site.slug)
        assert site_row is not None
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug).id
    key = bearer(site.tokens["first"])
    for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        rv = client.post(
            f"/api/v1/comments/{comment_id}/reports",
            json={"reason": "spam", "user_ip": ip},
            headers=key,
        )
        assert rv.status_code == 202
    for _ in range(2):
        body = {"reason": "other"}
        assert (
            client.post(
                f"/api/v1/comments/{comment_id}/reports", json=body, headers=key
            ).status_code
            == 202
        )
    assert len(_rows(db)) == 3
    bad = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "spam", "user_ip": "not an ip"},
        headers=key,
    )
    assert bad.get_json()["error"]["fields"]["user_ip"]["code"] == "invalid_ip"
    other = make_site("Other Paper")
    foreign = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "spam"},
        headers=bearer(other.tokens["first"]),
    )
    assert foreign.status_code == 404


def test_a_read_key_sees_how_many_reports_wait(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """The status of a comment, for its site's read key, says how many readers' reports no
    moderator has answered; the public view does not."""
    from tests.integrations.conftest import bearer

    site = make_site(reader=["read"])
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug).id
    reporter = bearer(site.tokens["first"])
    for ip in ("198.51.100.1", "198.51.100.2"):
        body = {"reason": "abusive", "user_ip": ip}
        client.post(f"/api/v1/comments/{comment_id}/reports", json=body, headers=reporter)
    own = client.get(f"/api/v1/comments/{comment_id}", headers=bearer(site.tokens["reader"]))
    assert own.get_json()["open_reports"] == 2
    assert "open_reports" not in client.get(f"/api/v1/comments/{comment_id}").get_json()


def test_a_keyed_report_retried_without_a_reader_counts_once(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """A site's server that retries or duplicates a report inflates nothing: without
    ``reporter`` or ``user_ip`` the server is one reader (a second key of the site too);
    ``reporter`` (the reader's id in the site's own system) names each reader, before
    ``user_ip`` (two accounts behind one address are two readers); a malformed one is a
    field error. One ``comment.reported`` webhook per new report. Review finding: each
    retry without ``user_ip`` added an open report."""
    from service import reports
    from tests.integrations.conftest import bearer

    site = make_site(other=["submit"])
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug).id
    url = f"/api/v1/comments/{comment_id}/reports"
    keys = [bearer(site.tokens["first"]), bearer(site.tokens["other"])]
    for headers in keys * 2:
        assert client.post(url, json={"reason": "spam"}, headers=headers).status_code == 202
    same_ip = {"reason": "abusive", "user_ip": "198.51.100.9"}
    for reporter in ("account-17", "account-17", "account-18"):
        body = {**same_ip, "reporter": reporter}
        assert client.post(url, json=body, headers=keys[0]).status_code == 202
    with db.session() as session:
        assert reports.open_count(session, comment_id) == 3
    bad = client.post(url, json={"reason": "spam", "reporter": 17}, headers=keys[0])
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"]["reporter"]["code"] == "invalid_type"
    long = client.post(url, json={"reason": "spam", "reporter": "x" * 256}, headers=keys[0])
    assert long.get_json()["error"]["fields"]["reporter"]["code"] == "too_long"


def test_a_reporter_is_trimmed_and_never_an_email_address(
    client: FlaskClient, db: Database, make_site: Any
) -> None:
    """``reporter`` is an id of the site's own system: `` u-42 `` and ``u-42`` are one
    reader (they counted twice), and an e-mail address is a 422 ``email_not_allowed``
    naming the field (it was kept, hashed; the docs say "not an e-mail address")."""
    from tests.integrations.conftest import bearer

    site = make_site()
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug).id
    url, key = f"/api/v1/comments/{comment_id}/reports", bearer(site.tokens["first"])
    for reporter in ("u-42", " u-42 "):
        rv = client.post(url, json={"reason": "spam", "reporter": reporter}, headers=key)
        assert rv.status_code == 202
    assert len(_rows(db)) == 1
    for address in ("ada@example.org", " Ada@Example.ORG "):
        rv = client.post(url, json={"reason": "spam", "reporter": address}, headers=key)
        assert rv.status_code == 422
        assert rv.get_json()["error"]["fields"]["reporter"]["code"] == "email_not_allowed"
    assert len(_rows(db)) == 1
