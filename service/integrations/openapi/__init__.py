"""The OpenAPI 3.1 description of every public and integration endpoint, built as data.

Written by hand (not generated from the views) so that it states the contract:
request and response schemas, the one JSON error shape, and the two documented
exceptions to it (Akismet's ``text/plain``, Perspective's Google-style errors).
A test runs schemathesis against the live app with this document.

One module per part of the API, each with its paths and the schemas they use:
``intake``, ``reads`` and ``edits`` (comments; an author's edit and withdrawal),
``threads``, ``moderation`` (reports and the moderate endpoint), ``queue`` (what
waits for a decision), ``privacy`` (commenters' data requests), ``ops``, ``akismet``,
``perspective``, ``feeds``, ``mail`` (the mails' pages) and ``webhooks`` (the events we
send); ``common`` holds the error shape, the builders and the patterns they share. This
module puts them together, in the order the document has always listed them.
"""

from __future__ import annotations

from typing import Any

from service.integrations.openapi import (
    akismet,
    common,
    edits,
    feeds,
    intake,
    mail,
    moderation,
    ops,
    perspective,
    privacy,
    queue,
    reads,
    threads,
    webhooks,
)
from service.integrations.openapi.common import Schema

VERSION = "1.0.0"


def paths() -> dict[str, Any]:
    """Return the ``paths`` object; the operations that count against a rate limit say
    that their answers carry its fields, and every answer carries its request id."""
    found = _paths()
    for operations in found.values():
        for operation in operations.values():
            if operation["operationId"] in common.COUNTED:
                common.counted(operation)
            common.with_request_id(operation)
    return found


def _paths() -> dict[str, Any]:
    comment = reads.paths()
    comment["/api/v1/comments/{id}"].update(edits.operations())
    return {
        **threads.paths(),
        "/api/v1/comments": {"post": intake.create_comment(), "get": reads.list_comments()},
        **comment,
        **moderation.paths(),
        **queue.paths(),
        **privacy.paths(),
        **ops.paths(),
        **akismet.paths(),
        **perspective.paths(),
        **feeds.paths(),
        **mail.paths(),
    }


def schemas() -> dict[str, Schema]:
    """Return the ``components.schemas`` object."""
    return {
        **common.SCHEMAS,
        **intake.SCHEMAS,
        **reads.SCHEMAS,
        **edits.SCHEMAS,
        **threads.SCHEMAS,
        **moderation.SCHEMAS,
        **queue.SCHEMAS,
        **privacy.SCHEMAS,
        **akismet.SCHEMAS,
        **perspective.SCHEMAS,
        **webhooks.SCHEMAS,
        **ops.SCHEMAS,
        **akismet.USAGE_SCHEMAS,
    }


def document(server_url: str | None = None) -> dict[str, Any]:
    """Return the whole OpenAPI 3.1 document."""
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "moderato API",
            "version": VERSION,
            "description": (
                "Comment intake and reads, moderation by a site's own tools, and drop-in "
                "Akismet- and Perspective-compatible endpoints. Errors from our own endpoints "
                'share one shape: `{"error": {"code", "message", "fields"?}}`. Webhooks '
                "(not requests you make) are described by the `WebhookEvent` schema and "
                "signed per Standard Webhooks. Every answer carries an `X-Request-Id`: the "
                "request's own when it sent a safe one, else one made for it."
            ),
        },
        "tags": [
            {"name": "Comments"},
            {"name": "Threads", "description": "Close an article's comments, or review it apart."},
            {
                "name": privacy.TAG,
                "description": "Commenters' data requests: export or erase (a `privacy` key).",
            },
            {"name": "Feeds", "description": "Atom feeds of published comments."},
            {"name": "Operations"},
            {
                "name": mail.TAG,
                "description": "The links of our mails (HTML pages).",
            },
            {"name": "Akismet-compatible", "description": "Answers in Akismet's text/plain."},
            {"name": "Perspective-compatible", "description": "Google-style errors."},
        ],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "headers": common.REQUEST_ID,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A site API key `mod_<prefix>_<secret>` with scopes "
                    "submit, read, moderate, privacy.",
                },
                **perspective.SECURITY_SCHEMES,
                **ops.SECURITY_SCHEMES,
            },
        },
        "webhooks": webhooks.events(),
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
