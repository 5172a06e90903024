"""The site policy page (admins): the form, the replay of recent comments, saving, audit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.clock import utcnow
from service.moderation.admin_policy import version
from service.policy import normalise_policy
from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Label, Site
from tests.dashboard import logged_in
from tests.factories import stored

URL = "/moderation/sites/1/policy"
BROWSER = {"Accept": "text/html"}  # a page; a script gets the JSON error shape


def _form(csrf: str, action: str = "preview", **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": csrf,
        "base": version(normalise_policy(None)),
        "action": action,
        "mode": "auto",
        "form_token": "signal",
        "new_authors": "score",
        "publish_below.spam": "0.5",
        "publish_below.toxicity": "0.5",
        "reject_above.spam": "0.95",
        "reject_above.toxicity": "0.98",
    }
    return {**form, **changes}


def _scored(db: Database, spam: float, label: str | None = None, **overrides: Any) -> str:
    """Store a decided comment with the scores the worker would have stored (and a label)."""
    row = stored(db, state=State.PUBLISHED, **overrides)
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == row.id).values(spam=spam, toxicity=0.01)
        )
        if label:
            session.add(
                Label(comment_id=row.id, site_id=1, label=label, source="moderator", actor="t")
            )
    return row.id


def _policy(db: Database) -> dict[str, Any]:
    with db.session() as session:
        return session.scalars(select(Site.policy).where(Site.id == 1)).one()  # type: ignore[no-any-return]


def _cells(html: str, row: str) -> list[str]:
    """Return the numbers in the replay table's row headed ``row``."""
    start = html.index(f'<th scope="row">{row}</th>')
    end = html.index("</tr>", start)
    return [part.split("<")[0] for part in html[start:end].split('class="num">')[1:]]


def test_the_page_shows_the_policy_and_what_it_did(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The form is filled with the site's policy and the replay counts its recent comments."""
    for spam in (0.1, 0.2, 0.7, 0.97):
        _scored(db, spam)
    html = client.get(URL).get_data(as_text=True)
    assert 'name="reject_above.spam" id="reject_above-spam" size="5" value="0.95"' in html
    assert "Replay of the last 30 days under the current policy" in html
    assert _cells(html, "Published automatically") == ["2"]
    assert _cells(html, "Held for a moderator") == ["1"]
    assert _cells(html, "Rejected automatically") == ["1"]


def test_a_preview_compares_without_saving_and_counts_labelled_mistakes(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Raising the spam reject threshold to 0.99 shows one fewer automatic rejection and
    one fewer legitimate comment rejected; a labelled spam comment published under a laxer
    publish threshold is counted; nothing is saved by a preview."""
    _scored(db, 0.97, label="ham")
    _scored(db, 0.995, label="spam")
    _scored(db, 0.55, label="spam")
    _scored(db, 0.05)
    rv = client.post(URL, data=_form(admin_csrf, **{"reject_above.spam": "0.99"}))
    assert rv.status_code == 200
    html = rv.get_data(as_text=True)
    assert "the current policy and this one" in html
    assert _cells(html, "Rejected automatically") == ["2", "1"]
    assert _cells(html, "Labelled legitimate, yet rejected") == ["1", "0"]
    rv = client.post(URL, data=_form(admin_csrf, **{"publish_below.spam": "0.6"}))
    assert _cells(rv.get_data(as_text=True), "Labelled spam or abusive, yet published") == [
        "0",
        "1",
    ]
    assert _policy(db) == normalise_policy(None)


def test_saving_stores_the_policy_audits_it_and_the_worker_uses_it(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Save stores the whole normalised policy and writes one audit entry with before and
    after; saving the same again changes nothing and audits nothing."""
    form = _form(admin_csrf, "save", mode="pre", new_authors="hold", **{"reject_above.spam": "1"})
    rv = client.post(URL, data=form)
    assert rv.status_code == 303 and rv.headers["Location"].endswith(URL)
    with db.session() as session:
        policy = session.scalars(select(Site.policy).where(Site.id == 1)).one()
        assert policy["mode"] == "pre" and policy["new_authors"] == "hold"
        assert policy["reject_above"]["spam"] == 1.0
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "policy_changed")
        ).all()
        assert len(entries) == 1
        assert entries[0].details["before"]["mode"] == "auto"
        assert entries[0].details["after"]["reject_above"]["spam"] == 1.0
    assert client.post(URL, data=form).status_code == 303
    with db.session() as session:
        count = session.scalars(select(AuditEntry).where(AuditEntry.action == "policy_changed"))
        assert len(count.all()) == 1


