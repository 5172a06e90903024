"""Read ``.env`` from the working directory into the environment; the real environment wins.

``.env.example`` says "copy to .env", and Compose reads the same file (``env_file``), so
one file configures `moderato run`, the systemd units' working directory and the
containers alike. It was never read (found in review). The format is Compose's simple
one: ``NAME=value`` lines, ``#`` comments, an optional ``export``, single or double quotes
around a value (kept literally inside), and `` #`` starting a comment after an unquoted value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from service.config import ConfigError

#: The file read, relative to the working directory; ``MODERATO_ENV_FILE`` names another
#: (empty: read none).
DEFAULT_PATH = ".env"

_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def parse(text: str, source: str = DEFAULT_PATH) -> dict[str, str]:
    """Return the ``NAME=value`` pairs of an env file; a line that is neither is an error."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ConfigError(f"{source}:{number}: expected NAME=value, found {line[:40]!r}")
        name, value = match.groups()
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        elif value[:1] in ("'", '"'):
            raise ConfigError(f"{source}:{number}: {name}'s value has no closing quote")
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
        values[name] = value
    return values


def load_env_file() -> Path | None:
    """Set every variable of the env file that the environment does not set; return its
    path, or None when there is none."""
    name = os.environ.get("MODERATO_ENV_FILE", DEFAULT_PATH)
    if not name:
        return None
    path = Path(name)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    for key, value in parse(text, str(path)).items():
        os.environ.setdefault(key, value)
    return path
