"""The same pipeline on PostgreSQL (DATABASE_URL=postgresql+psycopg://…): migrations, intake, reads, worker, races."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import sites
from service.lifecycle import Change, transition
from service.status import Rejection, State
from service.store import Database
from service.store.migrate import upgrade
from service.store.tables import AuditEntry, Comment, Site
from tests.dashboard import held_with_ties, logged_in, page_through
from tests.factories import post, stored
from tests.helpers import wait_for
from tests.mail_server import MailServer
from tests.postgres import TempPostgres, find_bindir

BINDIR = find_bindir()
pytestmark = pytest.mark.skipif(BINDIR is None, reason="PostgreSQL server binaries not installed")
_counter = iter(range(10_000))


@pytest.fixture(scope="module")
def postgres() -> Iterator[TempPostgres]:
    """A real PostgreSQL server for this module."""
    assert BINDIR is not None
    server = TempPostgres(BINDIR).start()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres: TempPostgres) -> str:
    """A fresh PostgreSQL database per test, migrated by Alembic, with the default site."""
    url = postgres.create_database(f"moderato_{next(_counter)}")
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        sites.ensure_default(session)
    database.dispose()
    return url


def test_migrations_create_every_table_on_postgres(db: Database) -> None:
    """Alembic's migrations run on PostgreSQL and the default site exists."""
    assert db.engine.dialect.name == "postgresql"
    with db.session() as session:
        assert session.scalars(select(Site.slug)).all() == ["default"]


def test_intake_reads_and_pagination_work_on_postgres(client: FlaskClient, db: Database) -> None:
    """Posting, status and thread listing (with cursors) behave the same on PostgreSQL."""
    rv = post(client, thread="pg")
    assert rv.status_code == 202
    assert client.get(rv.headers["Location"]).get_json()["status"] == "pending"
    for i in range(3):
        stored(db, state=State.PUBLISHED, thread="pg-list", text=f"c{i}")
    page = client.get("/api/v1/comments?thread=pg-list&limit=2").get_json()
    rest = client.get(
        f"/api/v1/comments?thread=pg-list&limit=2&cursor={page['next_cursor']}"
    ).get_json()
    assert len(page["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert client.post("/api/v1/comments", json={"thread": "pg"}).status_code == 422


def test_conversation_pages_follow_replies_on_postgres(client: FlaskClient, db: Database) -> None:
    """by=conversation's recursive query brings a root's replies at every depth on PostgreSQL,
    and a reply under a held comment is a root of its own."""
    root = stored(db, state=State.PUBLISHED, thread="pg-talk", text="root")
    reply = stored(db, state=State.PUBLISHED, thread="pg-talk", text="reply", parent=root.id)
    stored(db, state=State.PUBLISHED, thread="pg-talk", text="deeper", parent=reply.id)
    held = stored(db, state=State.HELD, thread="pg-talk", text="held", parent=root.id)
    stored(db, state=State.PUBLISHED, thread="pg-talk", text="under held", parent=held.id)
    first = client.get("/api/v1/comments?thread=pg-talk&by=conversation&limit=1").get_json()
    assert [i["text"] for i in first["items"]] == ["root", "reply", "deeper"]
    cursor = first["next_cursor"]
    rest = client.get(f"/api/v1/comments?thread=pg-talk&by=conversation&cursor={cursor}")
    assert [i["text"] for i in rest.get_json()["items"]] == ["under held"]


def test_concurrent_transitions_let_exactly_one_win(db: Database) -> None:
    """Eight threads race to move one pending comment; PostgreSQL's row lock lets one change it."""
    comment = stored(db)
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt(i: int) -> None:
        barrier.wait()
        with db.session() as session:
            outcome = transition(
                session,
                comment.id,
                Change(State.PENDING, State.PUBLISHED, actor=f"t{i}", action="race"),
            )
        wins.append(outcome is not None)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    with db.session() as session:
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "race")).all()
    assert len(audits) == 1


@pytest.mark.slow
def test_a_real_worker_publishes_on_postgres(
    client: FlaskClient, start_worker: Callable[..., Any]
) -> None:
    """A benign comment goes through a real worker process on PostgreSQL and is listed."""
    start_worker()
    comment_id = post(client, thread="pg-worker").get_json()["id"]
    wait_for(
        lambda: any(
            i["id"] == comment_id
            for i in client.get("/api/v1/comments?thread=pg-worker").get_json()["items"]
        ),
        timeout=15,
    )