def test_bad_values_are_named_on_the_form_and_nothing_is_saved(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Numbers out of range, not numbers (or not ASCII digits), a reject threshold below
    the publish one and an unknown mode are each a field error on a 422 page."""
    bad = _form(
        admin_csrf,
        "save",
        mode="sometimes",
        **{
            "publish_below.spam": "1.5",
            "publish_below.toxicity": "nan",
            "reject_above.toxicity": "٠.٩",
        },
    )
    rv = client.post(URL, data=bad, headers=BROWSER)
    assert rv.status_code == 422
    html = rv.get_data(as_text=True)
    assert "Spam, publish below: enter a number from 0 to 1" in html
    assert "Toxicity, publish below: enter a number from 0 to 1" in html
    assert "Toxicity, reject at or above: enter a number from 0 to 1" in html
    assert 'id="publish_below-spam" size="5" value="1.5" aria-invalid="true"' in html
    assert "Choose auto, pre or post." in html
    order = _form(admin_csrf, "save", **{"publish_below.spam": "0.9", "reject_above.spam": "0.8"})
    rv = client.post(URL, data=order, headers=BROWSER)
    assert rv.status_code == 422
    assert "Spam, reject at or above: must not be below the publish threshold (0.9)" in (
        rv.get_data(as_text=True)
    )
    assert _policy(db) == normalise_policy(None)


def test_only_admins_reach_the_page(app: Flask, client: FlaskClient, db: Database) -> None:
    """A moderator of the site gets 403 on the page and on a save; an unknown site is 404."""
    csrf = logged_in(client, db, email="mod@example.org", role="moderator", sites=["default"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=_form(csrf, "save", mode="post")).status_code == 403
    admin = app.test_client()
    logged_in(admin, db)
    assert admin.get("/moderation/sites/999/policy").status_code == 404


def test_rule_decisions_and_old_comments_are_not_replayed(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Comments rejected by a ban, unscored ones and those older than 30 days stay out."""
    _scored(db, 0.1)
    banned = _scored(db, 0.1)
    old = _scored(db, 0.1)
    stored(db, state=State.HELD)  # unscored (a classifier error)
    with db.session() as session:
        session.execute(
            update(Comment).where(Comment.id == banned).values(state="rejected", rejection="banned")
        )
        session.execute(
            update(Comment)
            .where(Comment.id == old)
            .values(created_at=utcnow().replace(year=utcnow().year - 1))
        )
    html = client.get(URL).get_data(as_text=True)
    assert "1 scored comments" in html


def test_a_save_over_a_colleagues_newer_policy_asks_first(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Two admins edit at once: the second save, made on the policy as it was, does not
    silently undo the first; it answers 409 with their policy beside this one, and a save
    from that page (now based on theirs) goes through (found in review)."""
    first = _form(admin_csrf, "save", **{"reject_above.spam": "0.99"})
    assert client.post(URL, data=first).status_code == 303
    stale = _form(admin_csrf, "save", mode="pre")  # opened before the first save
    rv = client.post(URL, data=stale, headers=BROWSER)
    assert rv.status_code == 409
    html = rv.get_data(as_text=True)
    assert "Another admin saved this site&#39;s policy" in html
    assert "the current policy and this one" in html
    assert _policy(db)["reject_above"]["spam"] == 0.99 and _policy(db)["mode"] == "auto"
    base = re.search(r'name="base" value="(\w+)"', html)
    assert base is not None
    again = {**stale, "base": base[1]}
    assert client.post(URL, data=again).status_code == 303
    assert _policy(db)["mode"] == "pre"


def test_the_replay_shows_what_holding_new_authors_would_do(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """With new authors held, the replay holds a benign comment from an address with no
    earlier publication on the site, and publishes one from an address published before."""
    first = _scored(db, 0.1, email="known@example.org")
    _scored(db, 0.1, email="known@example.org")
    _scored(db, 0.1, email="fresh@example.org")
    with db.session() as session:
        rows = session.scalars(select(Comment).order_by(Comment.created_at)).all()
        for i, row in enumerate(rows):  # one minute apart; published when written
            row.created_at = rows[0].created_at + timedelta(minutes=i)
            row.published_at = row.created_at
        assert rows[0].id == first
    rv = client.post(URL, data=_form(admin_csrf, new_authors="hold"))
    html = rv.get_data(as_text=True)
    assert _cells(html, "Published automatically") == ["3", "1"]
    assert _cells(html, "Held for a moderator") == ["0", "2"]


def test_a_script_gets_the_json_error_shape(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Bad values posted without asking for HTML get the one JSON error shape, every field
    at once with a code; a stale save gets 409 ``conflict``; nothing is saved."""
    bad = _form(admin_csrf, "save", mode="sometimes", **{"publish_below.spam": "1.5"})
    rv = client.post(URL, data=bad, headers={"Accept": "application/json"})
    assert rv.status_code == 422
    fields = rv.get_json()["error"]["fields"]
    assert fields["mode"]["code"] == "invalid_choice"
    assert fields["publish_below.spam"]["code"] == "invalid_number"
    order = _form(admin_csrf, "save", **{"publish_below.spam": "0.9", "reject_above.spam": "0.8"})
    rv = client.post(URL, data=order, headers={"Accept": "application/json"})
    assert rv.get_json()["error"]["fields"]["reject_above.spam"]["code"] == (
        "below_publish_threshold"
    )
    stale = {**_form(admin_csrf, "save", mode="pre"), "base": "0" * 16}
    rv = client.post(URL, data=stale, headers={"Accept": "application/json"})
    assert rv.status_code == 409 and rv.get_json()["error"]["code"] == "conflict"
    assert _policy(db) == normalise_policy(None)


def test_the_replay_knows_an_author_in_any_spelling_of_the_address(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The replay matches addresses on their key, as the worker does: ``ǰohn@…`` written
    after ``J̌ohn@…`` was published is no new author (the avatar hash told them apart)."""
    _scored(db, 0.1, email="J\u030cohn@example.org")
    _scored(db, 0.1, email="\u01f0ohn@example.org")
    with db.session() as session:
        rows = session.scalars(select(Comment).order_by(Comment.created_at)).all()
        for i, row in enumerate(rows):  # one minute apart; published when written
            row.created_at = rows[0].created_at + timedelta(minutes=i)
            row.published_at = row.created_at
    html = client.post(URL, data=_form(admin_csrf, new_authors="hold")).get_data(as_text=True)
    assert _cells(html, "Published automatically") == ["2", "1"]
    assert _cells(html, "Held for a moderator") == ["0", "1"]
