"""The OpenAPI description of ``/api/v1/privacy/export`` and ``/erase``: a site's server
answers its commenters' data requests (a key with the ``privacy`` scope)."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import (
    CC,
    COMMON_ERRORS,
    KEY_ERRORS,
    RETRY_AFTER,
    Schema,
    error,
    json_body,
    ref,
)

TAG = "Privacy"
NO_STORE = {
    "Cache-Control": {"description": "`no-store`: it names a person.", "schema": {"type": "string"}}
}
ERRORS = {
    **COMMON_ERRORS,
    **KEY_ERRORS,
    "403": error("The key lacks the `privacy` scope (`insufficient_scope`)."),
    "422": error(
        "No address, not an address, or a field other than `email` (`validation_failed`)."
    ),
}


#: The erasure's own error: comments that kept changing under it are left for the next
#: request (the rest is erased and audited).
CONFLICT = {
    "409": error(
        "Some comments kept changing while they were erased (a moderator or the classifier "
        "acting on them each time): the others are erased, and the message says how many "
        "remain. Send the same request again after `Retry-After` (`erasure_conflict`).",
        RETRY_AFTER,
    )
}


def _operation(
    operation_id: str, summary: str, description: str, answer: str, errors: Schema = ERRORS
) -> Schema:
    return {
        "tags": [TAG],
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "security": [{"bearerAuth": []}],
        "requestBody": {"required": True, "content": json_body(ref("PrivacyRequest"))},
        "responses": {
            "200": {
                "description": "Done.",
                "headers": NO_STORE,
                "content": json_body(ref(answer)),
            },
            **errors,
        },
    }


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of the privacy requests."""
    return {
        "/api/v1/privacy/export": {
            "post": _operation(
                "exportAuthorData",
                "Everything the key's site keeps about an e-mail address",
                "A commenter's access request (GDPR article 15): their comments on the key's "
                "site with every field kept (the decision, the IP hash, the text before an "
                "edit), its Akismet-compatible check records, the site's bans on the address "
                "and their history, and its reply-notification subscriptions; the same JSON "
                "as `moderato comments export --site`, less the bans on every site (the "
                "installation's). The address is matched trimmed and in any case. Audited "
                "(`privacy_export`, counts only).",
                "PrivacyExport",
            )
        },
        "/api/v1/privacy/erase": {
            "post": _operation(
                "eraseAuthorData",
                "Take down and erase what the key's site keeps about an e-mail address",
                "A commenter's erasure request (GDPR article 17), as `moderato comments "
                "erase --site` does it: each comment leaves its thread (`comment.rejected`, "
                "rejection `moderator`) and keeps its id, thread and times but not its "
                "author, address, text or metadata; check records and reply-notification "
                "subscriptions are deleted; bans stay. Idempotent: a retry erases what still "
                "carries the address and answers its own counts. At most 500 comments a "
                "request: while `complete` is false, send it again; the same when a comment "
                "kept changing under the erasure (`409 erasure_conflict`). Cannot be undone. "
                "Audited (`privacy_erase`, counts only, with `remaining` and `complete`).",
                "PrivacyErasure",
                {**ERRORS, **CONFLICT},
            )
        },
    }


COUNT = {"type": "integer", "minimum": 0}
OBJECTS = {"type": "array", "items": {"type": "object"}}

SCHEMAS: dict[str, Schema] = {
    "PrivacyRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["email"],
        "properties": {
            "email": {
                "type": "string",
                "minLength": 1,
                "maxLength": 254,
                # surrounding spaces are trimmed (not control characters: a 422)
                "pattern": f"^[^\\S{CC}]*[^{CC}\\s]*@[^{CC}\\s]*[^\\S{CC}]*$",
                "description": "The address the commenter typed (trimmed, any case).",
            }
        },
    },
    "PrivacyExport": {
        "type": "object",
        "required": ["email", "comments", "checks", "bans", "ban_history", "reply_notifications"],
        "properties": {
            "email": {"type": "string", "description": "The address, trimmed and lower-cased."},
            "comments": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "site", "thread", "status", "author_email", "text"],
                    "properties": {
                        "id": {"type": "string"},
                        "site": {"type": "string"},
                        "thread": {"type": "string"},
                        "parent": {"type": ["string", "null"]},
                        "status": {"enum": ["pending", "held", "published", "rejected"]},
                        "author_email": {"type": "string"},
                        "text": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
            },
            "checks": OBJECTS,
            "bans": OBJECTS,
            "ban_history": OBJECTS,
            "reply_notifications": OBJECTS,
        },
    },
    "PrivacyErasure": {
        "type": "object",
        "required": ["site", "complete", "erased", "remaining"],
        "properties": {
            "site": {"type": "string"},
            "complete": {
                "type": "boolean",
                "description": "Nothing of the address is left on the site (bans aside); "
                "false: send the request again.",
            },
            "erased": {
                "type": "object",
                "description": "What this request erased (zeros for a retry of a complete one).",
                "required": ["comments", "taken_down", "checks", "reply_notifications"],
                "properties": {
                    "comments": COUNT,
                    "taken_down": {
                        **COUNT,
                        "description": "Of those, the comments not rejected already.",
                    },
                    "checks": COUNT,
                    "reply_notifications": COUNT,
                },
            },
            "remaining": {
                "type": "object",
                "required": ["comments"],
                "properties": {"comments": COUNT},
            },
        },
    },
}
