"""The OpenAPI description of threads: a page of a thread and its state, counts per
thread, and ``/api/v1/threads`` (close, reopen, a thread's own moderation mode)."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import (
    COMMON_ERRORS,
    KEY_ERRORS,
    PLAIN,
    THREAD_PARAM,
    Schema,
    error,
    json_body,
    ref,
    string,
)

THREAD = {
    "name": "thread",
    "in": "query",
    "required": True,
    "description": "Up to 512 characters once trimmed; not blank, no control characters.",
    "schema": THREAD_PARAM,
}
SETTINGS_RESPONSES = {
    "200": {
        "description": "The thread's settings.",
        "content": json_body(ref("ThreadSettings")),
    },
    **KEY_ERRORS,
    "403": error(
        "The key lacks `moderate` (`insufficient_scope`) or belongs to another "
        "site (`site_mismatch`)."
    ),
    "422": error("Bad parameters or fields (`validation_failed`)."),
}


def paths() -> dict[str, Any]:
    """Return the ``paths`` entry of ``/api/v1/threads``."""
    return {
        "/api/v1/threads": {
            "get": {
                "tags": ["Threads"],
                "operationId": "getThread",
                "summary": "A thread's settings (a `moderate` key)",
                "security": [{"bearerAuth": []}],
                "parameters": [{"name": "site", "in": "query", "schema": string(64)}, THREAD],
                "responses": SETTINGS_RESPONSES,
            },
            "put": {
                "tags": ["Threads"],
                "operationId": "setThread",
                "summary": "Close or reopen a thread, or give it its own moderation mode",
                "description": "A closed thread refuses new comments and replies with `403 "
                "thread_closed` (every sender); its comments stay listed and reportable. A "
                "site can also close threads a number of days after their first comment "
                "(`moderato sites update --close-after-days N`). Every change is audited.",
                "security": [{"bearerAuth": []}],
                "parameters": [{"name": "site", "in": "query", "schema": string(64)}, THREAD],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("ThreadSettingsInput")}},
                },
                "responses": {
                    **COMMON_ERRORS,
                    "415": error(
                        "Not JSON (`unsupported_media_type`): a form cannot say true or null."
                    ),
                    **SETTINGS_RESPONSES,
                },
            },
        },
    }


SCHEMAS: dict[str, Schema] = {
    "Thread": {
        "type": "object",
        "required": [
            "site",
            "thread",
            "order",
            "by",
            "items",
            "next_cursor",
            "total",
            "featured_total",
            "thread_state",
        ],
        "properties": {
            "site": {"type": "string"},
            "thread": {"type": "string"},
            "order": {"enum": ["oldest", "newest"]},
            "by": {"enum": ["comment", "conversation"]},
            "items": {"type": "array", "items": ref("PublicComment")},
            "replies_truncated": {
                "type": "boolean",
                "description": "Present (true) when the page's first conversation alone "
                "has more than the 2,000 replies a page brings: its earliest are shown.",
            },
            "next_cursor": {"type": ["string", "null"]},
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "Published comments in the whole thread, replies included "
                "(with `featured=1` too).",
            },
            "featured_total": {
                "type": "integer",
                "minimum": 0,
                "description": "Featured comments in the whole thread.",
            },
            "thread_state": ref("ThreadState"),
            "located": {
                "type": "object",
                "description": "Present when `comment` was given: that comment (`id`), "
                "whether this listing holds it (`found`; when not, the page is the first), "
                "and whether the page is the first (`first_page`: when not, a reader may "
                "want a way back to it).",
                "required": ["id", "found", "first_page"],
                "properties": {
                    "id": {"type": "string"},
                    "found": {"type": "boolean"},
                    "first_page": {"type": "boolean"},
                },
            },
        },
    },
    "ThreadState": {
        "type": "object",
        "description": "Whether the thread takes new comments. A closed thread keeps its "
        "comments (and readers' reports); the form goes, with the moderator's message.",
        "required": ["closed", "message", "closes_at"],
        "properties": {
            "closed": {"type": "boolean"},
            "message": {"type": ["string", "null"], "description": "Shown when closed."},
            "closes_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When the site's automatic closing will close it.",
            },
        },
    },
    "ThreadSettingsInput": {
        "type": "object",
        "additionalProperties": False,
        "description": "Each field optional; an absent one stays as it is; another field is "
        "a 422 (`unknown_field`), as in every keyed request.",
        "properties": {
            "closed": {
                "type": ["boolean", "null"],
                "description": "true: closed; false: open, even past the site's closing "
                "age; null: the site's rule.",
            },
            "message": {
                "type": ["string", "null"],
                "maxLength": 500,
                "pattern": PLAIN,
                "description": "Shown when closed: one line, no control or direction "
                "characters; null or blank: none.",
            },
            "mode": {
                "enum": ["pre", "post", "auto", None],
                "description": "This thread's moderation mode; null: the site's.",
            },
        },
    },
    "ThreadSettings": {
        "type": "object",
        "required": [
            "site",
            "thread",
            "closed",
            "closed_by",
            "message",
            "setting",
            "mode",
            "closes_at",
        ],
        "properties": {
            "site": {"type": "string"},
            "thread": {"type": "string"},
            "closed": {"type": "boolean"},
            "closed_by": {"enum": ["moderator", "age", None]},
            "message": {"type": ["string", "null"]},
            "setting": {"enum": ["closed", "open", "site"]},
            "mode": {"enum": ["pre", "post", "auto", None]},
            "closes_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "Counts": {
        "type": "object",
        "required": ["site", "counts"],
        "properties": {
            "site": {"type": "string"},
            "counts": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0},
                "description": "Thread → published comments, replies included.",
            },
        },
    },
}
