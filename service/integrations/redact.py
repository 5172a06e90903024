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

from service.masking import URL_IN_TEXT

#: A URL inside free text (an error message), as ``masking`` finds one, or a reference that
#: starts with ``/`` (``/path…`` or ``//host/path…``). A redirect's Location, which may be
#: any reference, is redacted where its error is written for the log
#: (``worker.webhooks.delivery``), not found again here.
_URL = re.compile(URL_IN_TEXT.pattern + r"|(?<!\S)/[^\s\"'<>]*")


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
    ``redact_url`` does."""
    return _URL.sub(lambda found: redact_url(found.group(0)), text)
