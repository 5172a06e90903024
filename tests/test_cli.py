"""The ``moderato`` console script: db upgrade, sites create, users create, score."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import worker_env

MODERATO = shutil.which("moderato") or str(Path(os.sys.executable).parent / "moderato")  # type: ignore[attr-defined]


def run(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MODERATO, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def env(settings: dict[str, Any]) -> dict[str, str]:
    return worker_env(settings)


def test_db_upgrade_creates_the_schema_and_the_default_site(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`moderato db upgrade` migrates a new database and creates the default site with its origins."""
    path = tmp_path / "fresh.db"
    result = run(["db", "upgrade"], {**env, "DATABASE_URL": f"sqlite:///{path}"})
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(path)
    slug, origins = con.execute("SELECT slug, origins FROM sites").fetchone()
    con.close()
    assert slug == "default"
    assert json.loads(origins) == ["http://127.0.0.1:8000", "http://localhost:8000"]


def test_sites_create_prints_the_slug_and_a_working_key_once(
    env: dict[str, str], client: Any
) -> None:
    """`moderato sites create --json` prints the slug and an API key the API accepts."""
    result = run(
        ["sites", "create", "--name", "Daily News", "--origin", "https://news.example/", "--json"],
        env,
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["slug"] == "daily-news"
    assert created["origins"] == ["https://news.example"]
    rv = client.post(
        "/api/v1/comments",
        json={"thread": "t", "name": "A", "email": "a@example.org", "text": "hello"},
        headers={"Authorization": f"Bearer {created['api_key']}"},
    )
    assert rv.status_code == 202


def test_users_create_reads_the_password_from_stdin_and_refuses_bad_input(
    env: dict[str, str], db: Any
) -> None:
    """`moderato users create --password-stdin` creates an argon2-hashed account; bad roles fail."""
    ok = run(
        ["users", "create", "--email", "Boss@Example.org", "--role", "admin", "--password-stdin"],
        env,
        "correct horse battery\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert "created admin boss@example.org" in ok.stdout
    again = run(
        ["users", "create", "--email", "boss@example.org", "--role", "admin", "--password-stdin"],
        env,
        "correct horse battery\n",
    )
    assert again.returncode != 0 and "exists" in again.stderr
    short = run(
        ["users", "create", "--email", "m@example.org", "--role", "moderator", "--password-stdin"],
        env,
        "short\n",
    )
    assert short.returncode != 0 and "at least" in short.stderr
    from sqlalchemy import select

    from service.store.tables import User

    with db.session() as session:
        user = session.scalars(select(User)).one()
    assert user.password_hash.startswith("$argon2id$")


def test_score_round_trips_json_lines_in_order(env: dict[str, str]) -> None:
    """`moderato score` writes one contract-shaped result per input line, errors on their own line."""
    lines = [
        json.dumps({"text": "Thanks for the article, very clear."}),
        "this is not json",
        json.dumps(
            {"text": "BUY CHEAP PILLS http://bit.ly/x", "name": "pills", "url": "http://x.example"}
        ),
    ]
    result = run(["score"], env, "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert set(out[0]) == {"spam", "toxicity", "reasons", "model_version"}
    assert "error" in out[1] and out[1]["error"]["code"]
    assert out[2]["spam"] > out[0]["spam"]


def test_sites_list_and_update_change_origins_and_mode(env: dict[str, str], client: Any) -> None:
    """An operator adds the www origin and removes the bare one of a live site, and sets its
    mode; the default port in an origin is dropped (a browser never sends :443). Review
    finding: origins could not be changed after creation."""
    created = run(
        ["sites", "create", "--name", "Town Paper", "--origin", "https://town.example:443",
         "--json"], env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["origins"] == ["https://town.example"]
    updated = run(
        ["sites", "update", "--site", "town-paper", "--add-origin", "https://www.town.example/",
         "--remove-origin", "https://town.example", "--mode", "pre"], env,
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    listed = run(["sites", "list"], env)
    assert "town-paper  'Town Paper'  mode=pre  https://www.town.example" in listed.stdout
    body = {"site": "town-paper", "thread": "t", "name": "Ada", "email": "ada@example.org",
            "text": "A fine comment."}  # fmt: skip
    www = client.post("/api/v1/comments", json=body, headers={"Origin": "https://www.town.example"})
    assert www.status_code == 202
    bare = client.post("/api/v1/comments", json=body, headers={"Origin": "https://town.example"})
    assert bare.status_code == 403
    missing = run(
        ["sites", "update", "--site", "town-paper", "--remove-origin", "https://x.example"], env
    )
    assert missing.returncode != 0 and "not an origin of town-paper" in missing.stderr


@pytest.mark.parametrize(
    ("overrides", "message", "status"),
    [
        ({"MODERATO_ENV": "prodution"}, "MODERATO_ENV='prodution' is not one of", 4),
        ({"MODERATO_ENV": "production", "MODERATO_SECRET_KEY": ""}, "MODERATO_SECRET_KEY is required", 4),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a database URL", 4),
        ({"DATABASE_URL": "mysql://u:p@127.0.0.1/x"}, "DATABASE_URL needs a database driver", 4),
        ({"DATABASE_URL": "oracle+nope://u:p@h/x"}, "DATABASE_URL needs a database driver", 4),
        ({"DATABASE_URL": "postgresql://moderato:x@127.0.0.1:9/moderato"}, "cannot use the database: ", 1),
    ],
)  # fmt: skip
def test_an_operator_mistake_is_one_line_not_a_traceback(
    env: dict[str, str], overrides: dict[str, str], message: str, status: int
) -> None:
    """A misspelt environment, a missing secret, a bad or unreachable database: one line
    saying what to fix; exit status 4 for a setting to fix, 1 for a database that is down
    (it may come back). Review finding: each printed a long traceback, and a typo in
    MODERATO_ENV was silently read as production."""
    result = run(["db", "upgrade"], {**env, **overrides})
    assert result.returncode == status
    assert result.stderr.startswith("moderato: " + message), result.stderr
    assert "Traceback" not in result.stderr


def test_comments_export_then_erase_an_address(env: dict[str, str], db: Any) -> None:
    """A commenter's request: export prints their comments as JSON; erase asks first, then
    takes them down and erases them, counting in words ("1 comment", "0 check records";
    it read "1 comment(s)"); a bad address or site is one clear line."""
    from tests.factories import stored

    comment_id = stored(db, email="Ada@Example.org", text="Ada's own words.").id
    exported = run(["comments", "export", "--email", "ada@example.org"], env)
    assert exported.returncode == 0, exported.stderr
    found = json.loads(exported.stdout)
    assert [(c["id"], c["text"]) for c in found["comments"]] == [(comment_id, "Ada's own words.")]

    declined = run(["comments", "erase", "--email", "ada@example.org"], env, stdin="n\n")
    assert declined.returncode == 1
    assert (
        "Erase 1 comment, 0 check records and 0 reply-notification subscriptions of "
        "ada@example.org on every site?" in declined.stdout
    )
    assert json.loads(run(["comments", "export", "--email", "ada@example.org"], env).stdout)[
        "comments"
    ], "declining must erase nothing"

    erased = run(["comments", "erase", "--email", "ada@example.org", "--yes"], env)
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout.startswith(
        "erased 1 comment (1 taken down), 0 check records and 0 reply-notification "
        "subscriptions of ada@example.org"
    )
    assert json.loads(run(["comments", "export", "--email", "ada@example.org"], env).stdout) == {
        "email": "ada@example.org", "comments": [], "checks": [], "bans": [],
        "ban_history": [], "reply_notifications": []
    }  # fmt: skip
    again = run(["comments", "erase", "--email", "ada@example.org", "--yes"], env)
    assert (
        again.stdout.strip()
        == "no comments, check records or subscriptions of ada@example.org to erase"
    )

    bad = run(["comments", "erase", "--email", "not an address"], env)
    assert bad.returncode == 1 and "is not an e-mail address" in bad.stderr
    nosite = run(["comments", "export", "--email", "ada@example.org", "--site", "nope"], env)
    assert nosite.returncode == 1 and "there is no site 'nope'" in nosite.stderr


def test_comments_export_of_one_site(env: dict[str, str], db: Any) -> None:
    """`comments export --site S` prints only that site's comments of the address (in the
    same shape as every export) and records the export against that site."""
    from sqlalchemy import select

    from service import sites as site_ops
    from service.store.tables import AuditEntry
    from tests.factories import stored

    with db.session() as session:
        other = site_ops.create(session, "Other Paper", ["https://other.example"]).site
        other_slug, other_id = other.slug, other.id
    here = stored(db, email="ada@example.org", text="On the default site.").id
    there = stored(db, site=other_slug, email="ADA@example.org", text="On the other one.").id

    both = json.loads(run(["comments", "export", "--email", "ada@example.org"], env).stdout)
    assert [c["id"] for c in both["comments"]] == [here, there]
    one = run(["comments", "export", "--email", "ada@example.org", "--site", other_slug], env)
    assert one.returncode == 0, one.stderr
    found = json.loads(one.stdout)
    assert found.keys() == both.keys()
    assert [(c["id"], c["site"]) for c in found["comments"]] == [(there, other_slug)]
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "privacy_export").order_by(AuditEntry.id)
        ).all()
        assert [(e.site_id, e.details["comments"]) for e in entries] == [(None, 2), (other_id, 1)]
    assert "--site" in run(["comments", "export", "--help"], env).stdout


def test_run_allows_its_own_port_given_as_an_option(env: dict[str, str], tmp_path: Path) -> None:
    """`moderato run --port 8732` (no PORT in the environment) makes the default site allow
    http://127.0.0.1:8732, so the demo embed works there (it read only PORT; found in
    review). The database step is the one `run` takes before starting anything."""
    path = tmp_path / "port.db"
    code = "from service.runner import prepare_database; prepare_database(8732)"
    subprocess.run(
        [os.sys.executable, "-c", code],  # type: ignore[attr-defined]
        env={**{k: v for k, v in env.items() if k != "PORT"}, "DATABASE_URL": f"sqlite:///{path}"},
        check=True,
        timeout=120,
    )
    con = sqlite3.connect(path)
    (origins,) = con.execute("SELECT origins FROM sites WHERE slug = 'default'").fetchone()
    con.close()
    assert "http://127.0.0.1:8732" in json.loads(origins)


def test_setup_link_uses_the_public_url(env: dict[str, str]) -> None:
    """`moderato users setup-link` on a server prints a link on MODERATO_PUBLIC_URL, not on
    127.0.0.1 (found in review); --base-url still wins."""
    public = {**env, "MODERATO_PUBLIC_URL": "https://comments.example/c/"}
    result = run(["users", "setup-link"], public)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("https://comments.example/c/moderation/setup?token=")
    given = run(["users", "setup-link", "--base-url", "https://other.example"], public)
    assert given.stdout.startswith("https://other.example/moderation/setup?token=")


@pytest.mark.parametrize("public_url", ["https://comments.example/c", ""])
def test_db_upgrade_in_production_allows_no_localhost_origin(
    env: dict[str, str], tmp_path: Path, public_url: str
) -> None:
    """In production the `default` site starts with no allowed origins, never
    http://127.0.0.1:8000 and http://localhost:8000 (a reader's local page could post);
    moderato's own pages are trusted without one."""
    path = tmp_path / "prod.db"
    prod = {
        **env,
        "DATABASE_URL": f"sqlite:///{path}",
        "MODERATO_ENV": "production",
        "MODERATO_SECRET_KEY": "p" * 40,
        "MODERATO_SWEEP_AGE": "60",
        "MODERATO_PUBLIC_URL": public_url,
    }
    result = run(["db", "upgrade"], prod)
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(path)
    (stored,) = con.execute("SELECT origins FROM sites WHERE slug = 'default'").fetchone()
    con.close()
    assert json.loads(stored) == []
