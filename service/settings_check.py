"""Check every setting once, as it is loaded: types, ranges, choices, URLs.

``check(cfg)`` runs inside ``config.load``, which every entry point goes through (the
``moderato`` commands, gunicorn's app in ``service.wsgi``, the worker and its sweep), so a
bad value stops the process at start with one ``ConfigError`` line that names the
variable and says what it accepts, instead of a traceback, a 500 on every request or a
sweep thread that dies quietly (all found in review). No I/O: URLs are parsed, never
connected to (an unreachable database is reported by the command that opens it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, MutableMapping
from typing import Any

from service.config import ConfigError

#: A check returns the value to keep, or raises ``Invalid`` with what the setting accepts.
Check = Callable[[Any], Any]

#: A secret shorter than this is refused in production (``secrets.token_urlsafe(48)`` gives 64).
MIN_SECRET_LENGTH = 32
GENERATE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


class Invalid(ValueError):
    """A value outside what its setting accepts; the message says what it accepts."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def whole(low: int, high: int | None = None, unit: str = "", note: str = "") -> Check:
    """A whole number (of ``unit``) from ``low`` (to ``high``)."""

    def check(value: Any) -> int:
        ok = _is_number(value) and float(value).is_integer()
        if not ok or value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise Invalid(f"a whole number{unit} {span}{note}")
        return int(value)

    return check


def number(above: float | None = None, low: float | None = None, unit: str = "") -> Check:
    """A number above ``above`` (or from ``low``)."""

    def check(value: Any) -> float | int:
        if (
            not _is_number(value)
            or (above is not None and not value > above)
            or (low is not None and value < low)
        ):
            bound = f"above {above:g}" if above is not None else f"of at least {low:g}"
            raise Invalid(f"a number{unit} {bound}")
        return value

    return check


YES = frozenset({"true", "yes", "on", "1"})
NO = frozenset({"false", "no", "off", "0"})


