"""Reply-notification mails survive failures, with real worker processes: the SMTP server
down (stopped, then started again on its port), and a mail whose job never reached Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis as redis_lib
from flask.testing import FlaskClient
from rq.exceptions import NoSuchJobError
from rq.job import Job

from service.enqueue import mail_job_id
from service.store import Database
from tests.factories import post, stored
from tests.helpers import wait_for
from tests.mail_server import MailServer, mail_settings, text_of
from tests.notify_helpers import links, outbox_rows, path_of, publish, subscription

pytestmark = pytest.mark.slow


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app and workers send mail to a real SMTP server on 127.0.0.1."""
    return mail_settings(settings, mail_server)


def test_while_the_smtp_server_is_down_mails_are_retried_then_delivered(
    client: FlaskClient,
    db: Database,
    start_worker: Callable[..., Any],
    mail_server: MailServer,
) -> None:
    """With the SMTP server stopped, the worker's attempts fail and are retried with
    backoff (the mail stays pending, the error recorded); once the server is started again
    on its port, the next retry delivers the mail, once."""
    start_worker()
    mail_server.stop()
    rv = post(client, notify_replies=True)
    assert rv.status_code == 202

    def failed_twice() -> bool:
        rows = outbox_rows(db)
        return bool(rows) and rows[0].attempts >= 2

    wait_for(failed_twice, timeout=30, interval=0.2)
    [row] = outbox_rows(db)
    assert row.status == "pending" and "Connection refused" in (row.last_error or "")
    assert row.next_attempt_at is not None

    mail_server.start()
    [mail] = mail_server.wait_for(1, timeout=60)
    assert mail["To"] == "ada@example.org" and "/mail/confirm?token=" in text_of(mail)
    wait_for(lambda: outbox_rows(db)[0].status == "sent", timeout=10)
    assert outbox_rows(db)[0].attempts >= 3
    assert len(mail_server.messages) == 1


def test_a_mail_whose_job_never_reached_redis_is_sent_by_the_sweep(
    client: FlaskClient,
    db: Database,
    redis_url: str,
    start_worker: Callable[..., Any],
    mail_server: MailServer,
) -> None:
    """A reply published without its mail being queued (Redis away at that moment, or
    lost the job since) leaves a pending outbox row and no job; the worker's sweep finds
    it and the author gets the mail."""
    start_worker()
    ada = post(client, notify_replies=True).get_json()["id"]
    confirm = mail_server.wait_for(1, timeout=30)[0]
    assert client.post(path_of(links(confirm)[0])).status_code == 200
    assert subscription(db).state == "confirmed"  # type: ignore[union-attr]

    reply = stored(db, parent=ada, name="Bob", email="bob@example.org", text="Well said.")
    [mail_id] = publish(db, reply.id)  # committed, never queued
    with pytest.raises(NoSuchJobError):
        Job.fetch(mail_job_id(mail_id), connection=redis_lib.from_url(redis_url))

    notice = mail_server.wait_for(2, timeout=30)[1]
    assert notice["Subject"].startswith("Bob replied") and "> Well said." in text_of(notice)
    wait_for(lambda: outbox_rows(db)[-1].status == "sent", timeout=10)