def test_dashboard_pages_cover_every_card_on_postgres(client: FlaskClient, db: Database) -> None:
    """The queue's keyset pages (row-value comparisons) list every card once on PostgreSQL."""
    logged_in(client, db)
    ids = held_with_ties(db, 31)
    for sort in ("newest", "oldest", "score"):
        assert sorted(page_through(client, sort)) == sorted(ids), sort


def test_an_erasure_leaves_nothing_of_the_author_on_postgres(db: Database) -> None:
    """The privacy erasure's queries (trimmed, case-folded match; escaped LIKE on the
    outbox) work on PostgreSQL too: no table keeps the address or the text."""
    from service import privacy
    from tests.privacy_helpers import ADA, _every_stored_value, _life_of_ada

    _life_of_ada(db)
    assert ADA in _every_stored_value(db)
    with db.session() as session:
        done = privacy.erase(session, ADA.upper(), "cli")
    assert (done.comments, done.taken_down, done.checks) == (3, 2, 1)
    after = _every_stored_value(db)
    assert ADA not in after and "lovelace" not in after


def test_privacy_requests_find_any_spelling_of_an_address_on_postgres(db: Database) -> None:
    """``İnci@…``, the Kelvin sign and decomposed Unicode are found on PostgreSQL too (its
    ``lower()`` follows the server's locale: the key is computed in Python)."""
    from tests.service import test_privacy_addresses as addresses

    addresses.test_addresses_whose_lower_case_changes_length_or_script_are_found(db)
    addresses.test_a_decomposed_address_matches_the_composed_one(db)
    addresses.test_an_internationalised_domain_is_found_in_either_form(db)


def test_a_sites_privacy_requests_work_on_postgres(client: FlaskClient, db: Database) -> None:
    """The API's export and erasure (a ``privacy`` key, its site only) on PostgreSQL: the
    other site keeps its comment, a retry answers zeros, and there is no checkpoint to run."""
    from service import privacy

    with db.session() as session:
        created = sites.create(session, "PG Paper", ["https://pg.example"])
        token = sites.add_key(session, created.site, name="dpo", scopes=["privacy"])
        slug = created.site.slug
    key = {"Authorization": f"Bearer {token}"}
    mine = stored(db, site=slug, email="Ada@Example.org", text="mine").id
    theirs = stored(db, email="ada@example.org", text="theirs").id
    found = client.post("/api/v1/privacy/export", json={"email": "ADA@example.org"}, headers=key)
    assert [c["id"] for c in found.get_json()["comments"]] == [mine]
    first = client.post("/api/v1/privacy/erase", json={"email": "ada@example.org"}, headers=key)
    again = client.post("/api/v1/privacy/erase", json={"email": "ada@example.org"}, headers=key)
    assert first.get_json()["erased"]["comments"] == 1
    assert again.get_json()["erased"]["comments"] == 0 and again.get_json()["complete"]
    with db.session() as session:
        assert session.get(Comment, mine).text == ""  # type: ignore[union-attr]
        assert session.get(Comment, theirs).text == "theirs"  # type: ignore[union-attr]
    assert privacy.checkpoint(db) is None


def test_the_migrated_schema_matches_the_models_on_postgres(db: Database) -> None:
    """No drift between Alembic's migrations and the models on PostgreSQL either."""
    from tests.service.test_migrations import schema_drift

    assert schema_drift(db) == []


def test_nul_in_public_parameters_is_a_4xx_on_postgres(client: FlaskClient, db: Database) -> None:
    """PostgreSQL refuses NUL in text: every public parameter that reaches a query is
    checked first (each of these was a 500; found in review)."""
    json_only = {"Accept": "application/json"}
    for path in (
        "/embed/thread?thread=a%00b",
        "/api/v1/comments?thread=a%00b",
        "/api/v1/counts?thread=a%00b",
        "/api/v1/comments?thread=x&site=a%00b",
        "/api/v1/counts?thread=x&site=a%00b",
    ):
        assert client.get(path, headers=json_only).status_code in (404, 422), path
    comment_id = stored(db, state=State.PUBLISHED).id
    rv = client.post(
        f"/api/v1/comments/{comment_id}/reports", json={"reason": "spam", "note": "a\x00"}
    )
    assert rv.status_code == 422


def test_a_ban_longer_than_its_column_is_a_422_on_postgres(
    client: FlaskClient, db: Database
) -> None:
    """PostgreSQL refuses a ban's value past its 254 characters (a key lower case
    lengthened, a card's long website host): a 422 comes first (each was a 500)."""
    from tests.worker.test_ban_addresses import test_a_ban_longer_than_its_column_is_a_422

    test_a_ban_longer_than_its_column_is_a_422(client, db)


