"""The dashboard's Mail page: the reply-notification outbox for admins, its filters and
pages, and the retry of failed mails (made due again, queued on the real Redis, audited),
with mails that really failed against a real SMTP server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue

from service import sites as site_ops
from service.privacy import erase
from service.store import Database
from tests.dashboard import csrf_token, logged_in
from tests.mail_outbox import HTML, asking, failed, mail, retries
from tests.mail_server import MailServer, mail_settings
from tests.notify_helpers import send_outbox

ROW = re.compile(r'<tr id="mail-([^"]+)">')


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """Mail on, to a real SMTP server; two rows a page, so paging shows with a few mails."""
    return {**mail_settings(settings, mail_server), "MODERATION_PAGE_SIZE": 2}


def rows(html: str) -> list[str]:
    """Return the ids of the mails listed on a page, in order."""
    return ROW.findall(html)


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def page(client: FlaskClient, query: str = "") -> Any:
    return client.get(f"/moderation/mail{query}", headers=HTML)


def follow(client: FlaskClient, url: str | None) -> str:
    """Return the page a pager link leads to."""
    assert url is not None
    rv = client.get(url, headers=HTML)
    assert rv.status_code == 200
    return rv.get_data(as_text=True)


def test_only_admins_see_the_page_and_its_nav_entry(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Without a session the page sends a browser to the login page (401 for fetch); a
    moderator gets 403 on the page and on both retries, and no "Mail" entry in the
    navigation; an admin gets the page."""
    mail_id = failed(app, db, mail_server, "ada@example.org")
    assert page(client).status_code == 302
    assert client.get("/moderation/mail").status_code == 401
    token = logged_in(client, db, "mod@example.org", role="moderator", sites=["default"])
    assert page(client).status_code == 403
    for url in (f"/moderation/mail/{mail_id}/retry", "/moderation/mail/retry-failed"):
        assert client.post(url, data={"csrf_token": token}, headers=HTML).status_code == 403
    queue_page = client.get("/moderation/queue/held", headers=HTML).get_data(as_text=True)
    assert ">Mail<" not in queue_page
    assert mail(db, mail_id).status == "failed" and retries(db) == []

    client.post("/moderation/logout", data={"csrf_token": token})
    logged_in(client, db, "admin@example.org")
    html = page(client).get_data(as_text=True)
    assert ">Mail<" in html and rows(html) == [mail_id]


