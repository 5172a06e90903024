"""Reply notifications end to end in this process: the real API, the real RQ queue and jobs
(classification with the shipped models, then the mail jobs), a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from rq import SimpleWorker
from sqlalchemy import select

from service import sites
from service.enqueue import queue_names
from service.store import Database
from service.store.tables import Comment, Site
from tests.factories import SPAM, post
from tests.mail_server import MailServer, mail_settings, text_of
from tests.notify_helpers import links, outbox_rows, path_of, subscription
from worker.runtime import Runtime

ADA = "ada@example.org"
REPLIES = [
    "I agree with you about the river path, the new benches are a real improvement.",
    "Good point. The council should publish the maintenance budget for the park as well.",
    "Thank you for the clear summary, it helped me understand the proposal much better.",
    "My family walks there every weekend and we noticed the same thing last month.",
]


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """This module's app and worker send mail to a real SMTP server on 127.0.0.1."""
    return mail_settings(settings, mail_server)


def drain(rt: Runtime) -> None:
    """Run every queued job in this process: classifications, then deliveries and mails."""
    worker = SimpleWorker(queue_names(rt.app.config["QUEUE_NAME"]), connection=rt.queue.connection)
    worker.work(burst=True)


def state(db: Database, comment_id: str) -> str:
    with db.session() as session:
        row = session.get(Comment, comment_id)
        assert row is not None
        return row.state


def comment(client: FlaskClient, rt: Runtime, **fields: Any) -> str:
    """Post a comment through the API and let the worker decide it; return its id."""
    rv = post(client, **fields)
    assert rv.status_code == 202, rv.get_json()
    drain(rt)
    return str(rv.get_json()["id"])


def confirmed_ada(client: FlaskClient, rt: Runtime, mail_server: MailServer, **fields: Any) -> str:
    """Ada comments with the box ticked and confirms from the mail; return her comment."""
    ada = comment(client, rt, notify_replies=True, **fields)
    assert state(rt.db, ada) == "published"
    [confirm] = links(mail_server.wait_for(1)[-1])
    assert client.post(path_of(confirm)).status_code == 200
    return ada


def moderate_key(db: Database) -> str:
    """Return a `moderate` key of the default site (a site's own moderation tools)."""
    with db.session() as session:
        site = sites.by_slug(session, "default")
        assert site is not None
        return sites.add_key(session, site, name="tools", scopes=["moderate"])


