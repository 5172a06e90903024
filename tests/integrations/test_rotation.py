"""Rotating a webhook secret again within the overlap: every secret still in its overlap
keeps signing (Standard Webhooks allows several ``v1,`` signatures)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from standardwebhooks import Webhook

from service import sites as site_ops
from service.clock import utcnow
from service.integrations.signing import headers
from service.integrations.webhooks import (
    MAX_SIGNING,
    TooManySecrets,
    create_endpoint,
    rotate_secret,
    signing_secrets,
)
from service.store import Database
from service.store.tables import WebhookEndpoint
from tests.dashboard import logged_in

DAY = 86400.0
HTML_ACCEPT = {"Accept": "text/html"}
BODY = json.dumps({"type": "comment.published", "timestamp": "t", "data": {}})


def _endpoint(db: Database) -> tuple[int, str]:
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        new = create_endpoint(
            session, site, "http://127.0.0.1:9/hook", ["comment.published"], allow_private=True
        )
        return new.endpoint.id, new.secret


def _rotate(db: Database, endpoint_id: int, overlap: float = DAY) -> str:
    with db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        return rotate_secret(session, endpoint, overlap)


def _signing(db: Database, endpoint_id: int, at: Any) -> list[str]:
    with db.session() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        return signing_secrets(endpoint, at)


def test_a_second_rotation_keeps_the_first_secret_signing_until_its_overlap_ends(
    db: Database,
) -> None:
    """Rotate, then rotate again an hour later: the first secret, the second and the new
    one all sign, and the official library verifies the delivery with each; the first stops
    a day after the first rotation, the second a day after the second."""
    endpoint_id, first = _endpoint(db)
    second = _rotate(db, endpoint_id)
    with db.session() as session:  # the second rotation comes an hour later
        row = session.get(WebhookEndpoint, endpoint_id)
        assert row is not None and row.previous_secret_expires_at is not None
        row.previous_secret_expires_at -= timedelta(hours=1)
    third = _rotate(db, endpoint_id)
    now = utcnow()
    assert _signing(db, endpoint_id, now) == [third, second, first]
    sent = headers(_signing(db, endpoint_id, now), "msg_1", int(now.timestamp()), BODY)
    assert len(sent["webhook-signature"].split(" ")) == 3
    for secret in (first, second, third):
        assert Webhook(secret).verify(BODY, sent) == json.loads(BODY)
    assert _signing(db, endpoint_id, now + timedelta(hours=23, minutes=30)) == [third, second]
    assert _signing(db, endpoint_id, now + timedelta(hours=24, minutes=1)) == [third]


def test_rotations_stop_when_too_many_secrets_would_sign(db: Database) -> None:
    """At most MAX_SIGNING secrets sign at once: one more rotation within the overlaps is
    refused with when to try again, and changes nothing."""
    endpoint_id, _ = _endpoint(db)
    for _ in range(MAX_SIGNING - 1):
        _rotate(db, endpoint_id)
    before = _signing(db, endpoint_id, utcnow())
    assert len(before) == MAX_SIGNING
    with pytest.raises(TooManySecrets, match="Try again after"):
        _rotate(db, endpoint_id)
    assert _signing(db, endpoint_id, utcnow()) == before


def test_the_cli_says_which_earlier_secrets_still_sign(moderato: Any, db: Database) -> None:
    """A second `webhooks rotate` says an earlier secret signs too, and until when; past
    the limit it exits non-zero saying why."""
    endpoint_id, _ = _endpoint(db)
    first = moderato("webhooks", "rotate", str(endpoint_id))
    assert first.exit_code == 0 and "earlier secret" not in first.output
    second = moderato("webhooks", "rotate", str(endpoint_id))
    assert second.exit_code == 0
    assert second.output.count("an earlier secret signs too until") == 1
    for _ in range(MAX_SIGNING - 3):
        assert moderato("webhooks", "rotate", str(endpoint_id)).exit_code == 0
    refused = moderato("webhooks", "rotate", str(endpoint_id))
    assert refused.exit_code != 0 and "not rotated" in refused.output


def test_the_admin_page_refuses_one_rotation_too_many_with_a_message(
    client: FlaskClient, db: Database
) -> None:
    """The admin page's Rotate shows the new secret and says how many earlier ones sign
    too, in words ("1 earlier secret signs", "2 earlier secrets sign"; it read "1 earlier
    secret(s) sign"); past the limit it changes nothing and says why, with when to try
    again."""
    endpoint_id, _ = _endpoint(db)
    token = logged_in(client, db)
    url = f"/moderation/integrations/endpoints/{endpoint_id}/rotate"
    page = HTML_ACCEPT
    client.post(url, data={"csrf_token": token}, headers=page)
    second = client.post(url, data={"csrf_token": token}, headers=page)
    assert second.status_code == 200
    assert "1 earlier secret signs too until its own overlap ends." in second.get_data(as_text=True)
    third = client.post(url, data={"csrf_token": token}, headers=page)
    assert "2 earlier secrets sign too until their own overlap ends." in third.get_data(
        as_text=True
    )
    for _ in range(MAX_SIGNING - 4):
        client.post(url, data={"csrf_token": token}, headers=page)
    before = _signing(db, endpoint_id, utcnow())
    refused = client.post(url, data={"csrf_token": token}, headers=page, follow_redirects=True)
    assert "Not rotated" in refused.get_data(as_text=True)
    assert "Try again after" in refused.get_data(as_text=True)
    assert _signing(db, endpoint_id, utcnow()) == before