def test_a_lifted_bans_id_is_never_given_to_another_on_postgres(
    client: FlaskClient, db: Database
) -> None:
    """The bans migration leaves PostgreSQL's sequence alone, and it never hands a lifted
    ban's id to the next ban either."""
    from tests.service.moderation.test_bans import test_a_lifted_bans_id_is_never_given_to_another

    test_a_lifted_bans_id_is_never_given_to_another(client, db, logged_in(client, db))


def test_a_deleted_webhook_endpoints_id_is_never_given_to_another_on_postgres(
    db: Database,
) -> None:
    """The hooks2 migration leaves PostgreSQL alone: its sequence never hands a deleted
    endpoint's id to the next one."""
    from service.integrations.webhook_changes import delete_endpoint
    from service.store.tables import WebhookEndpoint
    from tests.integrations.test_webhooks_e2e import subscribe

    deleted, _ = subscribe(db, "http://127.0.0.1:9/a", ["comment.received"])
    with db.session() as session:
        endpoint = session.get(WebhookEndpoint, deleted)
        assert endpoint is not None
        delete_endpoint(session, endpoint, force=True)
    assert subscribe(db, "http://127.0.0.1:9/b", ["comment.received"])[0] > deleted


def test_featured_listing_and_cursors_on_postgres(client: FlaskClient, db: Database) -> None:
    """The ``featured=1`` filter, its cursors and ``featured_total`` (the partial index's
    queries) behave the same on PostgreSQL."""
    from service import featured

    rows = [stored(db, state=State.PUBLISHED, thread="pg-picks", text=f"c{i}") for i in range(5)]
    with db.session() as session:
        for row in rows[1:4]:
            assert featured.set_featured(session, row.id, "feature", "user:1") is not None
    first = client.get("/api/v1/comments?thread=pg-picks&featured=1&limit=2").get_json()
    rest = client.get(
        f"/api/v1/comments?thread=pg-picks&featured=1&limit=2&cursor={first['next_cursor']}"
    ).get_json()
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert sorted(ids) == sorted(r.id for r in rows[1:4]) and len(ids) == 3
    assert (first["total"], first["featured_total"], rest["next_cursor"]) == (5, 3, None)


