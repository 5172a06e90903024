"""Read ``.env`` from the working directory into the environment; the real environment wins.

``.env.example`` says "copy to .env", and Compose reads the same file (``env_file``), so
one file configures `moderato run`, the systemd units' working directory and the
containers alike. It was never read (found in review). The format is Compose's
(docs.docker.com/compose/env-file): ``NAME=value`` lines, ``#`` comments, an optional
``export``; a `` #`` after an unquoted value or after the closing quote starts a comment;
single-quoted values are literal (``\'`` is a quote); double-quoted ones know ``\n``,
``\r``, ``\t``, ``\\`` and ``\"``; unquoted and double-quoted values are interpolated
(``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:+alt}``,
``${VAR+alt}``, ``${VAR:?message}``, ``${VAR?message}``, nested defaults; ``$$`` is a
``$``) from the environment, else from the file's earlier lines, as Compose does, so one
file means the same settings to both (it was taken literally: a ``${PGPASSWORD}`` in
``DATABASE_URL`` reached the database as written).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from service.config import ConfigError

#: The file read, relative to the working directory; ``MODERATO_ENV_FILE`` names another
#: (empty: read none).
DEFAULT_PATH = ".env"

_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"'}

Lookup = Callable[[str], "str | None"]


def _quoted(value: str, where: str, name: str) -> tuple[str, bool]:
    """Return a quoted value's text (escapes applied) and whether it is interpolated."""
    quote, out, i = value[0], [], 1
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            following = value[i + 1]
            if quote == "'":
                out.append("'" if following == "'" else char + following)
            else:
                out.append(_ESCAPES.get(following, char + following))
            i += 2
            continue
        if char == quote:
            rest = value[i + 1 :].strip()
            if rest and not rest.startswith("#"):
                raise ConfigError(f"{where}: {name}'s value goes on after its closing quote")
            return "".join(out), quote == '"'
        out.append(char)
        i += 1
    raise ConfigError(f"{where}: {name}'s value has no closing quote")


def interpolate(text: str, lookup: Lookup, where: str = DEFAULT_PATH) -> str:
    """Return ``text`` with Compose's ``$`` references replaced through ``lookup``."""
    return _expand(text, 0, lookup, where, stop="")[0]


def _expand(text: str, i: int, lookup: Lookup, where: str, stop: str) -> tuple[str, int]:
    """Expand from ``i`` up to an unnested ``stop`` character; return the text and where it
    stopped (just past ``stop``)."""
    out: list[str] = []
    while i < len(text):
        char = text[i]
        if stop and char == stop:
            return "".join(out), i + 1
        if char != "$":
            out.append(char)
            i += 1
            continue
        following = text[i + 1 : i + 2]
        if following == "$":
            out.append("$")
            i += 2
        elif following == "{":
            replaced, i = _braced(text, i + 2, lookup, where)
            out.append(replaced)
        elif (match := _NAME.match(text, i + 1)) is not None:
            out.append(lookup(match.group()) or "")
            i = match.end()
        else:  # not a reference: kept as written
            out.append("$")
            i += 1
    if stop:
        raise ConfigError(f"{where}: a ${{ has no closing }}")
    return "".join(out), i


def _braced(text: str, i: int, lookup: Lookup, where: str) -> tuple[str, int]:
    """Expand one ``${...}`` whose name starts at ``i``; return it and the index past ``}``."""
    match = _NAME.match(text, i)
    if match is None:
        raise ConfigError(f"{where}: ${{…}} needs a variable name, found {text[i - 2 : i + 10]!r}")
    name, i = match.group(), match.end()
    current = lookup(name)
    if text[i : i + 1] == "}":
        return current or "", i + 1
    op = text[i : i + 2] if text[i : i + 1] == ":" else text[i : i + 1]
    if op not in (":-", "-", ":+", "+", ":?", "?"):
        raise ConfigError(f"{where}: ${{{name}{text[i : i + 2]}…}} is not a form Compose knows")
    word, end = _expand(text, i + len(op), lookup, where, stop="}")
    usable = current is not None and (current != "" or not op.startswith(":"))
    if op.endswith("-"):
        return (current if usable else word) or "", end
    if op.endswith("+"):
        return (word if usable else ""), end
    if not usable:
        raise ConfigError(f"{where}: {name} is required: {word or 'not set'}")
    return current or "", end


def parse(
    text: str, source: str = DEFAULT_PATH, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return the ``NAME=value`` pairs of an env file, interpolated from ``environ`` (the
    process's environment by default), else the file's earlier lines; a line that is
    neither blank, a comment nor a setting is an error."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}

    def lookup(name: str) -> str | None:
        return env[name] if name in env else values.get(name)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        match = _LINE.match(line)
        if match is None:
            raise ConfigError(f"{where}: expected NAME=value, found {line[:40]!r}")
        name, value = match.groups()
        expand = True
        if value[:1] in ("'", '"'):
            value, expand = _quoted(value, where, name)
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
        values[name] = interpolate(value, lookup, where) if expand else value
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
