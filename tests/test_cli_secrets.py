"""Passwords in settings URLs never reach a terminal or a log: every `moderato` command,
error line and banner that names REDIS_URL, DATABASE_URL or MODERATO_SMTP_URL shows it
through ``service.masking.masked``, run as an operator runs them (the real console script,
real Redis and PostgreSQL, closed ports for the unreachable ones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from service import sites as site_ops
from service.embedded_redis import free_port
from service.integrations.webhooks import create_endpoint
from service.masking import masked, masked_urls
from service.store import Database
from service.store.tables import WebhookDelivery
from tests.conftest import worker_env
from tests.factories import stored
from tests.postgres import TempPostgres, find_bindir
from tests.test_cli import run
from tests.test_run_redis import moderato_run

SECRET = "hunter2-s3cret"
BINDIR = find_bindir()
needs_postgres = pytest.mark.skipif(BINDIR is None, reason="PostgreSQL binaries not installed")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("rediss://default:pw@cache.internal:6380", "rediss://default:***@cache.internal:6380"),
        ("redis://cache:6379/0?password=pw&db=2", "redis://cache:6379/0?password=***&db=2"),
        ("unix:///run/redis.sock?password=pw", "unix:///run/redis.sock?password=***"),
        (
            "postgresql+psycopg://u:p%40ss@db:5432/m?sslmode=require&sslpassword=pw",
            "postgresql+psycopg://u:***@db:5432/m?sslmode=require&sslpassword=***",
        ),
        ("smtp://mailer:pa/ss@mail.example:587", "smtp://***@mail.example:587"),
        ("smtps://mailer:pa#ss@mail.example", "smtps://***@mail.example"),
        ("redis://user@cache/0", "redis://user@cache/0"),
        ("sqlite:////srv/a@b/moderato.db", "sqlite:////srv/a@b/moderato.db"),
        ("redis://[::1", "(an unparsable URL)"),
    ],
)
def test_masked_hides_passwords_in_userinfo_and_query(url: str, shown: str) -> None:
    """A password goes, whether in ``user:password@``, in a query parameter (libpq and
    redis-py read ``?password=``) or unencoded with a / ? # that ends the host part early;
    the user, host, port, path and other parameters stay; a URL with none is left as is."""
    assert masked(url) == shown


def test_masked_urls_masks_the_urls_inside_a_message() -> None:
    """An error line that quotes a URL shows it masked, the rest of the line kept."""
    said = f"not 'smtp://m:{SECRET}@mail.example:25x' (bad port)"
    assert masked_urls(said) == "not 'smtp://m:***@mail.example:25x' (bad port)"


@pytest.fixture
def delivery_id(db: Database) -> str:
    """A delivery of a stored comment to a (public) endpoint of the default site."""
    with db.session() as session:
        site = site_ops.by_slug(session, "default")
        assert site is not None
        create_endpoint(
            session, site, "https://hooks.example/in", ["comment.received"], allow_private=False,
            resolver=lambda h, p: ["93.184.215.14"],
        )  # fmt: skip
    stored(db)
    with db.session() as session:
        found = session.scalars(select(WebhookDelivery.id)).first()
        assert found is not None
        return found


@pytest.mark.parametrize(
    ("form", "shown"),
    [
        ("redis://:{secret}@127.0.0.1:{port}/0", "redis://:***@127.0.0.1:{port}/0"),
        ("redis://127.0.0.1:{port}/0?password={secret}", "redis://127.0.0.1:{port}/0?password=***"),
    ],
    ids=["userinfo", "query"],
)
def test_redeliver_names_an_unreachable_redis_without_its_password(
    settings: dict[str, Any], delivery_id: str, form: str, shown: str
) -> None:
    """`moderato webhooks redeliver` with Redis away says which Redis did not answer, with
    its password masked (it printed REDIS_URL as given)."""
    port = free_port()
    url = form.format(secret=SECRET, port=port)
    result = run(["webhooks", "redeliver", delivery_id], worker_env({**settings, "REDIS_URL": url}))
    assert result.returncode == 0, result.stderr
    assert f"but Redis at {shown.format(port=port)} did not answer" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_status_masks_a_password_in_either_url_and_in_the_query(settings: dict[str, Any]) -> None:
    """`moderato status` with both unreachable names them with scheme, user and host and no
    password: neither ``user:password@`` nor ``?password=`` (the database's was cut at "@",
    which kept a password in its query; the Redis one's query was printed whole)."""
    db_port, redis_port = free_port(), free_port()
    env = worker_env(
        {
            **settings,
            "DATABASE_URL": f"postgresql+psycopg://moderato:{SECRET}@127.0.0.1:{db_port}/m"
            f"?connect_timeout=2&sslpassword={SECRET}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0?password={SECRET}",
        }
    )
    result = run(["status"], env)
    assert result.returncode == 1
    assert (
        f"database   UNREACHABLE (postgresql+psycopg://moderato:***@127.0.0.1:{db_port}/m"
        "?connect_timeout=2&sslpassword=***)"
    ) in result.stdout, result.stdout + result.stderr
    assert f"redis      UNREACHABLE (redis://127.0.0.1:{redis_port}/0?password=***)" in (
        result.stdout
    )
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        (
            "MODERATO_SMTP_URL",
            "smtp://mailer:{secret}/x@mail.example:587",
            "MODERATO_SMTP_URL has a bad port: 'smtp://***@mail.example:587'",
        ),
        (
            "REDIS_URL",
            "redis://:{secret}/x@127.0.0.1:6379/0",
            "REDIS_URL is not a Redis URL (its port is not a number)",
        ),
        (
            "MODERATO_METRICS_TOKEN",
            "{secret}",
            "MODERATO_METRICS_TOKEN must be empty, or a token of at least 16 characters",
        ),
        (
            "MODERATO_PUBLIC_URL",
            "https://staff:{secret}@comments.example/?from=env",
            "MODERATO_PUBLIC_URL='https://staff:***@comments.example/?from=env' must be",
        ),
    ],
    ids=["smtp", "redis", "metrics-token", "public-url"],
)
def test_a_bad_secret_setting_is_refused_without_printing_it(
    settings: dict[str, Any], name: str, value: str, said: str
) -> None:
    """A password with an unencoded "/" makes urllib read part of it as the port: the SMTP
    error printed the URL whole and the Redis one quoted that "port"; a metrics token too
    short printed the token; any URL an error line quotes (here a public URL with a query,
    which is refused) is masked. Each is one line naming the setting, and no secret."""
    secret = "s3cret pw" if name == "MODERATO_METRICS_TOKEN" else "s3cret-pw"
    env = {**worker_env(settings), name: value.format(secret=secret)}
    if name == "MODERATO_SMTP_URL":
        env.update(
            MODERATO_MAIL_FROM="comments@news.example", MODERATO_PUBLIC_URL="https://c.example"
        )
    result = run(["status"], env)
    assert result.returncode == 4, result.stdout + result.stderr
    assert result.stderr.startswith(f"moderato: {said}"), result.stderr
    assert "s3cret" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def postgres() -> Iterator[TempPostgres]:
    """A real PostgreSQL server (trust authentication: any password is accepted)."""
    assert BINDIR is not None
    server = TempPostgres(BINDIR).start()
    yield server
    server.stop()


