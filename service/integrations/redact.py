"""Receiver URLs as our log lines show them: without what may be a secret.

A webhook receiver often authenticates us by a token in its URL: in the query string
(``?token=…``), in ``user:password@``, or in the path itself (Slack's
``/services/T…/B…/<secret>``, Discord's ``/api/webhooks/<id>/<token>``). The URL is the
site owner's, kept whole in the database and shown whole to them (dashboard, ``moderato
webhooks``); a log line, which goes wherever the operator's logs go, names the endpoint
by its id and shows only ``scheme://host[:port]``, with whatever followed (path, query,
fragment) replaced by ``/…`` and no user or password: the id finds the whole URL, for
whoever may see it, and the host says where the delivery went.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

#: A URL inside free text (an error message that quotes a redirect's ``Location``), or a
#: reference that starts with ``/`` (a relative ``Location``: ``/path…`` or ``//host/path…``).
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+|(?<!\S)/[^\s\"'<>]*")
#: Our own error for a redirect (``worker.webhooks.retry.status_error``), whose Location
#: may be any reference: relative to the path or the query as well (``moved/<secret>``,
#: ``?token=…``), or ``https:/host/…`` with one slash, none of which ``_URL`` takes for one.
_REDIRECT = re.compile(r"^(HTTP 3\d\d to )(.+)( \(redirects are not followed.*)$", re.DOTALL)


def redact_url(url: str) -> str:
    """Return ``url`` fit for a log line: scheme, host and port, the rest elided as ``/…``."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: nothing of it is trusted
        return "(an unparsable URL)"
    host = parts.netloc.rpartition("@")[2]
    shown = urlunsplit((parts.scheme, host, "", "", ""))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return shown + "/…"
    return shown + parts.path


def redact_urls(text: str) -> str:
    """Return ``text`` with every URL (or ``/``-rooted reference) in it redacted as
    ``redact_url`` does; the Location a redirect's error quotes, whatever its form."""
    redirect = _REDIRECT.match(text)
    if redirect is not None:
        return redirect.group(1) + redact_url(redirect.group(2)) + redirect.group(3)
    return _URL.sub(lambda found: redact_url(found.group(0)), text)
