"""``moderato sites policy``: show, dry-run and change a site's decision policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from service.status import State
from service.store import Database
from service.store.tables import AuditEntry, Comment, Site
from tests.conftest import worker_env
from tests.factories import stored
from tests.test_cli import run


@pytest.fixture
def env(settings: dict[str, Any]) -> dict[str, str]:
    return worker_env(settings)


def test_policy_prints_changes_and_audits_as_cli(env: dict[str, str], db: Database) -> None:
    """Without changes it prints the policy; with them it saves, prints and audits once."""
    shown = run(["sites", "policy", "--site", "default"], env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["reject_above"] == {"spam": 0.95, "toxicity": 0.98}
    args = ["--reject-above", "spam=0.99", "--new-authors", "hold"]
    changed = run(["sites", "policy", "--site", "default", *args], env)
    assert changed.returncode == 0, changed.stderr
    assert "policy saved" in changed.stderr
    with db.session() as session:
        policy = session.scalars(select(Site.policy).where(Site.slug == "default")).one()
        assert policy["reject_above"]["spam"] == 0.99 and policy["new_authors"] == "hold"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "policy_changed"))
        assert [e.actor for e in entry] == ["cli"]


def test_dry_run_replays_and_saves_nothing(env: dict[str, str], db: Database) -> None:
    """--dry-run prints the replay table (current against proposed) and leaves the policy."""
    for spam in (0.2, 0.97):
        row = stored(db, state=State.PUBLISHED)
        with db.session() as session:
            session.execute(
                update(Comment).where(Comment.id == row.id).values(spam=spam, toxicity=0.0)
            )
    result = run(
        ["sites", "policy", "--site", "default", "--reject-above", "spam=0.99", "--dry-run"], env
    )
    assert result.returncode == 0, result.stderr
    assert "2 scored comments replayed" in result.stdout
    assert [
        line.split()[-2:] for line in result.stdout.splitlines() if "automatically" in line
    ] == [
        ["1", "1"],  # published
        ["1", "0"],  # rejected
    ]
    with db.session() as session:
        policy = session.scalars(select(Site.policy).where(Site.slug == "default")).one()
        assert policy["reject_above"]["spam"] == 0.95


def test_bad_values_are_refused_with_a_clear_message(env: dict[str, str], db: Database) -> None:
    """A threshold out of range, an unknown score or a reject threshold below the publish
    one exits non-zero with the reason, and an unknown site is named."""
    for args, said in (
        (["--reject-above", "spam=2"], "use spam=N or toxicity=N"),
        (["--publish-below", "links=0.5"], "use spam=N or toxicity=N"),
        (["--publish-below", "spam=0.97"], "publish_below.spam must not exceed reject_above.spam"),
    ):
        result = run(["sites", "policy", "--site", "default", *args], env)
        assert result.returncode != 0 and said in result.stderr, result.stderr
    missing = run(["sites", "policy", "--site", "nope"], env)
    assert missing.returncode == 1 and "there is no site 'nope'" in missing.stderr


def test_sites_update_mode_is_audited_like_the_policy_command(
    env: dict[str, str], db: Database
) -> None:
    """`sites update --mode` changes the policy through the same audited path (actor cli;
    found in review: it wrote no audit entry)."""
    result = run(["sites", "update", "--site", "default", "--mode", "post"], env)
    assert result.returncode == 0, result.stderr
    with db.session() as session:
        policy = session.scalars(select(Site.policy).where(Site.slug == "default")).one()
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "policy_changed")
        ).all()
    assert policy["mode"] == "post"
    assert [(e.actor, e.details["after"]["mode"]) for e in entries] == [("cli", "post")]
