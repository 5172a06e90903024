"""Errors an operator must fix, said the same way by every entry point.

A bad setting, a database URL that cannot be read, model artifacts that do not load: each
stops the process with one line on stderr, ``moderato: <what to fix>``, and a known exit
status, never a traceback. Every entry point goes through here: the ``moderato`` commands
(``service.cli``), ``python -m worker`` (and its sweep thread, which starts inside it),
and gunicorn's app (``service.wsgi``).

Exit statuses:

- ``CONFIG_EXIT`` (4): a setting or the installation is wrong; starting again will not
  help. It is gunicorn's "App failed to load" status, the only one with which an app stops
  gunicorn's master instead of booting workers again and again, so gunicorn run by hand
  ends with it too; a process manager can refuse to restart on it (systemd:
  ``RestartPreventExitStatus=4``).
- ``FAILURE_EXIT`` (1): the database is unreachable now; it may be back soon.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

CONFIG_EXIT = 4
FAILURE_EXIT = 1


@dataclass(frozen=True)
class Problem:
    """What to tell the operator, and the status to exit with."""

    message: str
    status: int


def problem(exc: BaseException) -> Problem | None:
    """Return the operator's problem ``exc`` stands for, or None for a bug (a traceback)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from service.config import ConfigError

    if isinstance(exc, ConfigError):
        return Problem(str(exc), CONFIG_EXIT)
    if isinstance(exc, NoSuchModuleError) or (
        isinstance(exc, ModuleNotFoundError)
        and "sqlalchemy/dialects" in "".join(traceback.format_tb(exc.__traceback__))
    ):
        return Problem(
            f"DATABASE_URL needs a database driver moderato does not ship ({exc}); use "
            "sqlite:///… or postgresql+psycopg://…",
            CONFIG_EXIT,
        )
    if isinstance(exc, ArgumentError):
        message = f"DATABASE_URL is not a database URL SQLAlchemy can read ({exc})"
        return Problem(message, CONFIG_EXIT)
    if isinstance(exc, OperationalError):
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return Problem(f"cannot use the database: {reason}", FAILURE_EXIT)
    scoring = sys.modules.get("models.scoring")  # never imported here: scikit-learn is heavy
    if scoring is not None and isinstance(exc, scoring.ModelLoadError):
        return Problem(f"cannot load the models: {exc}", CONFIG_EXIT)
    return None


def say(message: str) -> None:
    """Print the one line on stderr, with the password of any URL it quotes masked (a
    driver's message may quote the setting it could not use)."""
    from service.masking import masked_urls

    print(f"moderato: {masked_urls(message)}", file=sys.stderr, flush=True)


@contextmanager
def stop_on_operator_error() -> Iterator[None]:
    """Turn an operator's problem raised inside into its line and exit status."""
    try:
        yield
    except Exception as exc:
        found = problem(exc)
        if found is None:
            raise
        say(found.message)
        raise SystemExit(found.status) from None
