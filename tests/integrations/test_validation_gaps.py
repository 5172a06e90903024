"""Gaps an integrator's review found (session 12): reads default to the key's site; numbers
are ASCII digits; an IPv6 zone id does not change an address's hash; hidden direction
controls are refused where nobody needs them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from service import sites as site_ops
from service.security import ip_hash
from service.status import State
from service.store import Database
from service.store.tables import Comment
from service.validation import whole_number
from tests.conftest import SECRET
from tests.factories import payload, stored
from tests.integrations.conftest import SiteKeys, bearer


def test_a_keyed_read_without_a_site_reads_the_keys_site(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """GET /comments and /counts with a key and no ``site`` read the key's site (they read
    ``default`` and found nothing); ``?site=`` still wins, and a revoked key is a 401."""
    site = make_site()
    stored(db, state=State.PUBLISHED, site=site.slug, thread="story-1", text="On the key's site.")
    stored(db, state=State.PUBLISHED, thread="story-1", text="On the default site.")
    key = bearer(site.tokens["first"])

    own = client.get("/api/v1/comments?thread=story-1", headers=key)
    assert own.status_code == 200
    assert own.get_json()["site"] == site.slug
    assert [c["text"] for c in own.get_json()["items"]] == ["On the key's site."]
    counts = client.get("/api/v1/counts?thread=story-1", headers=key).get_json()
    assert counts == {"site": site.slug, "counts": {"story-1": 1}}

    named = client.get("/api/v1/comments?thread=story-1&site=default", headers=key).get_json()
    assert [c["text"] for c in named["items"]] == ["On the default site."]
    anonymous = client.get("/api/v1/comments?thread=story-1").get_json()
    assert anonymous["site"] == "default"

    with db.session() as session:
        row = site_ops.by_slug(session, site.slug)
        assert row is not None
        for key_row in site_ops.keys_of(session, row):
            site_ops.revoke_key(session, row, key_row.prefix)
    revoked = client.get("/api/v1/comments?thread=story-1", headers=key)
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize("limit", ["٣", "²", "3.0", "-1", "9" * 5000, ""])
def test_limit_takes_ascii_digits_only(client: FlaskClient, limit: str) -> None:
    """``limit=٣`` was read as 3 and ``limit=²`` was a 500; both are now 422 invalid_limit."""
    rv = client.get("/api/v1/comments", query_string={"thread": "t", "limit": limit})
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["limit"]["code"] == "invalid_limit"


def test_whole_number_reads_ascii_digits_only() -> None:
    """The one parser of whole numbers in query strings and forms."""
    assert whole_number("042") == 42
    assert [whole_number(v) for v in ("٣", "²", "", " 1", "1e3", "9" * 19, None, 7)] == [None] * 8


def test_a_zone_id_in_user_ip_is_dropped(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """``fe80::1%eth0`` and ``fe80::1%x`` are one address: one hash, so a ban holds."""
    site = make_site()
    ids = []
    for ip in ("fe80::1%eth0", "fe80::1%anything-else", "fe80::1"):
        rv = client.post(
            "/api/v1/comments",
            json=payload(user_ip=ip, text=f"Posted from {len(ids)}."),
            headers=bearer(site.tokens["first"]),
        )
        assert rv.status_code == 202, rv.get_json()
        ids.append(rv.get_json()["id"])
    with db.session() as session:
        hashes = {session.get(Comment, i).ip_hash for i in ids}  # type: ignore[union-attr]
    assert hashes == {ip_hash(SECRET, "fe80::1")}


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_direction_controls_are_refused_in_names_and_threads(
    client: FlaskClient, control: str
) -> None:
    """A name with U+202E showed the rest reversed (``moc.elgoog``); names and thread names
    refuse bidi embeddings, overrides and isolates. Comment text and the marks keep them."""
    rv = client.post("/api/v1/comments", json=payload(name=f"Ada {control}moc.elgoog"))
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["name"]["code"] == "control_characters"
    rv = client.post("/api/v1/comments", json=payload(thread=f"story{control}-1"))
    assert rv.get_json()["error"]["fields"]["thread"]["code"] == "control_characters"
    listed = client.get("/api/v1/comments", query_string={"thread": f"story{control}"})
    assert listed.get_json()["error"]["fields"]["thread"]["code"] == "control_characters"


def test_text_and_direction_marks_keep_their_controls(client: FlaskClient) -> None:
    """Right-to-left writers' isolates in text and the LRM/RLM marks in names are accepted."""
    rv = client.post(
        "/api/v1/comments",
        json=payload(name="\u200fسارة", text="قرأت \u2067المقال\u2069 كاملاً، شكراً."),
    )
    assert rv.status_code == 202


def test_report_notes_and_closing_messages_refuse_direction_controls(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """Moderators read report notes and readers read closing messages: both refuse U+202E."""
    site = make_site(mod=["moderate"])
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug).id
    rv = client.post(
        f"/api/v1/comments/{comment_id}/reports",
        json={"reason": "other", "note": "see \u202eknil siht"},
        headers=bearer(site.tokens["first"]),
    )
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["note"]["code"] == "control_characters"
    rv = client.put(
        f"/api/v1/threads?site={site.slug}&thread=story-1",
        json={"closed": True, "message": "Closed \u202edesolc"},
        headers=bearer(site.tokens["mod"]),
    )
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["message"]["code"] == "control_characters"
