"""``moderato mail retry``: the Mail page's retry of failed mails on the command line, run
as the real console script against the test database, the real Redis and mails that
really failed against a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from rq import Queue

from service import sites as site_ops
from service.embedded_redis import free_port
from service.store import Database
from tests.conftest import worker_env
from tests.mail_outbox import asking, failed, mail, retries
from tests.mail_server import MailServer, mail_settings
from tests.test_cli import run


@pytest.fixture
def settings(settings: dict[str, Any], mail_server: MailServer) -> dict[str, Any]:
    """Mail on, to a real SMTP server that refuses the addresses a test names."""
    return mail_settings(settings, mail_server)


@pytest.fixture
def env(settings: dict[str, Any]) -> dict[str, str]:
    return worker_env(settings)


def jobs(app: Flask) -> list[str]:
    """Return the ids of the jobs waiting on the outbox queue (deliveries and mails)."""
    queue: Queue = app.extensions["moderato.queue"].deliveries
    return list(queue.get_job_ids())


def other_site(db: Database) -> None:
    with db.session() as session:
        site_ops.create(session, "Other news", ["https://other.example"], slug="other")


def test_retrying_failed_mails_by_id_queues_them_and_audits_them_as_cli(
    app: Flask, db: Database, mail_server: MailServer, env: dict[str, str]
) -> None:
    """`mail retry --id` makes each failed mail pending and due with its attempts from
    zero, queues its job on the real Redis, and writes `mail_retried` as the Mail page
    does, with the actor `cli`; a mail that is no longer failed is left alone, said on
    stderr, and the command exits 1."""
    first = failed(app, db, mail_server, "ada@example.org")
    second = failed(app, db, mail_server, "bob@example.org")

    result = run(["mail", "retry", "--id", first, "--id", second, "--id", first], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"mail {first} queued again",
        f"mail {second} queued again",
    ]
    for mail_id in (first, second):
        row = mail(db, mail_id)
        assert (row.status, row.attempts, row.sent_at) == ("pending", 0, None)
        assert f"send-{mail_id}" in jobs(app)
    entries = retries(db)
    assert [e.actor for e in entries] == ["cli", "cli"]
    assert entries[0].details == {"mail_id": first, "kind": "confirm", "attempts": 1}
    assert entries[0].comment_id == mail(db, first).comment_id
    assert "ada" not in str(entries[0].details)

    again = run(["mail", "retry", "--id", first], env)
    assert again.returncode == 1 and again.stdout == ""
    assert f"mail {first} is pending, not failed: nothing to retry" in again.stderr
    assert len(retries(db)) == 2


def test_retry_all_failed_takes_a_sites_failed_mails_or_every_sites(
    app: Flask, db: Database, mail_server: MailServer, env: dict[str, str]
) -> None:
    """`--all-failed --site S` retries that site's failed mails (not another site's, not
    pending ones) with one audit entry per site and its count; without --site it takes
    every site's; with none left it says so and exits 0."""
    other_site(db)
    ours = [failed(app, db, mail_server, f"r{n}@example.org") for n in range(2)]
    theirs = failed(app, db, mail_server, "bob@example.org", site="other")
    waiting = asking(db, "new@example.org")

    result = run(["mail", "retry", "--all-failed", "--site", "default"], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 failed mails of default queued again, oldest first\n"
    assert [mail(db, i).status for i in [*ours, theirs, waiting]] == [
        "pending", "pending", "failed", "pending",
    ]  # fmt: skip
    [entry] = retries(db)
    assert (entry.actor, entry.details, entry.comment_id) == (
        "cli", {"count": 2, "all_failed": True}, None,
    )  # fmt: skip
    assert {f"send-{i}" for i in ours} <= set(jobs(app))

    every = run(["mail", "retry", "--all-failed"], env)
    assert every.stdout == "1 failed mail queued again, oldest first\n"
    assert mail(db, theirs).status == "pending" and f"send-{theirs}" in jobs(app)
    none = run(["mail", "retry", "--all-failed"], env)
    assert none.returncode == 0 and none.stdout == "no failed mails to retry\n"
    assert len(retries(db)) == 2


def test_a_dry_run_lists_what_would_be_retried_and_changes_nothing(
    app: Flask, db: Database, mail_server: MailServer, env: dict[str, str]
) -> None:
    """`--dry-run` prints each mail a retry would take (kind, site, attempts, the SMTP
    error; never the recipient) and the count, or exits 1 naming a mail given by --id that
    is not failed; nothing changes, is queued or is audited."""
    bad = failed(app, db, mail_server, "bad.reader@example.org")
    waiting = asking(db, "new@example.org")

    listed = run(["mail", "retry", "--all-failed", "--dry-run"], env)

    assert listed.returncode == 0, listed.stderr
    first, count = listed.stdout.splitlines()
    assert first.startswith(f"would retry mail {bad} (confirm, site default, 1 attempt): ")
    assert first.endswith("recipient refused: 550 5.1.1 no such mailbox")
    assert "bad.reader" not in listed.stdout
    assert count == "1 failed mail would be queued again; nothing changed"
    given = run(["mail", "retry", "--id", bad, "--id", waiting, "--dry-run"], env)
    assert given.returncode == 1
    assert given.stdout.startswith(f"would retry mail {bad} ")
    assert f"mail {waiting} is pending, not failed: nothing to retry" in given.stderr
    assert mail(db, bad).status == "failed" and mail(db, bad).attempts == 1
    assert retries(db) == [] and f"send-{bad}" not in jobs(app)


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        ([], 2, "give --id ID (repeatable) or --all-failed"),
        (["--all-failed", "--id", "{bad}"], 2, "give --id ID (repeatable) or --all-failed"),
        (["--id", "{bad}", "--id", "mail_nope"], 1, "there is no mail 'mail_nope'"),
        (["--all-failed", "--site", "nowhere"], 1, "there is no site 'nowhere'"),
        (["--id", "{bad}", "--site", "other"], 1, "not mails of site 'other': {bad}"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    app: Flask,
    db: Database,
    mail_server: MailServer,
    env: dict[str, str],
    args: list[str],
    status: int,
    said: str,
) -> None:
    """No selection or both, an unknown mail (even beside a failed one), an unknown site,
    or a mail of another site than --site: an error on stderr and its exit status (2 for
    usage), and the failed mail stays failed, unqueued and unaudited."""
    other_site(db)
    bad = failed(app, db, mail_server, "ada@example.org")

    result = run(["mail", "retry", *[a.format(bad=bad) for a in args]], env)

    assert result.returncode == status
    assert said.format(bad=bad) in result.stderr
    assert mail(db, bad).status == "failed" and retries(db) == []
    assert f"send-{bad}" not in jobs(app)


def test_with_redis_away_the_mails_are_due_for_the_sweep(
    app: Flask, db: Database, mail_server: MailServer, settings: dict[str, Any]
) -> None:
    """With Redis away the retry is still made and audited (the mail is pending and due),
    and the command says the worker's sweep will queue it, not that it was queued; with
    mail off where it runs, it says a worker without SMTP would fail it again."""
    bad = failed(app, db, mail_server, "ada@example.org")
    away = {**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "SMTP_URL": ""}

    result = run(["mail", "retry", "--id", bad], worker_env(away))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"mail {bad} due again\nRedis did not answer: ")
    assert "sweep queues them" in result.stdout and "queued" not in result.stdout
    assert "MODERATO_SMTP_URL is unset here" in result.stderr
    assert mail(db, bad).status == "pending" and len(retries(db)) == 1
