"""Receiver URLs as our log lines show them: without what may be a secret.

A webhook receiver often authenticates us by a token in its URL's query string
(``?token=…``), and a URL may carry ``user:password@``. The URL is the site owner's, kept
whole in the database and shown whole to them (dashboard, ``moderato webhooks``); a log
line, which goes wherever the operator's logs go, shows ``scheme://host[:port]/path``
with the query and fragment replaced by ``?…`` and ``#…``, and no user or password.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

#: A URL inside free text (an error message that quotes a redirect's ``Location``).
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


def redact_url(url: str) -> str:
    """Return ``url`` fit for a log line: no user or password, query and fragment elided."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: nothing of it is trusted
        return "(an unparsable URL)"
    host = parts.netloc.rpartition("@")[2]
    shown = urlunsplit((parts.scheme, host, parts.path, "", ""))
    if parts.query:
        shown += "?…"
    if parts.fragment:
        shown += "#…"
    return shown


def redact_urls(text: str) -> str:
    """Return ``text`` with every URL in it redacted as ``redact_url`` does."""
    return _URL.sub(lambda found: redact_url(found.group(0)), text)
