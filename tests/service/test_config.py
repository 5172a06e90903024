"""Settings as an operator writes them: an env file copied from .env.example must work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

from service import config, create_app
from tests.conftest import SECRET


def _env_file_values() -> dict[str, str]:
    """Return every KEY=value of .env.example, as a process manager would set them."""
    values = {}
    for line in (Path(__file__).resolve().parents[2] / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_example_env_file_loads_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative instance path, empty MODEL_DIR and the list setting all load (review finding:
    the first raised, the second stopped the worker, the third broke `set -a; . .env`)."""
    values = {**_env_file_values(), "MODERATO_SECRET_KEY": SECRET}
    monkeypatch.chdir(tmp_path)
    with patch.dict(os.environ, values, clear=False):
        app = create_app()
    assert Path(app.instance_path) == tmp_path / "instance"
    assert app.config["MODEL_DIR"] is None
    assert app.config["CLASSIFY_RETRY_INTERVALS"] == [2, 10, 30]
    assert app.config["DATABASE_URL"].startswith("sqlite:///")


def test_a_postgres_scheme_url_is_read_as_postgresql(tmp_path: Path) -> None:
    """Hosted PostgreSQL services hand out postgres://…, which SQLAlchemy does not know."""
    with patch.dict(os.environ, {"DATABASE_URL": "postgres://u:p@db.example:5432/moderato"}):
        cfg = config.load(str(tmp_path), {"SECRET_KEY": SECRET})
    assert cfg["DATABASE_URL"] == "postgresql://u:p@db.example:5432/moderato"


def test_the_demo_page_is_off_in_production_unless_turned_on(tmp_path: Path) -> None:
    """/demo is a public thread anyone can post to: on in development and testing, off in
    production unless MODERATO_DEMO_PAGE turns it on (review finding: it was always on)."""
    base = {"SECRET_KEY": SECRET}
    assert config.load(str(tmp_path), {**base, "ENV": "development"})["DEMO_PAGE"] is True
    assert config.load(str(tmp_path), {**base, "ENV": "production"})["DEMO_PAGE"] is False
    with patch.dict(os.environ, {"MODERATO_ENV": "production", "MODERATO_DEMO_PAGE": "true"}):
        assert config.load(str(tmp_path), base)["DEMO_PAGE"] is True


def test_public_url_fixes_the_addresses_moderato_writes(settings: dict[str, Any]) -> None:
    """With MODERATO_PUBLIC_URL a forged Host header (or X-Forwarded-Proto) no longer
    decides a comment's Location and status_url (found in review); a bad value is refused."""
    import pytest

    from service import create_app
    from service.config import ConfigError, public_url

    app = create_app({**settings, "PUBLIC_URL": public_url("https://comments.example/")})
    client = app.test_client()
    rv = client.post(
        "/api/v1/comments",
        json={"thread": "t", "name": "Ada", "email": "ada@example.org", "text": "Hello there."},
        headers={"Host": "evil.example", "X-Forwarded-Proto": "http"},
    )
    assert rv.status_code == 202
    assert rv.headers["Location"].startswith("https://comments.example/api/v1/comments/")
    assert rv.get_json()["status_url"] == rv.headers["Location"]
    for bad in ("comments.example", "ftp://x.example", "https://x.example/?a=1"):
        with pytest.raises(ConfigError):
            public_url(bad)


def test_the_web_process_warns_once_when_production_has_no_public_url(tmp_path: Path) -> None:
    """gunicorn's app (service.wsgi) in production without MODERATO_PUBLIC_URL says that
    absolute URLs follow the Host header; with it set, nothing is said."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "MODERATO_ENV": "production",
        "MODERATO_SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
        "MODERATO_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    env.pop("MODERATO_PUBLIC_URL", None)
    code = "import service.wsgi"
    bare = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bare.returncode == 0, bare.stderr
    assert bare.stderr.count("MODERATO_PUBLIC_URL is not set") == 1
    env["MODERATO_PUBLIC_URL"] = "https://comments.example"
    set_ = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert set_.returncode == 0 and "MODERATO_PUBLIC_URL" not in set_.stderr