def test_a_link_to_a_comment_opens_its_page_on_postgres(
    app: Flask, client: FlaskClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The no-JS thread's ``comment=<id>`` opens the page "Load more" reaches with the
    comment on it, for every comment and order, on PostgreSQL: pages of a fixed size
    (counts) and pages ended early by the replies bound (each root's replies counted)."""
    from service import conversations
    from tests.service import test_comment_pages as pages

    made = pages.build(db, pages.SPECS)
    app.config["LIST_MAX_PAGE_SIZE"] = 2
    pages.assert_every_comment_lands(client, pages.roots(made))
    monkeypatch.setattr(conversations, "MAX_REPLIES", 2)
    app.config["LIST_MAX_PAGE_SIZE"] = 3
    pages.assert_every_comment_lands(client, pages.roots(made), frozenset([made["r2-b"].id]))
    assert pages.shown(client.get(f"{pages.PAGE}&comment={made['held'].id}").text) == (
        pages.shown(client.get(pages.PAGE).text)
    )


def _race_take_down_and_feature(db: Database, comment_id: str) -> dict[str, bool]:
    """Take a published comment down and feature it at once, from two threads; return
    whether each said it was done."""
    from service import featured
    from service.status import Rejection

    barrier = threading.Barrier(2)
    results: dict[str, bool] = {}

    def down() -> None:
        barrier.wait()
        change = Change(
            State.PUBLISHED, State.REJECTED, "user:1", "takedown", rejection=Rejection.SPAM
        )
        with db.session() as session:
            results["down"] = transition(session, comment_id, change) is not None

    def pick() -> None:
        barrier.wait()
        with db.session() as session:
            results["pick"] = featured.set_featured(session, comment_id, "feature", "u") is not None

    workers = [threading.Thread(target=down), threading.Thread(target=pick)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return results


def test_tab_counts_and_featured_only_on_postgres(client: FlaskClient, db: Database) -> None:
    """The tabs' filtered counts and "Featured only" (list, count, tabs) behave the same on
    PostgreSQL, whose planner reads the featured comments' partial index by itself once it
    has statistics (the SQLite-only ``INDEXED BY`` is not sent)."""
    from sqlalchemy import event, insert, text

    from service.clock import utcnow
    from tests.service.moderation import test_queue_counts as counts

    token = logged_in(client, db)
    counts.test_tabs_count_the_reason_filter_where_it_applies_and_say_so(
        client, db, token, counts.seed(db)
    )
    with db.session() as session:  # a fresh start: the queues' comments differ per test
        session.execute(text("DELETE FROM comments"))
    counts.test_featured_only_lists_the_picks_with_a_count_and_a_link(
        client, db, token, counts.seed(db)
    )
    now = utcnow()
    many = [
        {"id": f"pg-many-{n}", "site_id": 1, "thread": f"t{n % 40}", "state": "published",
         "author_name": "A", "author_email": "a@example.org", "avatar": "0", "text": "x",
         "html": "<p>x</p>", "created_at": now, "updated_at": now}
        for n in range(5000)
    ]  # fmt: skip
    with db.engine.begin() as conn:
        conn.execute(insert(Comment), many)
        conn.execute(text("ANALYZE comments"))
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/moderation/queue/published?featured=1&site=default").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    featured_only = [(sql, p) for sql, p in seen if "featured_at IS NOT NULL" in sql]
    assert featured_only
    with db.engine.connect() as conn:
        for sql, params in featured_only:
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
            assert "Seq Scan on comments" not in plan, plan
            if "FROM reports" not in sql:  # the Reported tab starts from its few open reports
                assert "ix_comments_featured" in plan, plan


def test_a_take_down_racing_a_feature_never_leaves_a_featured_rejected_comment(
    db: Database,
) -> None:
    """A moderator features a comment while another takes it down, twenty times over:
    PostgreSQL's row lock orders the two conditional updates, so a comment is never left
    rejected and featured, and a feature is audited exactly when it was answered as done
    (one that lost is a conflict with no entry)."""
    from service.store.tables import Comment

    for _ in range(20):
        comment = stored(db, state=State.PUBLISHED, thread="pg-race")
        results = _race_take_down_and_feature(db, comment.id)
        with db.session() as session:
            row = session.get(Comment, comment.id)
            assert row is not None
            assert results["down"] is True and row.state == "rejected"
            assert row.featured_at is None and row.featured_by is None
            audited = session.scalars(
                select(AuditEntry.id).where(
                    AuditEntry.comment_id == comment.id, AuditEntry.action == "feature"
                )
            ).all()
            assert len(audited) == (1 if results["pick"] else 0)


def test_reply_notifications_on_postgres(app: Flask, db: Database, mail_server: MailServer) -> None:
    """The mail outbox's ON CONFLICT inserts work on PostgreSQL: four opted-in comments of
    one address published at once by four threads make one subscription and four
    confirmation rows (none of the publishes fails), of which the worker sends one; a
    reply restored after a take-down still has one mail, sent to a real SMTP server; and
    notify1 downgrades and upgrades again cleanly."""
    from alembic import command

    from service.store.migrate import alembic_config
    from service.store.tables_notify import MailMessage, MailSubscription
    from tests.mail_server import mail_settings
    from tests.notify_helpers import publish, send_outbox
    from tests.service.test_migrations import schema_drift

    comments = [stored(db, text=f"opt-in {i}") for i in range(4)]
    with db.session() as session:
        for c in comments:
            session.get(Comment, c.id).notify_replies = True  # type: ignore[union-attr]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run(comment_id: str) -> None:
        barrier.wait()
        try:
            publish(db, comment_id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(c.id,)) for c in comments]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert errors == []
    app.config.update(mail_settings(dict(app.config), mail_server))
    assert sorted(send_outbox(app)) == ["cancelled"] * 3 + ["sent"]
    with db.session() as session:
        subs = session.scalars(select(MailSubscription)).all()
        assert [(s.email, s.state) for s in subs] == [("ada@example.org", "pending")]
        subs[0].state = "confirmed"
    reply = stored(db, parent=comments[0].id, name="Bob", email="bob@example.org", text="Hi.")
    assert len(publish(db, reply.id)) == 1
    with db.session() as session:
        transition(
            session,
            reply.id,
            Change(State.PUBLISHED, State.REJECTED, actor="t", action="reject",
                   rejection=Rejection.MODERATOR),
        )  # fmt: skip
    assert publish(db, reply.id, expected=State.REJECTED) == []
    with db.session() as session:
        kinds = sorted(session.scalars(select(MailMessage.kind)).all())
    assert kinds == ["confirm"] * 4 + ["reply"]
    assert send_outbox(app) == ["sent"]
    assert mail_server.wait_for(2)[1]["Subject"].startswith("Bob replied")

    url = db.url
    db.dispose()
    command.downgrade(alembic_config(url), "bans2")
    upgrade(url)
    assert schema_drift(db) == []


def _race_edit_and_decision(db: Database, body: dict[str, Any], text: str) -> bool:
    """Run the worker's decision on revision 0 and the author's edit at once; return
    whether the decision changed the comment."""
    from service import edits

    barrier = threading.Barrier(2)
    decided: list[bool] = []

    def decide() -> None:
        barrier.wait()
        change = Change(State.PENDING, State.PUBLISHED, "system:worker", "classify", revision=0)
        with db.session() as session:
            decided.append(transition(session, body["id"], change) is not None)

    def edit() -> None:
        barrier.wait()
        with db.session() as session:
            edits.edit(session, body["id"], body["edit_token"], text, window_on=True)

    racers = [threading.Thread(target=decide), threading.Thread(target=edit)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    return decided[0]


def test_an_edit_racing_a_decision_on_the_text_before_never_lets_it_stand_on_postgres(
    client: FlaskClient, db: Database
) -> None:
    """The worker decides a comment on the text it scored while its author edits it, twenty
    times over: PostgreSQL's row lock orders the two conditional updates (state and
    revision), so the comment always ends pending with the new text at revision 1, and a
    decision, when it landed, landed before the edit."""
    from service.store.tables import Comment

    for i in range(20):
        body = post(client, thread="pg-edit").get_json()
        decided = _race_edit_and_decision(db, body, f"Edited {i}.")
        with db.session() as session:
            row = session.get(Comment, body["id"])
            assert row is not None
            assert (row.state, row.revision, row.text) == ("pending", 1, f"Edited {i}.")
            actions = session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.comment_id == body["id"])
                .order_by(AuditEntry.id)
            ).all()
        assert actions == ["received", *(["classify"] if decided else []), "edited"]


def test_a_reply_mail_cancelled_while_it_was_out_is_sent_once_on_postgres(
    app: Flask, db: Database, mail_server: MailServer
) -> None:
    """On PostgreSQL (the row locked FOR UPDATE): a reply's mail the job cancelled while the
    reply was out of its thread is made due again by its next publish and sent once; the
    publish after that writes nothing."""
    from service.store.tables_notify import MailSubscription
    from tests.mail_server import mail_settings
    from tests.notify_helpers import publish, send_outbox

    parent = stored(db, text="Tell me about replies.")
    with db.session() as session:
        session.get(Comment, parent.id).notify_replies = True  # type: ignore[union-attr]
    publish(db, parent.id)
    app.config.update(mail_settings(dict(app.config), mail_server))
    send_outbox(app)  # the confirmation
    with db.session() as session:
        session.scalars(select(MailSubscription)).one().state = "confirmed"
    reply = stored(db, parent=parent.id, name="Bob", email="bob@example.org", text="Hi.")
    [mail] = publish(db, reply.id)
    down = Change(State.PUBLISHED, State.REJECTED, actor="t", action="reject",
                  rejection=Rejection.MODERATOR)  # fmt: skip
    with db.session() as session:
        assert transition(session, reply.id, down) is not None
    assert send_outbox(app) == ["cancelled"]
    assert publish(db, reply.id, expected=State.REJECTED) == [mail]
    assert send_outbox(app) == ["sent"]
    assert mail_server.wait_for(2)[1]["Subject"].startswith("Bob replied")
    with db.session() as session:
        assert transition(session, reply.id, down) is not None
    assert publish(db, reply.id, expected=State.REJECTED) == []
    assert send_outbox(app) == []


def test_a_comment_the_classifier_rejected_is_withdrawn_on_postgres(
    client: FlaskClient, db: Database
) -> None:
    """rejected → rejected (withdrawn) on PostgreSQL: the conditional update on the
    rejection, the audit read after it; a second withdrawal answers the same."""
    body = post(client, thread="pg-withdraw").get_json()
    spam = Change(State.PENDING, State.REJECTED, "system:worker", "classify",
                  rejection=Rejection.SPAM)  # fmt: skip
    with db.session() as session:
        assert transition(session, body["id"], spam) is not None
    url, token = f"/api/v1/comments/{body['id']}", {"Moderato-Edit-Token": body["edit_token"]}
    for _ in range(2):
        rv = client.delete(url, headers=token)
        assert rv.status_code == 200 and rv.get_json()["rejection"] == "withdrawn"
    with db.session() as session:
        row = session.get(Comment, body["id"])
        assert row is not None and (row.text, row.rejection) == ("", "withdrawn")
