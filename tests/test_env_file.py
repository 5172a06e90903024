"""``.env`` in the working directory configures moderato (as .env.example says); the real
environment wins over it. Review finding: the file was never read."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import ConfigError
from tests.test_settings_startup import BIN, clean_env


def test_the_parser_reads_compose_style_lines() -> None:
    """Comments, blank lines, ``export``, quotes and a comment after an unquoted value."""
    from service.envfile import parse

    text = (
        "# a comment\n\nMODERATO_ENV=production\nexport PORT=8001\n"
        "MODERATO_MAIL_FROM='News <c@news.example>'\nMODERATO_PUBLIC_URL=\"https://c.example\"\n"
        "MODERATO_SWEEP_AGE=90   # seconds\nMODERATO_MODEL_DIR=\nMODERATO_X=a#b\n"
    )
    assert parse(text) == {
        "MODERATO_ENV": "production",
        "PORT": "8001",
        "MODERATO_MAIL_FROM": "News <c@news.example>",
        "MODERATO_PUBLIC_URL": "https://c.example",
        "MODERATO_SWEEP_AGE": "90",
        "MODERATO_MODEL_DIR": "",
        "MODERATO_X": "a#b",
    }
    with pytest.raises(ConfigError, match=r"\.env:2: expected NAME=value"):
        parse("A=1\nnot a setting\n")
    with pytest.raises(ConfigError, match="no closing quote"):
        parse("A='open\n")


def test_moderato_reads_dot_env_and_the_environment_wins(tmp_path: Path) -> None:
    """`moderato db upgrade` in a folder with a .env uses its DATABASE_URL and settings; a
    variable set in the environment overrides the file's."""
    from_file = tmp_path / "from-file.db"
    (tmp_path / ".env").write_text(
        f"DATABASE_URL=sqlite:///{from_file}\nMODERATO_ENV=production\n"
        f"MODERATO_SECRET_KEY={'s' * 40}\n"
    )
    env = clean_env(tmp_path)
    del env["MODERATO_ENV_FILE"], env["DATABASE_URL"]
    result = subprocess.run(
        [str(BIN / "moderato"), "db", "upgrade"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(from_file)
    assert con.execute("SELECT slug FROM sites").fetchall() == [("default",)]
    con.close()

    env["MODERATO_SECRET_KEY"] = "short"  # the environment wins: refused in production
    refused = subprocess.run(
        [str(BIN / "moderato"), "db", "current"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 4
    assert "MODERATO_SECRET_KEY is 5 characters" in refused.stderr


def test_the_web_app_reads_dot_env_too(tmp_path: Path) -> None:
    """gunicorn's app (service.wsgi) reads the .env of its working directory."""
    (tmp_path / ".env").write_text("MODERATO_ENV=prod\n")
    env = clean_env(tmp_path)
    del env["MODERATO_ENV_FILE"]
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(root)!r}); import service.wsgi"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 4
    assert result.stderr.strip() == (
        "moderato: MODERATO_ENV='prod' is not one of development, testing, production"
    )
