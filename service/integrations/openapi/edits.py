"""The OpenAPI description of an author's edit and withdrawal of their own comment:
``PATCH`` and ``DELETE /api/v1/comments/{id}`` with the edit token of the intake's 202."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import (
    COMMENT_ID,
    COMMON_ERRORS,
    RETRY_AFTER,
    TEXT,
    WWW_AUTHENTICATE,
    Schema,
    error,
    form_bodies,
    json_body,
    json_or_form,
    ref,
    string,
)
from service.status import Rejection, State
from service.validation import MAX_REVISION

TOKEN = {
    "name": "Moderato-Edit-Token",
    "in": "header",
    "required": True,
    "description": "The `edit_token` of the comment's intake answer (`202`), valid until its "
    "`edit_until`.",
    "schema": {"type": "string"},
}

#: What a refusal of either says, besides the common errors.
ERRORS = {
    "401": error(
        "A key was sent and is unknown, revoked or expired (`invalid_api_key`).",
        WWW_AUTHENTICATE,
    ),
    "403": error(
        "No token, or not this comment's (`invalid_edit_token`); its window is over or the "
        "feature is off (`edit_window_closed`); a page on an origin the site does not allow "
        "(`origin_not_allowed`); an edit under a closed thread (`thread_closed`); a key "
        "without `submit` (`insufficient_scope`)."
    ),
    "404": error("No such comment, or another site's with your key (`comment_not_found`)."),
    "409": error(
        "The comment is rejected: it can no longer be edited, nor deleted when a moderator "
        "rejected it (one the classifier rejected may be withdrawn) (`not_editable`); "
        "it changed throughout the edit or the withdrawal: send it again (`conflict`); the "
        "`revision` named is no longer the comment's (`edit_conflict`)."
    ),
    "429": error(
        "Too many requests: the browser's per-client limit, or the key's (`rate_limited`).",
        RETRY_AFTER,
    ),
    "503": COMMON_ERRORS["503"],
}


def operations() -> dict[str, Any]:
    """Return the ``patch`` and ``delete`` operations of ``/api/v1/comments/{id}``."""
    return {
        "patch": {
            "tags": ["Comments"],
            "operationId": "editComment",
            "summary": "Edit one's own comment (moderated again)",
            "description": "The author, with the comment's edit token, inside its edit window "
            "(`MODERATO_EDIT_WINDOW` seconds after posting). The new text is checked as at "
            "intake and replaces the old; the comment goes back to `pending` (a published "
            "one leaves its thread) and is decided by the site's policy as a new comment. "
            "Webhooks: `comment.edited`, then the decision's event.",
            "security": [{}, {"bearerAuth": []}],
            "parameters": [COMMENT_ID, TOKEN],
            "requestBody": {
                "required": True,
                "content": json_or_form("CommentEdit"),
            },
            "responses": {
                "200": {
                    "description": "The comment already has this text: nothing changed.",
                    "content": json_body(ref("CommentEdited")),
                },
                "202": {
                    "description": "Edited, waiting for the classifier.",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": json_body(ref("CommentEdited")),
                },
                **{k: v for k, v in COMMON_ERRORS.items() if k != "503"},
                **ERRORS,
                "422": error("The text's or the revision's field errors (`validation_failed`)."),
            },
        },
        "delete": {
            "tags": ["Comments"],
            "operationId": "withdrawComment",
            "summary": "Delete (withdraw) one's own comment",
            "description": "The author, with the comment's edit token, inside its edit "
            "window. The comment leaves its thread at once (`rejected`, rejection "
            "`withdrawn`) and its text and its author's details are erased; no moderator "
            "can publish it again. Asking again answers the same. Webhook: "
            "`comment.rejected`. It reads no body: without a key one is ignored, with a key "
            "its fields are a 422 (`unknown_field`), as a misspelt field is elsewhere.",
            "security": [{}, {"bearerAuth": []}],
            "parameters": [COMMENT_ID, TOKEN],
            "responses": {
                "200": {
                    "description": "Withdrawn.",
                    "content": json_body(ref("CommentWithdrawn")),
                },
                **{k: v for k, v in COMMON_ERRORS.items() if k != "503"},
                **ERRORS,
                "422": error(
                    "With a key, a body with fields (`validation_failed`, each "
                    "`unknown_field`): the request reads none."
                ),
            },
        },
    }


SCHEMAS: dict[str, Schema] = {
    "CommentEdit": {
        "type": "object",
        "description": "The new text (trimmed; newlines and tabs kept, other control "
        "characters refused) and, optionally, the revision of the text it replaces. Other "
        "fields: ignored without a key (a browser's), a 422 (`unknown_field`) with one.",
        "required": ["text"],
        "additionalProperties": True,
        "properties": {
            "text": string(5000, pattern=TEXT),
            "revision": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_REVISION,
                "description": "The text's revision the author edited (0: as posted; the "
                "listing's and the edit's `revision`). When the comment has another by now "
                "(an edit from another tab or device), nothing changes: `409 "
                "edit_conflict`. Leave it out to edit whatever text is current.",
            },
        },
    },
    "CommentEdited": {
        "type": "object",
        "required": ["id", "status", "status_url", "edited_at", "edit_until", "revision"],
        "properties": {
            "id": {"type": "string"},
            "revision": {
                "type": "integer",
                "description": "The revision of the comment's text now (name it in the next edit).",
            },
            "status": {"enum": [s.value for s in State]},
            "status_url": {"type": "string", "format": "uri"},
            "edited_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When the author last edited it (null: never).",
            },
            "edit_until": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "The end of the edit window (an edit does not extend it).",
            },
        },
    },
    "CommentWithdrawn": {
        "type": "object",
        "required": ["id", "status", "rejection"],
        "properties": {
            "id": {"type": "string"},
            "status": {"const": State.REJECTED.value},
            "rejection": {
                "enum": [r.value for r in Rejection],
                "description": "`withdrawn` (another reason only when a moderator or the "
                "worker rejected it in the same instant; it is erased all the same).",
            },
        },
    },
}
SCHEMAS |= form_bodies(SCHEMAS, "CommentEdit")
