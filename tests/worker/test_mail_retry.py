"""An admin's retry from the Mail page, with a real worker process and a real SMTP server:
a mail that failed while the server was down is delivered once after it is back, and a
failed notification to a reader who unsubscribed since is cancelled, not sent."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.store import Database
from tests.dashboard import logged_in
from tests.factories import post
from tests.helpers import wait_for
from tests.mail_outbox import HTML, mail, retries
from tests.mail_server import MailServer, mail_settings, text_of
from tests.notify_helpers import links, outbox_rows, path_of, subscription

pytestmark = pytest.mark.slow

ADA = "ada@example.org"
REPLIES = [
    "I agree with you about the river path, the new benches are a real improvement.",
    "Good point. The council should publish the maintenance budget for the park as well.",
]


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """Mail to a real SMTP server; two attempts before a mail fails, a second apart."""
    return {**mail_settings(settings, mail_server), "MAIL_MAX_ATTEMPTS": 2}


def retry(client: FlaskClient, token: str, mail_id: str) -> str:
    """Press Retry on the Mail page's row of ``mail_id``; return the page it lands on."""
    rv = client.post(
        f"/moderation/mail/{mail_id}/retry",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=True,
    )
    assert rv.status_code == 200
    return rv.get_data(as_text=True)


def test_a_mail_failed_while_the_server_was_down_is_delivered_once_after_a_retry(
    client: FlaskClient,
    db: Database,
    start_worker: Callable[..., Any],
    mail_server: MailServer,
) -> None:
    """With the SMTP server down, the worker gives up on the confirmation (failed, its
    error on the Mail page); once the server is back an admin's Retry delivers it, exactly
    once, with the worker and its sweep running on; a second Retry sends nothing."""
    token = logged_in(client, db)
    start_worker()
    mail_server.stop()
    assert post(client, notify_replies=True).status_code == 202
    wait_for(lambda: [r.status for r in outbox_rows(db)] == ["failed"], timeout=40, interval=0.2)
    [row] = outbox_rows(db)
    assert row.attempts == 2 and "gave up after 2 attempts" in (row.last_error or "")
    listed = client.get("/moderation/mail?status=failed", headers=HTML).get_data(as_text=True)
    assert f'id="mail-{row.id}"' in listed and "Connection refused" in listed

    mail_server.start()
    assert "queued again" in retry(client, token, row.id)
    [confirmation] = mail_server.wait_for(1, timeout=30)
    assert confirmation["To"] == ADA and "/mail/confirm?token=" in text_of(confirmation)
    wait_for(lambda: mail(db, row.id).status == "sent", timeout=10)
    time.sleep(2)  # the sweep runs every 0.5 s here: it must not send it again
    assert len(mail_server.messages) == 1
    assert "is sent, not failed" in retry(client, token, row.id)
    time.sleep(1)
    assert len(mail_server.messages) == 1 and len(retries(db)) == 1


def test_a_retried_mail_to_a_reader_who_unsubscribed_since_is_not_sent(
    client: FlaskClient,
    db: Database,
    start_worker: Callable[..., Any],
    mail_server: MailServer,
) -> None:
    """Ada confirmed and got a reply notification; the server then refused her address,
    so the next reply's mail failed. She unsubscribes (the first mail's one-click link);
    an admin's Retry makes the mail due, and the worker, composing it at send time,
    cancels it: nothing more reaches the server."""
    token = logged_in(client, db)
    start_worker()
    ada = post(client, notify_replies=True).get_json()["id"]
    [confirm] = mail_server.wait_for(1, timeout=30)
    assert client.post(path_of(links(confirm)[0])).status_code == 200
    post(client, parent=ada, name="Bob", email="bob@example.org", text=REPLIES[0])
    to_bob = mail_server.wait_for(2, timeout=30)[1]
    unsubscribe = to_bob["List-Unsubscribe"].strip("<>")

    mail_server.handler.refuse.add(ADA)
    post(client, parent=ada, name="Carol", email="carol@example.org", text=REPLIES[1])
    wait_for(lambda: [r.status for r in outbox_rows(db)][2:] == ["failed"], timeout=30)
    failed = outbox_rows(db)[2]
    assert "550" in (failed.last_error or "")
    one_click = client.post(
        path_of(unsubscribe),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert subscription(db).state == "unsubscribed"  # type: ignore[union-attr]

    mail_server.handler.refuse.clear()
    assert "queued again" in retry(client, token, failed.id)
    wait_for(lambda: mail(db, failed.id).status == "cancelled", timeout=20)
    assert mail(db, failed.id).last_error == "unsubscribed"
    time.sleep(1)
    assert len(mail_server.messages) == 2
