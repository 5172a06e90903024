"""Settings URLs as our messages show them: without the credentials they may carry.

``REDIS_URL``, ``DATABASE_URL`` and ``MODERATO_SMTP_URL`` may hold a password, as
``user:password@`` or as a query parameter (``?password=…``, which libpq and redis-py
both read). A banner, a command's answer, an error line or a log line shows such a URL
through ``masked``: scheme, user, host, port, path and the other parameters stay, so the
operator sees which server is meant; the password becomes ``***``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: A URL inside free text (an error message that quotes a setting or a receiver's URL).
URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")

#: A query parameter whose value is a credential: ``password`` (libpq, redis-py),
#: ``sslpassword`` (libpq), and anything named like a secret, token or key.
_SECRET_PARAM = re.compile(
    r"(?P<name>(?:^|&)[^=&]*(?:pass|secret|token|key)[^=&]*=)[^&]*", re.IGNORECASE
)


def masked(url: str) -> str:
    """Return ``url`` with its password, and any query parameter that holds a secret,
    replaced by ``***`` (for banners, command output, error messages and logs)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced IPv6 bracket: nothing of it is trusted
        return "(an unparsable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if colon else netloc
    elif ":" in netloc and "@" in url.partition(netloc)[2]:
        # A password with an unencoded "/", "?" or "#" ends the host part early
        # (redis://:pa/ss@host): the parser sees no password, and the rest of it would
        # show. Everything up to the last "@" goes.
        return f"{parts.scheme}://***@{url.rpartition('@')[2]}"
    query = _SECRET_PARAM.sub(r"\g<name>***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # nothing to hide: the URL as given
    # Put together by hand: urlunsplit drops an empty host (unix:///path → unix:/path).
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def masked_urls(text: str) -> str:
    """Return ``text`` with every URL in it masked as ``masked`` does."""
    return URL_IN_TEXT.sub(lambda found: masked(found.group(0)), text)
