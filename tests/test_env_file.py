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


def test_values_are_interpolated_as_compose_does() -> None:
    """``$VAR`` and ``${VAR…}`` forms take the environment first, then the file's earlier
    lines; single quotes are literal, ``$$`` is a dollar, double quotes know escapes (the
    file was read literally, so a value meant one thing to Compose and another to us)."""
    from service.envfile import parse

    env = {"PGPASSWORD": "s3cret", "EMPTY": "", "HOST": "db.internal"}
    text = (
        "USER=moderato\n"
        "DATABASE_URL=postgresql+psycopg://$USER:${PGPASSWORD}@${HOST}:5432/moderato\n"
        "PORT=${PORT:-8000}\nA=${EMPTY:-fallback}\nB=${EMPTY-kept empty}\nC=${USER:+yes}\n"
        'D=${NOPE:+no}\nE=${NOPE:-${USER:-x}/nested}\nF=\'$USER ${HOST}\'\nG="$USER\\t\\"q\\""\n'
        "H=price $$5 and $ alone\nI='it\\'s'  # a comment\nJ=\"x # not a comment\" # a comment\n"
        "HOST=ignored\nK=$HOST\n"
    )
    assert parse(text, environ=env) == {
        "USER": "moderato",
        "DATABASE_URL": "postgresql+psycopg://moderato:s3cret@db.internal:5432/moderato",
        "PORT": "8000",
        "A": "fallback",
        "B": "",
        "C": "yes",
        "D": "",
        "E": "moderato/nested",
        "F": "$USER ${HOST}",
        "G": 'moderato\t"q"',
        "H": "price $5 and $ alone",
        "I": "it's",
        "J": "x # not a comment",
        "HOST": "ignored",
        "K": "db.internal",  # the environment wins, as it does for HOST itself
    }


def test_interpolation_errors_name_the_line() -> None:
    """A required variable that is missing, an unclosed brace, an unknown form, and text
    after a closing quote are errors with the file and line."""
    from service.envfile import parse

    with pytest.raises(ConfigError, match=r"\.env:2: SECRET is required: set it in \.env"):
        parse("A=1\nB=${SECRET:?set it in .env}\n", environ={})
    with pytest.raises(ConfigError, match=r"\.env:1: SECRET is required"):
        parse("B=${SECRET?}\n", environ={})
    assert parse("B=${SECRET?}\n", environ={"SECRET": ""}) == {"B": ""}
    with pytest.raises(ConfigError, match=r"\.env:1: a \$\{ has no closing \}"):
        parse("B=${A:-x\n", environ={})
    with pytest.raises(ConfigError, match="not a form Compose knows"):
        parse("B=${A/x/y}\n", environ={})
    with pytest.raises(ConfigError, match="goes on after its closing quote"):
        parse("B='x' y\n", environ={})


def test_an_interpolated_setting_reaches_moderato(tmp_path: Path) -> None:
    """`moderato db upgrade` uses a DATABASE_URL built from the environment and the file."""
    (tmp_path / ".env").write_text("NAME=from-file\nDATABASE_URL=sqlite:///${DB_DIR}/${NAME}.db\n")
    env = clean_env(tmp_path)
    del env["MODERATO_ENV_FILE"], env["DATABASE_URL"]
    env["DB_DIR"] = str(tmp_path / "data")
    (tmp_path / "data").mkdir()
    result = subprocess.run(
        [str(BIN / "moderato"), "db", "upgrade"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "from-file.db").is_file()


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
