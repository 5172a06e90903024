"""Every setting is checked as a process starts: a bad value stops each entry point (a
``moderato`` command, ``moderato web``, gunicorn's app) with one line naming the variable,
never a traceback, a 500 on every request or a sweep thread that dies quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
GOOD_PROD_SECRET = "k" * 48
SWEEP_INTERVAL_LINE = (
    "moderato: MODERATO_SWEEP_INTERVAL='abc' must be a number of seconds of at least 0.1"
)

#: (environment, the variable the one line must name): each was a traceback, a 500 on
#: every request, a silent or busy sweep, or accepted (review findings).
BAD = [
    ({"MODERATO_ENV": "production", "MODERATO_SECRET_KEY": ""}, "MODERATO_SECRET_KEY"),
    ({"MODERATO_ENV": "production", "MODERATO_SECRET_KEY": "x"}, "MODERATO_SECRET_KEY"),
    ({"MODERATO_ENV": "prod"}, "MODERATO_ENV"),
    ({"DATABASE_URL": "foo://x"}, "DATABASE_URL"),
    # SQLAlchemy raises a plain ValueError for a port that is not a number: a traceback
    ({"DATABASE_URL": "postgresql+psycopg://u:secret@h:notaport/db"}, "DATABASE_URL"),
    ({"REDIS_URL": "notaurl"}, "REDIS_URL"),
    # redis-py passes a query parameter it does not know on to the connection, which
    # raised a TypeError at the first command: a traceback from the worker and `status`
    ({"REDIS_URL": "redis://127.0.0.1:6379/0?sslmode=require"}, "REDIS_URL"),
    ({"MODERATO_SQLITE_SYNCHRONOUS": "fast"}, "MODERATO_SQLITE_SYNCHRONOUS"),
    ({"MODERATO_WORKER_SQLITE_SYNCHRONOUS": "1"}, "MODERATO_WORKER_SQLITE_SYNCHRONOUS"),
    ({"MODERATO_TRUSTED_PROXIES": "yes"}, "MODERATO_TRUSTED_PROXIES"),
    ({"MODERATO_TRUSTED_PROXIES": "-1"}, "MODERATO_TRUSTED_PROXIES"),
    ({"MODERATO_MAX_CONTENT_LENGTH": "lots"}, "MODERATO_MAX_CONTENT_LENGTH"),
    ({"MODERATO_MAX_CONTENT_LENGTH": "64k"}, "MODERATO_MAX_CONTENT_LENGTH"),
    ({"MODERATO_ANON_RATE_PER_MINUTE": "0"}, "MODERATO_ANON_RATE_PER_MINUTE"),
    ({"MODERATO_KEY_RATE_BURST": "0"}, "MODERATO_KEY_RATE_BURST"),
    ({"MODERATO_SWEEP_INTERVAL": "abc"}, "MODERATO_SWEEP_INTERVAL"),
    ({"MODERATO_SWEEP_INTERVAL": "0"}, "MODERATO_SWEEP_INTERVAL"),
    ({"MODERATO_SWEEP_AGE": "5"}, "MODERATO_SWEEP_AGE"),
    ({"MODERATO_CLASSIFY_RETRY_INTERVALS": "2,10"}, "MODERATO_CLASSIFY_RETRY_INTERVALS"),
    ({"MODERATO_CHECK_EMAIL_DELIVERABILITY": "maybe"}, "MODERATO_CHECK_EMAIL_DELIVERABILITY"),
    ({"MODERATO_WEBHOOK_TIMEOUT": "soon"}, "MODERATO_WEBHOOK_TIMEOUT"),
    ({"MODERATO_LIST_PAGE_SIZE": "500"}, "MODERATO_LIST_PAGE_SIZE"),
    ({"MODERATO_LOGIN_WINDOW": "15m"}, "MODERATO_LOGIN_WINDOW"),
    ({"MODERATO_MODERATION_SESSION_HOURS": "0"}, "MODERATO_MODERATION_SESSION_HOURS"),
    ({"MODERATO_MODEL_DIR": "/nonexistent/models"}, "MODERATO_MODEL_DIR"),
    ({"MODERATO_DEMO_PAGE": "sometimes"}, "MODERATO_DEMO_PAGE"),
    ({"MODERATO_METRICS_TOKEN": "short"}, "MODERATO_METRICS_TOKEN"),
    ({"PORT": "http"}, "PORT"),
    ({"PORT": "\u00b2"}, "PORT"),  # isdigit() is true of it, int() refuses: a traceback
]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of an operator's shell: no test settings, an SQLite file, no .env."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MODERATO_") and k not in ("DATABASE_URL", "REDIS_URL", "PORT")
    }
    env.update(
        MODERATO_INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path}/m.db",
        MODERATO_ENV_FILE="",
    )
    env.update(extra)
    return env


def one_line_error(result: subprocess.CompletedProcess[str], variable: str) -> None:
    """Assert a non-zero exit and one stderr line, naming ``variable``, without a traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0], lines[0]


