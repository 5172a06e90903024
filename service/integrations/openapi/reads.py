"""The OpenAPI description of the public reads: a thread's comments, counts per thread,
one comment's status."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import (
    COMMENT_ID,
    COMMON_ERRORS,
    KEY_ERRORS,
    OPTIONAL_ID,
    THREAD_PARAM,
    WWW_AUTHENTICATE,
    Schema,
    error,
    json_body,
    ref,
    string,
)
from service.status import State

READ_SITE = {
    "name": "site",
    "in": "query",
    "description": "The site's slug. Without it: the site of the key sent, if any, else "
    "`default`. Published comments are public, so any site's can be read.",
    "schema": string(64),
}


def list_comments() -> Schema:
    """Return the operation that lists a thread's published comments."""
    return {
        "tags": ["Comments"],
        "operationId": "listComments",
        "summary": "List a thread's published comments",
        "description": "Public. A site key is optional: without `site` it picks the "
        "key's site; it is never rate-limited here.",
        "security": [{}, {"bearerAuth": []}],
        "parameters": [
            READ_SITE,
            {
                "name": "thread",
                "in": "query",
                "required": True,
                "description": "Up to 512 characters once trimmed (like every text field); "
                "not blank, no control characters.",
                "schema": THREAD_PARAM,
            },
            {"name": "order", "in": "query", "schema": {"enum": ["oldest", "newest"]}},
            {
                "name": "by",
                "in": "query",
                "description": "`comment` (default): `limit` comments a page. "
                "`conversation`: `limit` top-level comments a page (and replies whose "
                "parent is not published), each followed by all its published replies, "
                "oldest first, so a late reply comes with its conversation. With "
                "`featured=1` the picks are a flat list: the answer's `by` is `comment`.",
                "schema": {"enum": ["comment", "conversation"]},
            },
            {
                "name": "featured",
                "in": "query",
                "description": "`1` (or `true`): only the comments a moderator "
                "featured. Its cursors belong to this list only.",
                "schema": {"enum": ["", "0", "1", "true", "false"]},
            },
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            {
                "name": "comment",
                "in": "query",
                "description": "A comment's id (a link to it, `#comment-<id>`): answer the "
                "page of this listing (its `order`, `by`, `featured` and `limit`) that holds "
                "it, whose `next_cursor` goes on as any page's. The answer's `located` says "
                "whether it does; a comment the listing does not hold (not published, of "
                "another thread, not featured under `featured=1`) gets the first page. Not "
                "with `cursor` (`not_with_cursor`); an id of the wrong shape is "
                "`invalid_id`; empty, as an empty `cursor`: none.",
                "schema": {"type": "string", "pattern": OPTIONAL_ID},
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 200},
            },
        ],
        "responses": {
            "200": {
                "description": "A page of the thread.",
                "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": json_body(ref("Thread")),
            },
            "304": {"description": "Not modified since the ETag sent."},
            "401": error(
                "A key was sent and is unknown, revoked or expired (`invalid_api_key`).",
                WWW_AUTHENTICATE,
            ),
            "404": error("No such site (`site_not_found`)."),
            "422": error("Bad parameters (`validation_failed`)."),
            "503": COMMON_ERRORS["503"],
        },
    }


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of the counts and of one comment's status."""
    return {
        "/api/v1/counts": {
            "get": {
                "tags": ["Comments"],
                "operationId": "countComments",
                "security": [{}, {"bearerAuth": []}],
                "summary": "Published comments per thread (for an index page's links)",
                "description": "Public, like the thread list; cached for 30 seconds. "
                "`/embed/count.js` calls it for every `data-moderato-count` element of a page.",
                "parameters": [
                    READ_SITE,
                    {
                        "name": "thread",
                        "in": "query",
                        "required": True,
                        "description": "Repeat for each thread, at most 100; each up to 512 "
                        "characters once trimmed.",
                        "schema": {"type": "array", "minItems": 1, "items": THREAD_PARAM},
                        "style": "form",
                        "explode": True,
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Each thread named, with 0 for one without comments.",
                        "headers": {"ETag": {"schema": {"type": "string"}}},
                        "content": json_body(ref("Counts")),
                    },
                    "304": {"description": "Not modified since the ETag sent."},
                    "401": error(
                        "A key was sent and is unknown, revoked or expired (`invalid_api_key`).",
                        WWW_AUTHENTICATE,
                    ),
                    "403": error(
                        "A page on an origin the site does not allow (`origin_not_allowed`)."
                    ),
                    "404": error("No such site (`site_not_found`)."),
                    "422": error("Bad parameters (`validation_failed`)."),
                    "503": COMMON_ERRORS["503"],
                },
            },
        },
        "/api/v1/comments/{id}": {
            "get": {
                "tags": ["Comments"],
                "operationId": "getComment",
                "summary": "A comment's status (scores for its site's `read` key)",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [COMMENT_ID],
                "responses": {
                    "200": {
                        "description": "The status (the public one for a key without "
                        "`read` or of another site).",
                        "content": json_body(ref("CommentStatus")),
                    },
                    **{k: v for k, v in KEY_ERRORS.items() if k != "403"},
                    "404": error("No such comment (`comment_not_found`)."),
                    "503": COMMON_ERRORS["503"],
                },
            }
        },
    }


SCHEMAS: dict[str, Schema] = {
    "PublicComment": {
        "type": "object",
        "required": [
            "id",
            "parent",
            "author_name",
            "avatar",
            "created_at",
            "edited_at",
            "revision",
            "text",
            "html",
            "featured",
        ],
        "properties": {
            "id": {"type": "string"},
            "parent": {"type": ["string", "null"]},
            "author_name": {"type": "string"},
            "author_url": {"type": ["string", "null"]},
            "avatar": {"type": "string", "description": "SHA-256 of the e-mail (Gravatar)."},
            "created_at": {"type": "string", "format": "date-time"},
            "edited_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When its author last edited it (null: never). The text "
                "shown is the edited one, published again after moderation.",
            },
            "revision": {
                "type": "integer",
                "description": "The text's revision: 0 as posted, one more per edit (an "
                "author's edit may name it: `PATCH`).",
            },
            "text": {"type": "string"},
            "html": {"type": "string"},
            "featured": {
                "type": "boolean",
                "description": "A moderator featured it (an editors' pick).",
            },
        },
    },
    "CommentStatus": {
        "type": "object",
        "required": ["id", "status", "created_at", "revision"],
        "properties": {
            "id": {"type": "string"},
            "status": {"enum": [s.value for s in State]},
            "created_at": {"type": "string", "format": "date-time"},
            "revision": {
                "type": "integer",
                "minimum": 0,
                "description": "The text's revision (0 as posted, one more per author's "
                "edit): send it with `/moderate`, so a decision never lands on a text "
                "edited since you read it.",
            },
            "comment": ref("PublicComment"),
            "rejection": {"type": ["string", "null"]},
            "scores": {
                "type": ["object", "null"],
                "properties": {"spam": {"type": "number"}, "toxicity": {"type": "number"}},
            },
            "decision": {"type": ["object", "null"]},
            "open_reports": {
                "type": "integer",
                "minimum": 0,
                "description": "Readers' reports no moderator has answered yet (with "
                "`scores`: the site's `read` key or a moderator).",
            },
        },
    },
}