def boolean(value: Any) -> bool:
    """true or false, in any case, or yes/no, on/off, 1/0: ``True`` as Python prints it
    (and as a test's settings reach a worker's environment) was refused at first."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES or word in NO:
        return word in YES
    raise Invalid("true or false (yes/no, on/off, 1/0 too)")


def optional_boolean(value: Any) -> bool | None:
    """true, false or empty (the default for the environment)."""
    return None if value is None else boolean(value)


def choice(*values: str) -> Check:
    """One of ``values``; upper-case ones are matched case-insensitively and kept upper-case."""

    def check(value: Any) -> str:
        spelt = value.upper() if isinstance(value, str) and values[0].isupper() else value
        if spelt not in values:
            raise Invalid(f"one of {', '.join(values)}")
        return str(spelt)

    return check


def text(value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("a non-empty name")
    return value


def optional_token(value: Any) -> str | None:
    """Empty (off), or a bearer token of at least 16 characters without spaces (kept as a
    string: one of digits reads as a number)."""
    if value is None or value == "":
        return None
    token = str(value)
    if isinstance(value, bool) or len(token) < 16 or any(c.isspace() for c in token):
        raise Invalid("empty, or a token of at least 16 characters without spaces")
    return token


def optional_dir(value: Any) -> str | None:
    """An existing directory, or empty."""
    from pathlib import Path

    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_dir():
        raise Invalid("an existing directory (or empty for the shipped models)")
    return value


def intervals(value: Any) -> list[float | int]:
    """A JSON list of seconds, e.g. [2,10,30]."""
    if not isinstance(value, list) or not all(_is_number(v) and v >= 0 for v in value):
        raise Invalid("a JSON list of seconds such as [2,10,30]")
    return value


#: Every ``MODERATO_*`` setting with a type or a range, by its name without the prefix.
#: ``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL`` and ``PORT`` are checked below; ``ENV``,
#: ``PUBLIC_URL``, ``SMTP_URL`` with ``MAIL_FROM``, and ``EDIT_WINDOW`` in ``service.config``,
#: in the same pass of ``config.load``.
CHECKS: dict[str, Check] = {
    "TRUSTED_PROXIES": whole(0, 10, note=" (reverse proxies in front of moderato; 0 without one)"),
    "QUEUE_NAME": text,
    "METRICS_TOKEN": optional_token,
    "MAX_CONTENT_LENGTH": whole(1024, 64 * 1024 * 1024, " of bytes", " (65536 is 64 KiB)"),
    "CHECK_EMAIL_DELIVERABILITY": boolean,
    "SQLITE_SYNCHRONOUS": choice("OFF", "NORMAL", "FULL", "EXTRA"),
    "WORKER_SQLITE_SYNCHRONOUS": choice("OFF", "NORMAL", "FULL", "EXTRA"),
    "PROCESS_ROLE": choice("web", "worker"),
    "CLASSIFY_RETRY_INTERVALS": intervals,
    "CLASSIFY_MAX_ATTEMPTS": whole(1, unit=" of attempts"),
    "CLASSIFY_JOB_TIMEOUT": whole(1, unit=" of seconds"),
    "OUTBOX_MAX_CRASHES": whole(1, unit=" of crashes"),
    "SWEEP_INTERVAL": number(low=0.1, unit=" of seconds"),
    "SWEEP_AGE": number(above=0, unit=" of seconds"),
    "REDIS_SOCKET_TIMEOUT": number(above=0, unit=" of seconds"),
    "LIST_PAGE_SIZE": whole(1, unit=" of comments"),
    "LIST_MAX_PAGE_SIZE": whole(1, unit=" of comments"),
    "MODEL_DIR": optional_dir,
    "KEY_RATE_PER_MINUTE": number(above=0, unit=" of requests a minute"),
    "KEY_RATE_BURST": whole(1, unit=" of requests"),
    "ANON_RATE_PER_MINUTE": number(above=0, unit=" of requests a minute"),
    "ANON_RATE_BURST": whole(1, unit=" of requests"),
    "WEBHOOKS_ALLOW_PRIVATE": boolean,
    "WEBHOOK_TIMEOUT": number(above=0, unit=" of seconds"),
    "WEBHOOK_MAX_ATTEMPTS": whole(1, unit=" of attempts"),
    "WEBHOOK_RETRY_BASE": number(above=0, unit=" of seconds"),
    "WEBHOOK_RETRY_FACTOR": number(low=1),
    "WEBHOOK_RETRY_CAP": number(above=0, unit=" of seconds"),
    "WEBHOOK_DISABLE_AFTER": number(above=0, unit=" of seconds"),
    "WEBHOOK_SECRET_OVERLAP": number(low=0, unit=" of seconds"),
    "CHECK_TTL": number(above=0, unit=" of seconds"),
    "FORM_TOKEN_MIN_SECONDS": number(low=0, unit=" of seconds"),
    "FORM_TOKEN_MAX_AGE": number(above=0, unit=" of seconds"),
    "DEMO_PAGE": optional_boolean,
    "MODERATION_SESSION_HOURS": number(above=0, unit=" of hours"),
    "SETUP_LINK_HOURS": number(above=0, unit=" of hours"),
    "LOGIN_MAX_FAILURES_ACCOUNT": whole(1, unit=" of failures"),
    "LOGIN_MAX_FAILURES_ACCOUNT_TOTAL": whole(1, unit=" of failures"),
    "LOGIN_MAX_FAILURES_IP": whole(1, unit=" of failures"),
    "LOGIN_WINDOW": whole(1, unit=" of seconds"),
    "MODERATION_PAGE_SIZE": whole(1, 500, " of cards"),
    "MODERATION_BULK_MAX": whole(1, unit=" of comments"),
    "LOG_LEVEL": choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
    "MAIL_TIMEOUT": number(above=0, unit=" of seconds"),
    "MAIL_MAX_ATTEMPTS": whole(1, unit=" of attempts"),
    "MAIL_RETRY_BASE": number(above=0, unit=" of seconds"),
    "MAIL_RETRY_FACTOR": number(low=1),
    "MAIL_RETRY_CAP": number(above=0, unit=" of seconds"),
    "MAIL_CONFIRM_MAX_AGE": whole(1, unit=" of seconds"),
}


#: Settings whose value is a secret: a bad one is named, never printed.
SECRET_VALUES = frozenset({"METRICS_TOKEN"})


def check(cfg: MutableMapping[str, Any]) -> None:
    """Check and normalise every setting in ``cfg``; raise ``ConfigError`` on the first bad one."""
    _check_secret(cfg)
    for name, rule in CHECKS.items():
        if name not in cfg:
            continue
        try:
            cfg[name] = rule(cfg[name])
        except Invalid as exc:
            shown = "" if name in SECRET_VALUES else f"={cfg[name]!r}"
            raise ConfigError(f"MODERATO_{name}{shown} must be {exc}") from None
    _check_relations(cfg)
    _check_database_url(str(cfg["DATABASE_URL"]))
    _check_redis_url(str(cfg["REDIS_URL"]))
    check_port(os.environ.get("PORT"))


def check_port(port: str | None) -> None:
    """``PORT``, when set: a TCP port number."""
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise ConfigError(f"PORT={port!r} must be a whole number from 1 to 65535")


def _check_relations(cfg: MutableMapping[str, Any]) -> None:
    """Settings that bound each other."""
    if cfg["LIST_PAGE_SIZE"] > cfg["LIST_MAX_PAGE_SIZE"]:
        raise ConfigError(
            f"MODERATO_LIST_PAGE_SIZE={cfg['LIST_PAGE_SIZE']} must not exceed "
            f"MODERATO_LIST_MAX_PAGE_SIZE={cfg['LIST_MAX_PAGE_SIZE']}"
        )
    # docs/reliability.md: a job merely slow must not be queued again by the sweep. The test
    # suite's environment sweeps after a second on purpose, to exercise the sweep quickly.
    if cfg["ENV"] != "testing" and not cfg["SWEEP_AGE"] > cfg["CLASSIFY_JOB_TIMEOUT"]:
        raise ConfigError(
            f"MODERATO_SWEEP_AGE={cfg['SWEEP_AGE']!r} must be more seconds than "
            f"MODERATO_CLASSIFY_JOB_TIMEOUT={cfg['CLASSIFY_JOB_TIMEOUT']!r}, or a job "
            "that is merely slow is queued twice"
        )


def _check_secret(cfg: MutableMapping[str, Any]) -> None:
    """A production secret long enough not to be guessed (never printed)."""
    secret = cfg.get("SECRET_KEY")
    if not secret and cfg["ENV"] != "development":
        raise ConfigError(
            "MODERATO_SECRET_KEY is required when MODERATO_ENV is not development: generate "
            f"one with {GENERATE_SECRET}"
        )
    if secret is not None and not isinstance(secret, str):
        raise ConfigError("MODERATO_SECRET_KEY must be a string of random characters")
    if cfg["ENV"] == "production" and secret and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"MODERATO_SECRET_KEY is {len(secret)} characters; production needs at least "
            f"{MIN_SECRET_LENGTH}: generate one with {GENERATE_SECRET}"
        )


def _check_database_url(url: str) -> None:
    """A URL SQLAlchemy can read, for a driver moderato ships (no connection is made)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(url).get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as exc:  # NoSuchModuleError is an ArgumentError
        raise ConfigError(
            f"DATABASE_URL needs a database driver moderato does not ship ({exc}); use "
            "sqlite:///… or postgresql+psycopg://…"
        ) from None
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigError(
            "DATABASE_URL is not a database URL SQLAlchemy can read: use sqlite:///path/to/"
            "moderato.db or postgresql+psycopg://user:pass@host:5432/moderato"
        ) from None