def moderate(client: FlaskClient, key: str, comment_id: str, action: str, expected: str) -> None:
    rv = client.post(
        f"/api/v1/comments/{comment_id}/moderate",
        json={"action": action, "expected_status": expected},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert rv.status_code == 200, rv.get_json()


def test_a_confirmed_author_gets_one_mail_per_published_reply_until_unsubscribed(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """Once confirmed, Ada gets one plain-text (and HTML) mail per reply the worker
    publishes, naming the replier, quoting the reply, linking the thread and carrying a
    signed one-click unsubscribe (RFC 8058 headers and a link); a reply taken down and
    restored is not told twice; after the one-click POST, replies send nothing."""
    ada = confirmed_ada(client, worker_runtime, mail_server, thread="https://news.example/a/1")
    with db.session() as session:  # the thread is a page of the site
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        site.origins = [*site.origins, "https://news.example"]
    bob = comment(client, worker_runtime, parent=ada, name="Bob", email="bob@example.org",
                  text=REPLIES[0], thread="https://news.example/a/1")  # fmt: skip
    carol = comment(client, worker_runtime, parent=ada, name="Carol", email="carol@example.org",
                    text=REPLIES[1], thread="https://news.example/a/1")  # fmt: skip
    assert state(db, bob) == state(db, carol) == "published"
    confirm, to_bob, to_carol = mail_server.wait_for(3)
    assert confirm["Subject"].startswith("Confirm reply notifications")
    assert (
        to_bob["To"] == ADA and to_bob["Subject"] == "Bob replied to your comment on Default site"
    )
    body = text_of(to_bob)
    assert body.startswith("Bob replied to your comment:") and "> " + REPLIES[0] in body
    # the link leads to the reply itself (the widget and the no-JS thread scroll to it)
    assert f"Read the conversation: https://news.example/a/1#comment-{bob}\n" in body
    unsubscribe = to_bob["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://localhost/mail/unsubscribe?token=")
    assert to_bob["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in links(to_bob) and to_bob.get_body(preferencelist=("html",)) is not None
    assert "Carol replied" in to_carol["Subject"] and REPLIES[1] in text_of(to_carol)

    key = moderate_key(db)
    moderate(client, key, bob, "reject", "published")
    moderate(client, key, bob, "ham", "rejected")
    drain(worker_runtime)
    assert state(db, bob) == "published" and len(mail_server.messages) == 3

    one_click = client.post(
        path_of(unsubscribe),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    dan = comment(client, worker_runtime, parent=ada, name="Dan", email="dan@example.org",
                  text=REPLIES[2], thread="https://news.example/a/1")  # fmt: skip
    assert state(db, dan) == "published"
    assert len(mail_server.messages) == 3
    assert [(r.kind, r.status) for r in outbox_rows(db)] == [
        ("confirm", "sent"), ("reply", "sent"), ("reply", "sent")
    ]  # fmt: skip


def test_the_confirmation_is_sent_once_per_address_and_site(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """Three opted-in comments from one address (however it is spelled) bring one
    confirmation mail; the others are cancelled, saying why. The same address on another
    site is asked again there; once confirmed, a new opt-in asks nothing."""
    with db.session() as session:
        sites.create(session, "Other news", ["https://other.example"], slug="other")
    for i, email in enumerate([ADA, "Ada@Example.org ", "ADA@EXAMPLE.ORG"]):
        comment(client, worker_runtime, notify_replies=True, email=email, text=REPLIES[i])
    assert len(mail_server.wait_for(1)) == 1
    rows = outbox_rows(db)
    assert [r.status for r in rows] == ["sent", "cancelled", "cancelled"]
    assert rows[1].last_error == "a confirmation was sent to the address lately"
    comment(client, worker_runtime, notify_replies=True, site="other", text=REPLIES[3])
    other = mail_server.wait_for(2)[1]
    assert other["To"] == ADA and other["Subject"].endswith("from Other news")

    client.post(path_of(links(mail_server.messages[0])[0]))
    comment(client, worker_runtime, notify_replies=True, text="One more thought on this.")
    assert len(mail_server.messages) == 2 and len(outbox_rows(db)) == 4


def test_an_unconfirmed_author_gets_no_notification(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """An address that asked but never confirmed gets its confirmation and nothing else:
    replies to it write no mail."""
    ada = comment(client, worker_runtime, notify_replies=True)
    bob = comment(client, worker_runtime, parent=ada, name="Bob", email="bob@example.org",
                  text=REPLIES[0])  # fmt: skip
    assert state(db, bob) == "published"
    assert [m["Subject"][:7] for m in mail_server.wait_for(1)] == ["Confirm"]
    assert [r.kind for r in outbox_rows(db)] == ["confirm"]
    assert subscription(db).state == "pending"  # type: ignore[union-attr]


def test_no_mail_for_held_rejected_or_own_replies_and_one_once_a_moderator_approves(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """A reply held for a moderator, a reply rejected as spam, and Ada's own reply (her
    address spelled otherwise) send nothing; when a moderator approves the held reply,
    that publish sends its one mail."""
    ada = confirmed_ada(client, worker_runtime, mail_server)
    mine = comment(client, worker_runtime, parent=ada, email=" Ada@Example.ORG", text=REPLIES[0])
    spam = comment(client, worker_runtime, parent=ada, name="Cheap pills",
                   email="x@example.org", text=SPAM)  # fmt: skip
    with db.session() as session:  # pre-moderation from now on: replies wait for a human
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        site.policy = {**site.policy, "mode": "pre"}
    held = comment(client, worker_runtime, parent=ada, name="Bob", email="bob@example.org",
                   text=REPLIES[1])  # fmt: skip
    assert (state(db, mine), state(db, spam), state(db, held)) == (
        "published", "rejected", "held"
    )  # fmt: skip
    assert len(mail_server.messages) == 1 and [r.kind for r in outbox_rows(db)] == ["confirm"]

    moderate(client, moderate_key(db), held, "approve", "held")
    drain(worker_runtime)
    notice = mail_server.wait_for(2)[1]
    assert notice["Subject"].startswith("Bob replied") and REPLIES[1] in text_of(notice)


def test_a_reply_to_a_comment_without_the_box_ticked_sends_nothing(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """The opt-in is per comment: a confirmed address is told about replies to the comments
    it ticked the box on, not to its others."""
    confirmed_ada(client, worker_runtime, mail_server)
    other = comment(client, worker_runtime, text="Another comment, no notifications please.")
    comment(client, worker_runtime, parent=other, name="Bob", email="bob@example.org",
            text=REPLIES[0])  # fmt: skip
    assert len(mail_server.messages) == 1 and len(outbox_rows(db)) == 1


def test_a_recipient_the_server_refuses_is_not_retried(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """A 5xx for the recipient fails the mail at once, with the server's answer recorded
    (not the address: it also goes to the logs), and no retry is scheduled."""
    ada = confirmed_ada(client, worker_runtime, mail_server)
    mail_server.handler.refuse.add(ADA)
    comment(client, worker_runtime, parent=ada, name="Bob", email="bob@example.org",
            text=REPLIES[0])  # fmt: skip
    reply = outbox_rows(db)[-1]
    assert (reply.kind, reply.status, reply.attempts) == ("reply", "failed", 1)
    assert "550 5.1.1 no such mailbox" in (reply.last_error or "")
    assert ADA not in (reply.last_error or "") and reply.next_attempt_at is None
    assert len(mail_server.messages) == 1


def drain_queue(rt: Runtime, which: int) -> None:
    """Run the jobs of one queue only: 0 the classifications, 1 the deliveries and mails."""
    names = queue_names(rt.app.config["QUEUE_NAME"])[which : which + 1]
    SimpleWorker(names, connection=rt.queue.connection).work(burst=True)


def test_a_reply_edited_while_its_mail_waits_is_told_once_published_again(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """Bob's reply is published and its mail to Ada queued; Bob edits the reply before the
    mail job runs, which finds it out of its thread and cancels the mail; once the worker
    publishes the edited reply, the mail goes out after all: one mail, with the new text,
    and no second one on a later publish."""
    ada = confirmed_ada(client, worker_runtime, mail_server)
    sent = post(client, parent=ada, name="Bob", email="bob@example.org", text=REPLIES[0])
    bob = sent.get_json()
    drain_queue(worker_runtime, 0)  # published; its mail waits in the other queue
    assert state(db, bob["id"]) == "published"
    edited = client.patch(f"/api/v1/comments/{bob['id']}", json={"text": REPLIES[3]},
                          headers={"Moderato-Edit-Token": bob["edit_token"]})  # fmt: skip
    assert edited.status_code == 202
    drain_queue(worker_runtime, 1)  # the mail's job: the reply is pending, being edited
    assert [(r.kind, r.status) for r in outbox_rows(db)][-1] == ("reply", "cancelled")
    drain(worker_runtime)  # the edit is published: the mail is due again, and sent
    assert state(db, bob["id"]) == "published"
    notice = mail_server.wait_for(2)[1]
    assert notice["Subject"].startswith("Bob replied") and REPLIES[3] in text_of(notice)
    key = moderate_key(db)
    moderate(client, key, bob["id"], "reject", "published")
    moderate(client, key, bob["id"], "approve", "rejected")
    drain(worker_runtime)
    assert len(mail_server.messages) == 2
    assert [(r.kind, r.status) for r in outbox_rows(db)] == [("confirm", "sent"), ("reply", "sent")]


def test_a_reply_published_again_while_its_job_cancels_the_mail_is_sent(
    client: FlaskClient, db: Database, worker_runtime: Runtime, mail_server: MailServer
) -> None:
    """The mail's job read the reply while it was being edited, and the edit was published
    before the job wrote its cancellation (the publish found the row still pending): the
    cancellation sees the reply published, leaves the mail due, and it is sent once."""
    from worker.mail import NOT_PUBLISHED, cancel

    ada = confirmed_ada(client, worker_runtime, mail_server)
    post(client, parent=ada, name="Bob", email="bob@example.org", text=REPLIES[0])
    drain_queue(worker_runtime, 0)
    row = outbox_rows(db)[-1]
    assert (row.kind, row.status) == ("reply", "pending")
    assert cancel(db, row.id, NOT_PUBLISHED) is False
    assert outbox_rows(db)[-1].status == "pending"
    drain(worker_runtime)
    assert mail_server.wait_for(2)[1]["Subject"].startswith("Bob replied")
    assert outbox_rows(db)[-1].status == "sent" and len(mail_server.messages) == 2