def _with_password(postgres: TempPostgres, name: str) -> str:
    """Return a new database's URL with a password, in the userinfo and in the query."""
    plain = postgres.create_database(name)
    return plain.replace("postgres@", f"postgres:{SECRET}@") + f"?sslpassword={SECRET}"


@needs_postgres
def test_db_upgrade_says_which_database_without_its_password(
    settings: dict[str, Any], postgres: TempPostgres
) -> None:
    """`moderato db upgrade` names the database it migrated, password masked (it cut the
    URL at "@", which kept a password in its query)."""
    url = _with_password(postgres, "secrets_upgrade")
    result = run(["db", "upgrade"], {**worker_env(settings), "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert f"database ready: {masked(url)}" in result.stdout
    assert "postgres:***@" in result.stdout and "sslpassword=***" in result.stdout
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.slow
@needs_postgres
def test_the_run_banner_masks_the_database_password(tmp_path: Path, postgres: TempPostgres) -> None:
    """`moderato run`'s banner names the database with its password masked, like Redis's."""
    url = _with_password(postgres, "secrets_run")
    with moderato_run(tmp_path, DATABASE_URL=url):
        out = (tmp_path / "run.log").read_text()
    assert f"moderato is running (database {masked(url)}, redis redis://" in out, out
    assert SECRET not in out