@pytest.mark.parametrize(("bad", "variable"), BAD, ids=[next(iter(b)) for b, _ in BAD])
def test_a_bad_setting_stops_a_command_with_one_line(
    tmp_path: Path, bad: dict[str, str], variable: str
) -> None:
    """`moderato db current` with a bad value: exit 4, one line naming the variable."""
    result = subprocess.run(
        [str(BIN / "moderato"), "db", "current"],
        env=clean_env(tmp_path, **bad),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    one_line_error(result, variable)


@pytest.mark.parametrize(
    ("command", "bad", "variable"),
    [
        (["worker"], {"MODERATO_SWEEP_INTERVAL": "abc"}, "MODERATO_SWEEP_INTERVAL"),
        (["worker"], {"MODERATO_SWEEP_INTERVAL": "0"}, "MODERATO_SWEEP_INTERVAL"),
        (["worker"], {"REDIS_URL": "notaurl"}, "REDIS_URL"),
        (["run"], {"REDIS_URL": "notaurl"}, "REDIS_URL"),
        (["worker"], {"REDIS_URL": "redis://127.0.0.1:1/0?pasword=s3cret"}, "REDIS_URL"),
        (["status"], {"REDIS_URL": "redis://127.0.0.1:1/0?Password=s3cret"}, "REDIS_URL"),
        (
            ["db", "upgrade"],
            {"MODERATO_SECRET_KEY": "x" * 31, "MODERATO_ENV": "production"},
            "MODERATO_SECRET_KEY",
        ),
        (["users", "setup-link"], {"MODERATO_LOG_LEVEL": "loud"}, "MODERATO_LOG_LEVEL"),
        # --port read PORT through Click: a usage error, exit 2 (found in review)
        (["run"], {"PORT": "abc"}, "PORT"),
        (["web"], {"PORT": "abc"}, "PORT"),
        (["web"], {"PORT": "99999"}, "PORT"),
    ],
)
def test_every_entry_point_checks_the_settings(
    tmp_path: Path, command: list[str], bad: dict[str, str], variable: str
) -> None:
    """The worker (its sweep read SWEEP_INTERVAL only in its thread, which died quietly on
    `abc` and spun on 0), `run` and the other commands stop with the same one line."""
    result = subprocess.run(
        [str(BIN / "moderato"), *command], env=clean_env(tmp_path, **{"PORT": "18999", **bad}),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    one_line_error(result, variable)
    assert result.returncode == 4


@pytest.mark.parametrize(
    "url",
    [
        "redis://:pw@127.0.0.1:6379/0?socket_timeout=3&health_check_interval=5",
        "unix:///run/redis.sock?password=pw&db=1",
        "rediss://127.0.0.1:6380/0?ssl_cert_reqs=none",
    ],
)
def test_a_redis_url_with_parameters_redis_py_takes_passes(tmp_path: Path, url: str) -> None:
    """The check of REDIS_URL's query parameters refuses only those redis-py does not take."""
    result = subprocess.run(
        [str(BIN / "moderato"), "db", "current"],
        env=clean_env(tmp_path, REDIS_URL=url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_good_production_settings_pass(tmp_path: Path) -> None:
    """The checks refuse only what is wrong: a long production secret and defaults start."""
    env = clean_env(tmp_path, MODERATO_ENV="production", MODERATO_SECRET_KEY=GOOD_PROD_SECRET)
    result = subprocess.run(
        [str(BIN / "moderato"), "db", "current"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("database: empty")


@pytest.mark.parametrize(
    ("bad", "variable"),
    [
        ({"MODERATO_ENV": "production"}, "MODERATO_SECRET_KEY"),
        ({"MODERATO_ENV": "prod"}, "MODERATO_ENV"),
        ({"DATABASE_URL": "foo://x"}, "DATABASE_URL"),
        ({"MODERATO_MAX_CONTENT_LENGTH": "64k"}, "MODERATO_MAX_CONTENT_LENGTH"),
    ],
)
def test_moderato_web_stops_before_gunicorn_with_one_line(
    tmp_path: Path, bad: dict[str, str], variable: str
) -> None:
    """`moderato web` (Compose's and the Dockerfile's web command) checks every setting
    before it execs gunicorn, which printed two tracebacks and "Worker failed to boot"."""
    result = subprocess.run(
        [str(BIN / "moderato"), "web", "--port", "1"], env=clean_env(tmp_path, **bad),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    one_line_error(result, variable)


def test_gunicorn_run_directly_says_one_line_and_stops(tmp_path: Path) -> None:
    """gunicorn started on service.wsgi:app by hand: the app's one line, no traceback, and
    the master stops (exit 4, "App failed to load") instead of booting workers forever."""
    env = clean_env(tmp_path, MODERATO_ENV="production")
    result = subprocess.run(
        [str(BIN / "gunicorn"), "--bind", "127.0.0.1:0", "--workers", "1", "service.wsgi:app"],
        env=env, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("moderato: ")]
    assert len(ours) == 1, result.stderr
    assert ours[0].startswith("moderato: MODERATO_SECRET_KEY is required"), ours


#: Every way to start a moderato process, from the repository's root: the commands, the
#: worker as a module (`moderato run` starts it so), gunicorn on the WSGI module and on the
#: factory. The sweep runs inside the worker.
ENTRY_POINTS = {
    "moderato worker": [str(BIN / "moderato"), "worker"],
    "moderato db current": [str(BIN / "moderato"), "db", "current"],
    "python -m worker": [sys.executable, "-m", "worker"],
    "python -m worker --no-sweep": [sys.executable, "-m", "worker", "--no-sweep"],
    "python -m service.cli worker": [sys.executable, "-m", "service.cli", "worker"],
    "gunicorn service.wsgi:app": [str(BIN / "gunicorn"), "service.wsgi:app"],
    "gunicorn service:create_app()": [str(BIN / "gunicorn"), "service:create_app()"],
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_entry_point_says_the_same_line_with_the_same_status(
    tmp_path: Path, entry: str
) -> None:
    """`python -m worker` with a bad setting printed a traceback while `moderato worker`
    printed one line; gunicorn on the factory printed a traceback and "Worker failed to
    boot" (status 3). Now each prints the same `moderato: …` line and exits with status 4
    (gunicorn's "App failed to load", with which its master stops)."""
    from service.runner import _no_control_socket

    argv = ENTRY_POINTS[entry]
    if entry.startswith("gunicorn"):
        argv = [argv[0], "--bind", "127.0.0.1:0", "--workers", "1", *_no_control_socket(), argv[1]]
    result = subprocess.run(
        argv, env=clean_env(tmp_path, MODERATO_SWEEP_INTERVAL="abc"), cwd=ROOT,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("moderato: ")]
    assert ours == [SWEEP_INTERVAL_LINE], result.stderr
    if not entry.startswith("gunicorn"):  # gunicorn adds its own lines as it halts
        assert result.stderr.strip().splitlines() == ours


@pytest.mark.parametrize("entry", ["moderato worker", "python -m worker"])
def test_a_worker_whose_models_do_not_load_says_so_in_one_line(tmp_path: Path, entry: str) -> None:
    """A model folder without the artifacts (a real folder: the setting's own check passes)
    stops the worker with one line and status 4, not `ModelLoadError`'s traceback."""
    (tmp_path / "models").mkdir()
    result = subprocess.run(
        ENTRY_POINTS[entry], env=clean_env(tmp_path, MODERATO_MODEL_DIR=str(tmp_path / "models")),
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"moderato: cannot load the models: spam artifact not found: expected "
        f"{tmp_path}/models/spam.skops and {tmp_path}/models/spam.json"
    ], result.stderr


def test_the_settings_checked_are_every_documented_one() -> None:
    """Every MODERATO_* variable of .env.example has a check (its own, or in config.load)."""
    from service.settings_check import CHECKS

    root = Path(__file__).resolve().parent.parent
    names = {
        line.split("=", 1)[0].removeprefix("MODERATO_")
        for line in (root / ".env.example").read_text().splitlines()
        if line.startswith("MODERATO_")
    }
    own = {"ENV", "SECRET_KEY", "PUBLIC_URL", "SMTP_URL", "MAIL_FROM", "EDIT_WINDOW"}
    own |= {"INSTANCE_PATH"}  # a path: whatever it names is created
    assert names - own - set(CHECKS) == set()


@pytest.mark.parametrize(
    ("spelt", "value"),
    [
        *[("true", True), ("True", True), ("YES", True), ("on", True), ("1", True)],
        *[("false", False), ("False", False), ("no", False), ("Off", False), ("0", False)],
    ],
)
def test_a_yes_or_no_setting_takes_the_usual_spellings(
    spelt: str, value: bool, tmp_path: Path
) -> None:
    """``True`` as Python prints it, yes/no, on/off and 1/0 read as the flag they say (the
    first version of the checks took only JSON's true and false, and refused the ``True``
    the test suite hands its workers)."""
    from service.config import load

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MODERATO_WEBHOOKS_ALLOW_PRIVATE", spelt)
        assert load(str(tmp_path))["WEBHOOKS_ALLOW_PRIVATE"] is value


def test_a_database_url_with_a_bad_port_says_one_line_without_its_password(
    tmp_path: Path,
) -> None:
    """SQLAlchemy reads ``h:notaport`` with int() and raises a plain ValueError: that was a
    traceback that quoted nothing but stopped nothing cleanly either."""
    url = "postgresql+psycopg://u:s3cr3t-pw@h:notaport/db"
    result = subprocess.run(
        [str(BIN / "moderato"), "db", "current"], env=clean_env(tmp_path, DATABASE_URL=url),
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    one_line_error(result, "DATABASE_URL")
    assert "s3cr3t-pw" not in result.stdout + result.stderr
