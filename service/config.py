"""Settings: defaults, then the environment (``MODERATO_*``, ``DATABASE_URL``, ``REDIS_URL``),
which ``service.envfile`` fills from ``.env`` first; ``service.settings_check`` checks them."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: Every setting, with its default. ``MODERATO_<NAME>`` overrides ``<NAME>``;
#: values are parsed as JSON when they parse (``MODERATO_TRUSTED_PROXIES=1``).
DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # default: sqlite file in the instance folder
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "QUEUE_NAME": "moderato",
    "TRUSTED_PROXIES": 0,
    # The address readers and integrators reach this service at (https://comments.example):
    # the absolute URLs it writes (Location, status_url, the no-JS thread's links) use it
    # instead of the request's Host header, which a client chooses.
    "PUBLIC_URL": None,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "CHECK_EMAIL_DELIVERABILITY": False,
    # SQLite durability: the web process fsyncs every accepted comment (FULL); the worker's
    # decisions may use NORMAL, since a decision lost to a power cut reverts the comment to
    # pending and the sweep decides it again (docs/reliability.md).
    "SQLITE_SYNCHRONOUS": "FULL",
    "WORKER_SQLITE_SYNCHRONOUS": "NORMAL",
    "PROCESS_ROLE": "web",
    # Worker: retries of a failing classification, then a hard cap across crashes.
    "CLASSIFY_RETRY_INTERVALS": [2, 10, 30],
    "CLASSIFY_MAX_ATTEMPTS": 5,
    "CLASSIFY_JOB_TIMEOUT": 30,
    # Re-queues of a webhook delivery's or a mail's job that crashed before the row fails.
    "OUTBOX_MAX_CRASHES": 5,
    # Sweep: re-enqueue pending comments whose job was lost.
    "SWEEP_INTERVAL": 10,
    "SWEEP_AGE": 60,
    "REDIS_SOCKET_TIMEOUT": 2.0,
    "LIST_PAGE_SIZE": 50,
    "LIST_MAX_PAGE_SIZE": 200,
    "MODEL_DIR": None,  # default: the artifacts shipped inside the models package
    # Integrations: per-key rate limit (a token bucket: refill per minute, burst size).
    "KEY_RATE_PER_MINUTE": 600,
    "KEY_RATE_BURST": 100,
    # Browser posts without a key, per client IP (hashed): generous enough for a newsroom
    # behind one NAT, low enough that one client cannot keep the workers busy.
    "ANON_RATE_PER_MINUTE": 20,
    "ANON_RATE_BURST": 10,
    # Webhooks: private/loopback targets (development, tests), timeout, retries, disabling.
    "WEBHOOKS_ALLOW_PRIVATE": False,
    "WEBHOOK_TIMEOUT": 15.0,
    "WEBHOOK_MAX_ATTEMPTS": 10,
    "WEBHOOK_RETRY_BASE": 5.0,
    "WEBHOOK_RETRY_FACTOR": 4.0,
    "WEBHOOK_RETRY_CAP": 36000.0,
    "WEBHOOK_DISABLE_AFTER": 5 * 24 * 3600,
    "WEBHOOK_SECRET_OVERLAP": 24 * 3600,
    # Akismet-compatible checks are kept this long so feedback can become labels.
    "CHECK_TTL": 14 * 24 * 3600,
    # Embed form token: minimum fill time and lifetime, in seconds.
    "FORM_TOKEN_MIN_SECONDS": 3,
    "FORM_TOKEN_MAX_AGE": 86400,
    # The demo article at /demo: on in development and testing, off in production unless
    # turned on (it is a public thread anyone can post to).
    "DEMO_PAGE": None,
    # Reply notifications by e-mail: off unless SMTP_URL is set (smtp:// STARTTLS,
    # smtps:// TLS); MAIL_FROM and PUBLIC_URL (the links in the mails) are then required.
    "SMTP_URL": None,
    "MAIL_FROM": None,
    "MAIL_TIMEOUT": 30.0,
    # Retries of a mail the server did not take: attempts in all, then delays of
    # base * factor^n seconds (half of each random), capped; 7.4 to 14.8 hours in all by default.
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_BASE": 30.0,
    "MAIL_RETRY_FACTOR": 4.0,
    "MAIL_RETRY_CAP": 21600.0,
    # How long a confirmation link works, and how long before an address that has not
    # confirmed may be sent another confirmation (seconds; a week).
    "MAIL_CONFIRM_MAX_AGE": 7 * 24 * 3600,
    # Seconds an author may edit or withdraw their own comment after posting it (the
    # intake's answer carries the token); 0 turns the feature off (docs/embed.md).
    "EDIT_WINDOW": 15 * 60,
}


class ConfigError(RuntimeError):
    """A setting an operator must fix; the ``moderato`` command prints it without a traceback."""


#: The values MODERATO_ENV takes; a typo is refused rather than read as production.
ENVIRONMENTS = ("development", "testing", "production")


def instance_dir() -> Path:
    """Return the instance folder: ``MODERATO_INSTANCE_PATH`` (a relative one, such as
    ``./instance`` in .env.example, from the working directory), else ``./instance``."""
    return Path(os.environ.get("MODERATO_INSTANCE_PATH") or "instance").resolve()


#: Where `moderato run` leaves its embedded Redis's URL, in the instance folder, while it runs.
REDIS_URL_FILE = "redis.url"


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then ``overrides``."""
    from flask import Config

    cfg = Config(instance_path)
    cfg.update(DEFAULTS)
    cfg.from_prefixed_env("MODERATO")
    for name, default in DEFAULTS.items():  # `MODERATO_MODEL_DIR=` in an env file means unset
        if cfg.get(name) == "":
            cfg[name] = default
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            cfg[name] = os.environ[name]
    running = Path(instance_path) / REDIS_URL_FILE
    if not os.environ.get("REDIS_URL") and running.is_file():
        # The embedded server of a `moderato run` on this instance folder.
        cfg["REDIS_URL"] = running.read_text().strip() or cfg["REDIS_URL"]
    cfg.update(overrides or {})
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'moderato.db'}"
    elif str(cfg["DATABASE_URL"]).startswith("postgres://"):
        # The form hosted PostgreSQL services hand out; SQLAlchemy knows only postgresql://.
        cfg["DATABASE_URL"] = "postgresql://" + str(cfg["DATABASE_URL"])[len("postgres://") :]
    if cfg["ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"MODERATO_ENV={cfg['ENV']!r} is not one of {', '.join(ENVIRONMENTS)}")
    from service.settings_check import check

    check(cfg)  # every other setting's type and range, in one place
    if cfg["PUBLIC_URL"]:
        cfg["PUBLIC_URL"] = public_url(str(cfg["PUBLIC_URL"]))
    if cfg["SMTP_URL"]:
        _check_mail(cfg)
    _check_edit_window(cfg)
    if cfg["DEMO_PAGE"] is None:
        cfg["DEMO_PAGE"] = cfg["ENV"] != "production"
    if not cfg["SECRET_KEY"]:  # development only: settings_check refuses it elsewhere
        cfg["SECRET_KEY"] = _instance_secret(Path(instance_path))
    return dict(cfg)


def public_url(raw: str) -> str:
    """Check ``MODERATO_PUBLIC_URL``: http(s), a host, no query or fragment; no trailing /."""
    from urllib.parse import urlsplit

    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"MODERATO_PUBLIC_URL={raw!r} must be an http(s) address such as "
            "https://comments.example (a path is allowed, no query)"
        )
    return raw.strip().rstrip("/")