def _check_redis_url(url: str) -> None:
    """A redis://, rediss:// or unix:// URL (no connection is made; nothing is printed of it)."""
    from redis import ConnectionPool

    try:
        pool = ConnectionPool.from_url(url)
        # redis-py passes a query parameter it does not know (``?sslmode=require``, a
        # misspelt ``?pasword=``) on to the connection, which refuses it with a TypeError
        # only when the first command is sent: every command, the worker and the web app
        # stopped there with a traceback. Making a connection object connects to nothing.
        pool.connection_class(**pool.connection_kwargs)
    except TypeError as exc:
        name = re.search(r"argument '([A-Za-z_][A-Za-z0-9_]{0,39})'", str(exc))
        raise ConfigError(
            f"REDIS_URL has a query parameter redis-py does not take"
            f"{f' ({name.group(1)!r})' if name else ''}; use redis://host:6379/0, "
            "rediss://… or unix:///path/to/redis.sock, with db, password, "
            "socket_timeout … as redis-py's from_url documents them"
        ) from None
    except ValueError as exc:
        # urllib's "Port could not be cast to integer value as 'x'" quotes what it took for
        # the port: part of a password with an unencoded /, ? or # in it (found in review).
        reason = "its port is not a number" if _bad_port(url) else str(exc)
        raise ConfigError(
            f"REDIS_URL is not a Redis URL ({reason}); use redis://host:6379/0, "
            "rediss://… or unix:///path/to/redis.sock, with a password's /, ? and # "
            "percent-encoded (%2F, %3F, %23)"
        ) from None


def _bad_port(url: str) -> bool:
    """Tell whether ``url``'s port, as urllib reads it, is not a number."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:  # not the port: an unbalanced IPv6 bracket
        return False
    try:
        parts.port  # noqa: B018  (the property parses it)
    except ValueError:
        return True
    return False
