"""The OpenAPI paths of the Atom feeds of published comments (``/feed/*.atom``)."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import (
    COMMON_ERRORS,
    SLUG,
    THREAD_PARAM,
    Schema,
    error,
    string,
)

SITE = {
    "name": "site",
    "in": "query",
    "description": "The site's slug; `default` when absent.",
    "schema": string(64, pattern=SLUG),
}
THREAD = {
    "name": "thread",
    "in": "query",
    "required": True,
    "description": "The thread: up to 512 characters once trimmed, no control characters.",
    "schema": THREAD_PARAM,
}
HEADERS = {
    name: {"description": description, "schema": {"type": "string"}}
    for name, description in (
        ("ETag", "Send it back as If-None-Match: 304 while the feed is unchanged."),
        ("Cache-Control", "`public, max-age=30`."),
    )
}


def _operation(operation_id: str, summary: str, description: str, params: list[Schema]) -> Schema:
    return {
        "tags": ["Feeds"],
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "security": [{}],
        "parameters": params,
        "responses": {
            "200": {
                "description": "An Atom 1.0 feed (RFC 4287, replies marked per RFC 4685).",
                "headers": HEADERS,
                "content": {"application/atom+xml": {"schema": {"type": "string"}}},
            },
            "304": {"description": "Not modified since the ETag or date sent."},
            "404": error("No such site (`site_not_found`)."),
            "422": error("Bad parameters (`validation_failed`)."),
            "503": COMMON_ERRORS["503"],
        },
    }


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of the two feeds."""
    return {
        "/feed/thread.atom": {
            "get": _operation(
                "threadFeed",
                "A thread's latest published comments, as an Atom feed",
                "Public, no key. The 50 newest published comments, newest first; a thread "
                "without any is an empty feed. Entries carry the author's name and the "
                "sanitised `html`, never the e-mail address or scores. Each links to its "
                "comment: the article at `#comment-<id>` when the thread id is a URL on "
                "one of the site's origins, else our no-JS thread page with "
                "`comment=<id>#comment-<id>`, which opens at the page that holds it.",
                [SITE, THREAD],
            )
        },
        "/feed/site.atom": {
            "get": _operation(
                "siteFeed",
                "A site's latest published comments, across its threads, as an Atom feed",
                "Public, no key. The site's 50 newest published comments, newest first, "
                "each linking to its comment in its own thread (as the thread feed's).",
                [SITE],
            )
        },
    }
