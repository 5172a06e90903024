"""Health and readiness endpoints."""

from __future__ import annotations

import os
from typing import Any

from flask.testing import FlaskClient

from service import create_app
from service.embedded_redis import free_port


def test_healthz_answers_ok(client: FlaskClient) -> None:
    """/healthz answers 200 {"status": "ok"} while the process is up."""
    rv = client.get("/healthz")
    assert rv.status_code == 200
    assert rv.get_json() == {"status": "ok"}


def test_readyz_checks_database_and_redis(client: FlaskClient) -> None:
    """/readyz answers 200 with both checks ok when the database and Redis answer."""
    rv = client.get("/readyz")
    assert rv.status_code == 200
    assert rv.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_names_redis_when_it_is_down(settings: dict[str, Any]) -> None:
    """/readyz answers 503 naming the redis check when nothing listens at REDIS_URL."""
    app = create_app({**settings, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    rv = app.test_client().get("/readyz")
    body = rv.get_json()
    assert rv.status_code == 503
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert body["error"]["code"] == "service_unavailable"
    assert "redis" in body["error"]["message"]
    assert rv.headers["Retry-After"]


def test_web_fsyncs_every_commit_and_the_worker_role_uses_normal(settings: dict[str, Any]) -> None:
    """The web process opens SQLite with synchronous=FULL, a worker-role app with NORMAL."""
    web = create_app({**settings, "SQLITE_SYNCHRONOUS": "FULL"})
    worker = create_app({**settings, "SQLITE_SYNCHRONOUS": "FULL", "PROCESS_ROLE": "worker"})
    levels = []
    for app in (web, worker):
        with app.extensions["moderato.db"].engine.connect() as conn:
            levels.append(conn.exec_driver_sql("PRAGMA synchronous").scalar())
        app.extensions["moderato.db"].dispose()
    assert levels == [2, 1]  # FULL, NORMAL


def test_readyz_is_not_ready_before_the_schema_is_migrated(
    settings: dict[str, Any], tmp_path: Any
) -> None:
    """A reachable but empty database is not ready: every request would be a 500 (review
    finding: /readyz said ok). The answer says what to run."""
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    rv = app.test_client().get("/readyz")
    assert rv.status_code == 503
    assert rv.get_json()["checks"]["database"] == (
        "error: schema at nothing, run `moderato db upgrade`"
    )


def test_a_schema_newer_than_the_code_is_ready_and_an_older_one_is_not(
    settings: dict[str, Any], db: Any
) -> None:
    """During a rolling upgrade the processes still on the release before serve a schema
    migrated by the new one (they answered 503; found in review); a schema behind the
    code is still not ready. `moderato run` on a newer schema runs without migrating, and
    `moderato db downgrade` takes it back to a revision of this release."""
    from click.testing import CliRunner
    from sqlalchemy import text

    from service.cli import main
    from service.runner import prepare_database
    from service.store.migrate import head
    from tests.conftest import worker_env

    def ready() -> int:
        return create_app(settings).test_client().get("/readyz").status_code

    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from_a_newer_release'"))
    assert ready() == 200
    env = worker_env(settings)
    current = CliRunner().invoke(main, ["db", "current"], env=env)
    assert "from_a_newer_release (newer than this code)" in current.output
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        prepare_database()  # does not die on a revision it cannot locate
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head()})
    assert ready() == 200
    refused = CliRunner().invoke(main, ["db", "downgrade", "nonsense"], env=env)
    assert refused.exit_code != 0 and "not a revision of this release" in refused.output
    back = CliRunner().invoke(main, ["db", "downgrade", "keys1"], env=env)
    assert back.exit_code == 0, back.output
    assert ready() == 503  # behind the code: run `moderato db upgrade`
    assert CliRunner().invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    assert ready() == 200
