"""The embed's static assets, built once per process: content-hashed, pre-gzipped.

``/embed.js`` (the loader, a stable URL) names the widget bundle by a hash of
its content, so the bundle can be cached for a year and a deploy changes the
URL. The bundle is ``widget.js`` wrapped in a function that receives the CSS,
the string catalogue and the form's constants (field names, length limits) from
the one place each is defined.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print

from service import antibot, validation
from service.embed import i18n

#: Length limits of the form's fields, in code points (service/validation.py's rules).
FIELD_LIMITS = {
    "name": validation.MAX_NAME,
    "email": validation.MAX_EMAIL,
    "url": validation.MAX_URL,
    "text": validation.MAX_TEXT,
    "thread": validation.MAX_THREAD,
}

#: Where the hashed assets are served, relative to the directory of ``/embed.js``.
ASSET_PATH = "embed/assets/"

#: Catalogue keys left out of the widget bundle: count.js's, the no-JS pages' own, the status
#: page's, the mails' and their pages', the field errors the widget never causes, and the
#: edit chunk's own.
SERVER_ONLY = (
    "count_", "wait_", "mail_", "status_", "err_invalid_boolean", "err_invalid_revision",
    "err_unknown_field", "err_email_not_allowed", "edit_",
)  # fmt: skip

#: The widget's strings the edit chunk also says (a new text's field errors), besides its
#: own ``edit_*`` ones.
EDIT_SHARED = (
    "err_required",
    "err_too_long",
    "err_control_characters",
    "err_invalid_type",
    "err_thread_closed",
    "err_generic",
)

#: Milliseconds the widget keeps polling a new comment's status, one entry per poll.
POLL_DELAYS_MS = [600, 900, 1200, 1500, 2000, 2500, 3000, 3000, 4000, 5000, 6000]


@dataclass(frozen=True, slots=True)
class Asset:
    """One built file: its bytes, gzipped bytes, content hash and media type."""

    name: str
    ext: str
    body: bytes
    gzipped: bytes
    digest: str
    mimetype: str

    @property
    def filename(self) -> str:
        """Return the hashed file name, e.g. ``widget.3f2a1b0c9d8e.js``."""
        return f"{self.name}.{self.digest}.{self.ext}"


MIMETYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}


def _source(filename: str) -> str:
    return resources.files("service.embed").joinpath("static", filename).read_text("utf-8")


def minify(script: str) -> str:
    """Return ``script`` (ES5) minified: comments and whitespace out, and local names
    shortened (each function's variables and parameters; never a property or a global)."""
    return minify_print(es5(script), obfuscate=True, obfuscate_globals=False) + "\n"


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_AROUND = re.compile(r"\s*([{};,>])\s*")


def minify_css(css: str) -> str:
    """Return ``css`` without comments and the whitespace nothing reads: runs of it become
    one space, and none is kept around ``{ } ; , >`` or after a colon (never before one:
    ``a :hover`` and ``a:hover`` differ). Strings and ``calc()`` keep theirs, as our
    stylesheets quote nothing with those characters (a test checks each parses the same).
    The widget's stylesheet is inside its 15 KB budget: comments there cost bytes."""
    out = _CSS_AROUND.sub(r"\1", " ".join(_CSS_COMMENT.sub("", css).split()))
    return re.sub(r":\s+", ":", out).replace(";}", "}").strip() + "\n"


def _asset(name: str, ext: str, text: str) -> Asset:
    # Scripts are served minified: a parsed program printed again (calmjs.parse), so
    # strings and regular expressions are tokens it never rewrites. Shortening local names
    # took 0.8 KB off the gzipped widget beyond dropping comments and whitespace. The
    # readable source is service/embed/static/; the browser tests run the minified one.
    body = (minify(text) if ext == "js" else minify_css(text)).encode("utf-8")
    return Asset(
        name=name,
        ext=ext,
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        digest=hashlib.sha256(body).hexdigest()[:12],
        mimetype=MIMETYPES[ext],
    )


def widget_constants() -> dict[str, Any]:
    """Return what the widget must agree on with the server: field names, limits, timings."""
    return {
        "tokenField": antibot.TOKEN_FIELD,
        "honeypotField": antibot.HONEYPOT_FIELD,
        "limits": FIELD_LIMITS,
        "rtl": sorted(i18n.RTL),
        "pollDelays": POLL_DELAYS_MS,
    }


def _wrap(source: str, **args: Any) -> str:
    """Wrap ``source`` (a function body) in a function called at once with ``args`` as JSON."""
    params = ", ".join(args)
    values = ", ".join(
        json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in args.values()
    )
    return f"(function ({params}) {{\n{source}\n}})({values});\n"


@cache
def built() -> dict[str, Asset]:
    """Build every hashed asset once: the widget bundle, its edit chunk (loaded only for a
    reader with a comment to edit) and the stylesheets."""
    widget = _wrap(
        _source("widget.js"),
        CSS=minify_css(_source("widget.css")),
        STRINGS={  # the index-page counts' strings go to count.js only, and the server's
            # own words for a wait stay on the server (the widget has Intl for them)
            lang: {k: v for k, v in table.items() if not k.startswith(SERVER_ONLY)}
            for lang, table in i18n.catalogue().items()
        },
        CONFIG=widget_constants(),
    )
    edit = _wrap(
        _source("edit.js"),
        STRINGS={
            lang: {k: v for k, v in table.items() if k.startswith("edit_") or k in EDIT_SHARED}
            for lang, table in i18n.catalogue().items()
        },
        CONFIG={"limit": validation.MAX_TEXT, "pollDelays": POLL_DELAYS_MS},
    )
    found = [
        _asset("widget", "js", widget),
        _asset("edit", "js", edit),
        _asset("fallback", "css", _source("fallback.css")),
        _asset("demo", "css", _source("demo.css")),
    ]
    return {f"{a.name}.{a.ext}": a for a in found}


def asset(key: str) -> Asset:
    """Return the built asset named ``key`` (e.g. ``widget.js``)."""
    return built()[key]


@cache
def counter() -> Asset:
    """Build ``/embed/count.js``: comment counts for an index page, with the count strings
    of every language (and nothing else of the catalogue)."""
    strings = {
        lang: {k: v for k, v in table.items() if k.startswith("count_")}
        for lang, table in i18n.catalogue().items()
    }
    return _asset("count", "js", _wrap(_source("count.js"), STRINGS=strings))


@cache
def loader() -> Asset:
    """Build ``/embed.js``: the loader, pointing at the current widget bundle's and edit
    chunk's hashed paths."""
    widget_path = ASSET_PATH + asset("widget.js").filename
    edit_path = ASSET_PATH + asset("edit.js").filename
    return _asset("embed", "js", _wrap(_source("embed.js"), WIDGET=widget_path, EDIT=edit_path))