def _check_mail(cfg: Any) -> None:
    """Refuse mail settings that cannot work: a bad SMTP URL, no sender, no public URL (the
    numbers, MAIL_TIMEOUT and the rest, are checked with every setting in settings_check)."""
    from service.mailer import MailConfigError, check_sender, parse_smtp_url

    try:
        parse_smtp_url(str(cfg["SMTP_URL"]))
        if not cfg["MAIL_FROM"]:
            raise MailConfigError("MODERATO_MAIL_FROM is required with MODERATO_SMTP_URL")
        cfg["MAIL_FROM"] = check_sender(str(cfg["MAIL_FROM"]))
    except MailConfigError as exc:
        raise ConfigError(str(exc)) from exc
    if not cfg["PUBLIC_URL"]:
        raise ConfigError(
            "MODERATO_PUBLIC_URL is required with MODERATO_SMTP_URL: the links in the "
            "mails (confirm, unsubscribe) are built on it"
        )


#: The longest edit window: the widget keeps a reader's edit tokens as long as the window
#: lasts, and a week is as long as it keeps their comments awaiting moderation.
MAX_EDIT_WINDOW = 7 * 24 * 3600


def _check_edit_window(cfg: Any) -> None:
    """Refuse an edit window that is not a whole number of seconds from 0 (off) to a week."""
    value = cfg["EDIT_WINDOW"]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EDIT_WINDOW:
        raise ConfigError(
            f"MODERATO_EDIT_WINDOW={value!r} must be a whole number of seconds from 0 "
            f"(authors cannot edit) to {MAX_EDIT_WINDOW} (a week)"
        )


def _instance_secret(instance: Path) -> str:
    """Read, or create once, the development secret kept in the instance folder."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
