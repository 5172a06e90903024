"""Who gets the ``privacy`` scope: never by default (a new site's first key, ``keys
create`` without ``--scope``, the admin page's unticked box); a scope unknown here is
ignored, never an error for the key's other scopes."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service.store import Database
from tests.integrations.conftest import bearer
from tests.integrations.test_privacy_api import ADA, EXPORT


def test_privacy_is_given_only_when_asked_for(moderato: Any, db: Database) -> None:
    """``keys create`` without ``--scope`` and a new site's first key get submit, read and
    moderate; ``--scope privacy`` gives the scope; an unknown scope is refused."""
    made = json.loads(
        moderato(
            "sites", "create", "--name", "Daily", "--origin", "https://d.example", "--json"
        ).output
    )
    plain = json.loads(moderato("keys", "create", "--site", made["slug"], "--json").output)
    assert plain["scopes"] == ["submit", "read", "moderate"]
    asked = json.loads(
        moderato("keys", "create", "--site", made["slug"], "--scope", "privacy", "--json").output
    )
    assert asked["scopes"] == ["privacy"]
    with db.session() as session:
        from service.store.tables import ApiKey

        first = session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
        assert [k.scopes for k in first if k.name == "first key"][-1] == [
            "submit",
            "read",
            "moderate",
        ]
    unknown = moderato("keys", "create", "--site", made["slug"], "--scope", "gdpr")
    assert unknown.exit_code != 0 and "gdpr" in unknown.output


def test_the_admin_page_offers_privacy_unticked_and_its_key_works(
    client: FlaskClient, db: Database
) -> None:
    """The site page lists the ``privacy`` scope, unticked and explained; a key made with it
    there exports through the API, and one made without it is refused."""
    from tests.dashboard import logged_in
    from tests.integrations.test_admin import _default_site_id, _shown_secret

    token = logged_in(client, db)
    site_id = _default_site_id(db)
    page = client.get(f"/moderation/integrations/sites/{site_id}").get_data(as_text=True)
    box = re.search(r'<input type="checkbox" name="scopes" value="privacy"[^>]*>', page)
    assert box and "checked" not in box.group(0)
    assert "erasure cannot be undone" in page
    made = {}
    for name, scopes in (("dpo", ["privacy"]), ("cms", ["submit", "read", "moderate"])):
        rv = client.post(
            f"/moderation/integrations/sites/{site_id}/keys",
            data={"name": name, "scopes": scopes, "csrf_token": token},
            headers={"Accept": "text/html"},
        )
        made[name] = _shown_secret(rv.get_data(as_text=True))
    assert client.post(EXPORT, json={"email": ADA}, headers=bearer(made["dpo"])).status_code == 200
    assert client.post(EXPORT, json={"email": ADA}, headers=bearer(made["cms"])).status_code == 403


def test_a_stored_scope_this_version_does_not_know_is_ignored(
    client: FlaskClient, db: Database
) -> None:
    """A key whose stored scopes include one unknown here (written by a newer version) keeps
    working for the scopes it has, and gets nothing from the unknown one."""
    from service import sites as site_ops
    from service.security import new_api_key
    from service.store.tables import ApiKey
    from tests.factories import payload

    key = new_api_key()
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        session.add(ApiKey(site_id=site.id, prefix=key.prefix, secret_hash=key.secret_hash,
                           name="newer", scopes=["submit", "gdpr"]))  # fmt: skip
    posted = client.post(
        "/api/v1/comments", json=payload(user_ip="198.51.100.7"), headers=bearer(key.token)
    )
    assert posted.status_code == 202
    refused = client.post(EXPORT, json={"email": ADA}, headers=bearer(key.token))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"