def test_the_list_is_newest_first_with_counts_and_masked_addresses(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Mails are listed newest first, two a page, with a count per status in the tabs; a
    status tab lists only that status; recipients and the addresses in an SMTP error are
    masked (the full address is nowhere on the page), and each mail links its comment."""
    logged_in(client, db)
    sent = asking(db, "sent.reader@example.org")
    send_outbox(app)
    bad = failed(app, db, mail_server, "bad.reader@example.org")
    waiting = [asking(db, f"reader{n}@example.org") for n in range(2)]
    assert mail(db, sent).status == "sent"

    first = page(client).get_data(as_text=True)
    assert rows(first) == [waiting[1], waiting[0]]
    assert re.search(r'Pending <span class="count">2</span>', first)
    assert re.search(r'Failed <span class="count">1</span>', first)
    assert re.search(r'All <span class="count">4</span>', first)
    assert "1–2 of 4" in first
    second = follow(client, link(first, "next"))
    assert rows(second) == [bad, sent] and "3–4 of 4" in second
    assert "b…@example.org" in second and "s…@example.org" in second
    assert "bad.reader@" not in second and "sent.reader@" not in second
    assert "550 5.1.1 no such mailbox" in second
    assert rows(follow(client, link(second, "prev"))) == rows(first)
    comment_id = mail(db, bad).comment_id
    assert f'href="/moderation/comments/{comment_id}"' in second

    only_failed = page(client, "?status=failed").get_data(as_text=True)
    assert rows(only_failed) == [bad] and 'aria-current="page">Failed' in only_failed
    assert "Retry all 1 failed" in only_failed


def test_the_site_filter_and_a_bad_filter(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A site narrows the list and the counts; an unknown status or site is a 422 that
    names the field and lists nothing (no retry offered); a mangled page link is a 422 that
    shows the newest page."""
    logged_in(client, db)
    with db.session() as session:
        site_ops.create(session, "Other news", ["https://other.example"], slug="other")
    here = failed(app, db, mail_server, "ada@example.org")
    there = failed(app, db, mail_server, "bob@example.org", site="other")
    assert rows(page(client, "?site=other").get_data(as_text=True)) == [there]
    assert rows(page(client, "?site=default").get_data(as_text=True)) == [here]
    for query, message in (("?status=lost", "Choose a status"), ("?site=nowhere", "Choose a site")):
        rv = page(client, query)
        html = rv.get_data(as_text=True)
        assert rv.status_code == 422 and message in html and "Filter not applied" in html
        assert rows(html) == [] and "Retry all" not in html
    mangled = page(client, "?older=not-a-cursor")
    assert mangled.status_code == 422 and rows(mangled.get_data(as_text=True)) == [there, here]


def test_retrying_a_failed_mail_makes_it_due_queues_it_and_audits_it(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Retry puts the failed mail back in the outbox (pending, due, attempts from zero),
    queues its job on the real Redis, and writes `mail_retried` with the mail's id and the
    comment, never the address; retrying it again, or a sent mail, changes nothing."""
    token = logged_in(client, db)
    mail_id = failed(app, db, mail_server, "ada@example.org")
    rv = client.post(
        f"/moderation/mail/{mail_id}/retry",
        data={"csrf_token": token, "status": "failed"},
        headers=HTML,
    )
    assert rv.status_code == 303 and rv.headers["Location"] == "/moderation/mail?status=failed"
    row = mail(db, mail_id)
    assert (row.status, row.attempts, row.sent_at) == ("pending", 0, None)
    assert row.next_attempt_at is not None
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert f"send-{mail_id}" in queue.get_job_ids()
    [entry] = retries(db)
    assert entry.actor.startswith("user:") and entry.comment_id == row.comment_id
    assert entry.details == {"mail_id": mail_id, "kind": "confirm", "attempts": 1}
    assert "ada" not in str(entry.details)

    again = client.post(
        f"/moderation/mail/{mail_id}/retry",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=True,
    )
    assert "is pending, not failed: nothing to retry" in again.get_data(as_text=True)
    assert len(retries(db)) == 1
    missing = client.post("/moderation/mail/mail_nope/retry", data={"csrf_token": token})
    assert missing.status_code == 404


def test_retry_all_failed_takes_the_failed_mails_of_the_site_shown(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """The button "Retry all N failed", under a site filter, retries that site's failed
    mails (not the other site's, not the pending ones), queues them, and audits one entry
    per site with the count; without a filter it takes every site's."""
    token = logged_in(client, db)
    with db.session() as session:
        site_ops.create(session, "Other news", ["https://other.example"], slug="other")
    ours = [failed(app, db, mail_server, f"r{n}@example.org") for n in range(2)]
    theirs = failed(app, db, mail_server, "bob@example.org", site="other")
    pending = asking(db, "new@example.org")
    assert "Retry all 2 failed" in page(client, "?site=default").get_data(as_text=True)
    rv = client.post(
        "/moderation/mail/retry-failed",
        data={"csrf_token": token, "site": "default"},
        headers=HTML,
        follow_redirects=True,
    )
    assert "2 failed mails of" in rv.get_data(as_text=True)
    assert [mail(db, i).status for i in [*ours, theirs, pending]] == [
        "pending", "pending", "failed", "pending",
    ]  # fmt: skip
    [entry] = retries(db)
    assert entry.details == {"count": 2, "all_failed": True} and entry.comment_id is None
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert {f"send-{i}" for i in ours} <= set(queue.get_job_ids())

    client.post("/moderation/mail/retry-failed", data={"csrf_token": token}, headers=HTML)
    assert mail(db, theirs).status == "pending" and len(retries(db)) == 2
    done = client.post(
        "/moderation/mail/retry-failed",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=True,
    )
    assert "No failed mails to retry." in done.get_data(as_text=True)


def test_retries_need_the_csrf_token_and_the_dashboard_origin(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """A retry without the CSRF token, with a wrong one, or from another origin is refused
    (403) and the mail stays failed, unqueued and unaudited."""
    token = logged_in(client, db)
    mail_id = failed(app, db, mail_server, "ada@example.org")
    for url in (f"/moderation/mail/{mail_id}/retry", "/moderation/mail/retry-failed"):
        assert client.post(url, headers=HTML).status_code == 403
        wrong = client.post(url, data={"csrf_token": "nope" * 10})
        assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "csrf_failed"
        foreign = client.post(
            url, data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.get_json()["error"]["code"] == "csrf_origin"
    assert mail(db, mail_id).status == "failed" and retries(db) == []
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert f"send-{mail_id}" not in queue.get_job_ids()
    assert csrf_token(client, "/moderation/mail") == token


def test_the_page_says_when_mail_is_off(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """Without an SMTP URL on the web process the page says a retry would fail again."""
    logged_in(client, db)
    assert "Mail is off" not in page(client).get_data(as_text=True)
    app.config["SMTP_URL"] = ""
    assert "Mail is off" in page(client).get_data(as_text=True)


def test_a_mail_erased_since_the_page_was_shown_is_not_retried(
    app: Flask, client: FlaskClient, db: Database, mail_server: MailServer
) -> None:
    """An erasure deletes the reader's mails: a Retry pressed on the page shown before it
    answers 404, and "Retry all" finds nothing; nothing is queued or audited."""
    token = logged_in(client, db)
    mail_id = failed(app, db, mail_server, "ada@example.org")
    assert "Retry all 1 failed" in page(client).get_data(as_text=True)
    with db.session() as session:
        erase(session, "ada@example.org", "cli")
    rv = client.post(f"/moderation/mail/{mail_id}/retry", data={"csrf_token": token})
    assert rv.status_code == 404 and rv.get_json()["error"]["code"] == "mail_not_found"
    done = client.post(
        "/moderation/mail/retry-failed",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=True,
    )
    assert "No failed mails to retry." in done.get_data(as_text=True)
    assert retries(db) == []
    queue: Queue = app.extensions["moderato.queue"].deliveries
    assert f"send-{mail_id}" not in queue.get_job_ids()
