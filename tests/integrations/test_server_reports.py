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
    one server make two reports, the same reader twice one. Without a user_ip each keyed
    report counts. A key of another site gets 404. Review finding: every report from a
    server counted as one reader."""
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
    assert len(_rows(db)) == 4
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
