"""Gaps an integrator's review found (session 12): reads default to the key's site; numbers
are ASCII digits; an IPv6 zone id does not change an address's hash; hidden direction
controls are refused where nobody needs them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service import sites as site_ops
from service.security import ip_hash
from service.status import State
from service.store import Database
from service.store.tables import ApiKey, Comment
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
def test_direction_controls_are_refused_in_names_not_in_threads(
    client: FlaskClient, control: str
) -> None:
    """A name with U+202E showed the rest reversed (``moc.elgoog``); names refuse bidi
    embeddings, overrides and isolates. Thread names keep them (one stored with an isolate
    must stay reachable; found in review), as do comment text and the marks."""
    rv = client.post("/api/v1/comments", json=payload(name=f"Ada {control}moc.elgoog"))
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["name"]["code"] == "control_characters"
    assert (
        client.post("/api/v1/comments", json=payload(thread=f"story{control}-1")).status_code == 202
    )
    listed = client.get("/api/v1/comments", query_string={"thread": f"story{control}-1"})
    assert listed.status_code == 200


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


def test_keyed_reads_spend_no_rate_limit_check_the_key_and_may_carry_an_origin(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """A site rendering its threads with its key does not starve its own comment posts
    (reads shared intake's bucket); a bad key is a 401 with or without ``site``; a keyed
    read forwarding its reader's Origin is answered (it was 403 while keyed POSTs were
    accepted); answers vary by Authorization, since a key picks the site."""
    site = make_site(reader=["read"])
    with db.session() as session:
        row = site_ops.by_slug(session, site.slug)
        assert row is not None
        row.settings = {**(row.settings or {}), "rate_limit": {"per_minute": 1, "burst": 2}}
    key = {**bearer(site.tokens["first"]), "Origin": "https://proxy.internal"}
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug, thread="t").id
    for _ in range(5):
        listed = client.get("/api/v1/comments?thread=t", headers=key)
        assert listed.status_code == 200 and listed.get_json()["site"] == site.slug
        counted = client.get("/api/v1/counts?thread=t", headers=key)
        assert counted.status_code == 200
        assert "Authorization" in counted.headers["Vary"]
    with db.session() as session:  # reads alone count as use (keys list said "never used")
        used = session.scalars(
            select(ApiKey.last_used_at).where(ApiKey.prefix == site.tokens["first"].split("_")[1])
        ).one()
    assert used is not None
    shown = client.get(f"/api/v1/comments/{comment_id}", headers=key)
    assert shown.status_code == 200
    posted = client.post("/api/v1/comments", json=payload(user_ip="192.0.2.1"), headers=key)
    assert posted.status_code == 202  # the bucket is untouched by the reads
    bogus = {"Authorization": "Bearer mod_000000000000_nosuchsecret"}
    for url in (
        f"/api/v1/comments?thread=t&site={site.slug}",
        "/api/v1/counts?thread=t&site=default",
    ):
        rv = client.get(url, headers=bogus)
        assert rv.status_code == 401 and rv.get_json()["error"]["code"] == "invalid_api_key"
    foreign = client.get(
        "/api/v1/comments?thread=t&site=default", headers={"Origin": "https://x.example"}
    )
    assert foreign.status_code == 403  # a browser page on a foreign origin still is refused


def test_one_address_has_one_hash_however_it_is_written(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys]
) -> None:
    """``::ffff:203.0.113.7`` (a dual-stack server's spelling) hashes as 203.0.113.7, so an
    IP ban holds; a zone id on IPv4, or an empty one, is invalid."""
    site = make_site()
    ids = []
    for ip in ("203.0.113.7", "::ffff:203.0.113.7", "::FFFF:cb00:7107"):
        rv = client.post(
            "/api/v1/comments", json=payload(user_ip=ip), headers=bearer(site.tokens["first"])
        )
        assert rv.status_code == 202, rv.get_json()
        ids.append(rv.get_json()["id"])
    with db.session() as session:
        hashes = {session.get(Comment, i).ip_hash for i in ids}  # type: ignore[union-attr]
    assert hashes == {ip_hash(SECRET, "203.0.113.7")}
    for bad in ("203.0.113.7%eth0", "fe80::1%", "1.2.3.4%%"):
        rv = client.post(
            "/api/v1/comments", json=payload(user_ip=bad), headers=bearer(site.tokens["first"])
        )
        assert rv.get_json()["error"]["fields"]["user_ip"]["code"] == "invalid_ip", bad


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\u202e"])
def test_control_characters_in_integrators_free_text_are_refused(
    client: FlaskClient, db: Database, make_site: Callable[..., SiteKeys], bad: str
) -> None:
    """A NUL in a moderation note, an Akismet comment or a Perspective text was a 500 on
    PostgreSQL (and went out in a webhook on SQLite): each is a clear refusal in its API's
    own shape. Direction controls are refused in notes, kept in scored text."""
    site = make_site(mod=["submit", "moderate"])
    token = site.tokens["mod"]
    comment_id = stored(db, state=State.PUBLISHED, site=site.slug).id
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": "reject", "expected_status": "published", "note": f"see {bad}here"},
        headers=bearer(token),
    )
    assert rv.status_code == 422
    assert rv.get_json()["error"]["fields"]["note"]["code"] == "control_characters"
    if bad == "\u202e":
        return
    form = {"api_key": token, "blog": "https://news.example", "user_ip": "192.0.2.1",
            "comment_content": f"Hello {bad} world"}  # fmt: skip
    for path in ("/1.1/comment-check", "/1.1/submit-spam"):
        rv = client.post(path, data=form)
        assert rv.status_code == 200 and rv.get_data(as_text=True) == "invalid"
        assert "control characters" in rv.headers["X-akismet-debug-help"]
    rv = client.post(
        f"/v1alpha1/comments:analyze?key={token}",
        json={"comment": {"text": f"Hello {bad} world"}, "requestedAttributes": {"SPAM": {}}},
    )
    assert rv.status_code == 400 and rv.get_json()["error"]["status"] == "INVALID_ARGUMENT"


def test_akismet_verify_key_needs_the_scope_comment_check_needs(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """A read-only key passed verify-key and then failed every comment-check."""
    site = make_site(reader=["read"])
    blog = {"blog": "https://news.example"}
    assert (
        client.post("/1.1/verify-key", data={**blog, "key": site.tokens["reader"]}).text
        == "invalid"
    )
    assert (
        client.post("/1.1/verify-key", data={**blog, "key": site.tokens["first"]}).text == "valid"
    )


def test_an_author_url_with_a_quote_or_an_angle_bracket_is_a_field_error(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """url holding ", < or > is 422 with the field error invalid_url; its
    percent-encoded form is accepted; the document's pattern refuses and accepts the same."""
    key = bearer(make_site().tokens["first"])
    doc = client.get("/openapi.json").get_json()
    pattern = doc["components"]["schemas"]["CommentInput"]["properties"]["url"]["pattern"]
    for bad in (
        'https://ada.example/"onmouseover="x',
        "https://ada.example/<b>",
        "https://a>b.example",
    ):
        rv = client.post("/api/v1/comments", json=payload(url=bad), headers=key)
        assert rv.status_code == 422, bad
        assert set(rv.get_json()["error"]["fields"]) == {"url"}
        assert rv.get_json()["error"]["fields"]["url"]["code"] == "invalid_url"
        assert not re.search(pattern, bad)
    good = "https://ada.example/%22quoted%22%3Cb%3E"
    assert client.post("/api/v1/comments", json=payload(url=good), headers=key).status_code == 202
    assert re.search(pattern, good)
