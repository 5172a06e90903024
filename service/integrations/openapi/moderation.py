"""The OpenAPI description of what is done to a published comment: readers report it,
a site's tools moderate or feature it."""

from __future__ import annotations

from typing import Any

from service.api.moderate import ACTIONS as API_ACTIONS
from service.api.report import EMAIL as REPORT_EMAIL
from service.featured import ACTIONS as FEATURE_ACTIONS
from service.integrations.openapi.common import (
    COMMENT_ID,
    COMMON_ERRORS,
    KEY_ERRORS,
    NOTE,
    PLAIN,
    RETRY_AFTER,
    USER_IP,
    Schema,
    error,
    form_bodies,
    json_body,
    json_or_form,
    optional,
    ref,
    string,
)
from service.moderation.actions import MAX_NOTE
from service.reports import MAX_NOTE as REPORT_NOTE
from service.reports import REASONS as REPORT_REASONS
from service.status import State
from service.validation import MAX_REVISION

#: ``POST /api/v1/comments/{id}/moderate``'s actions: moves of state, then featuring.
MODERATE_ACTIONS = [*API_ACTIONS, *FEATURE_ACTIONS]
#: ``report.EMAIL`` around spaces: the server trims a reporter before it checks.
REPORTER_EMAIL = "^\\s*" + REPORT_EMAIL.pattern[1:-1] + "\\s*$"


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of ``/moderate`` and ``/reports``."""
    return {
        "/api/v1/comments/{id}/moderate": {
            "post": {
                "tags": ["Comments"],
                "operationId": "moderateComment",
                "summary": "Approve, reject, mark spam or ham, feature or unfeature (a "
                "`moderate` key)",
                "security": [{"bearerAuth": []}],
                "parameters": [COMMENT_ID],
                "requestBody": {
                    "required": True,
                    "content": json_or_form("ModerationInput"),
                },
                "responses": {
                    "200": {"description": "Done.", "content": json_body(ref("Moderated"))},
                    **COMMON_ERRORS,
                    **KEY_ERRORS,
                    "404": error("No such comment of the key's site (`comment_not_found`)."),
                    "409": error(
                        "The state or the text's revision changed (`conflict`), the state "
                        "cannot change so (`invalid_transition`), or its author withdrew "
                        "it (`withdrawn`)."
                    ),
                    "422": error(
                        "Field errors (`validation_failed`), a `revision` the comment never "
                        "had (`invalid_revision`) among them."
                    ),
                },
            }
        },
        "/api/v1/comments/{id}/reports": {
            "post": {
                "tags": ["Comments"],
                "operationId": "reportComment",
                "summary": "Report a published comment to the moderators (readers)",
                "description": "Public, like the comment form (browsers on the site's "
                "origins, or the site's server with a `submit` key, naming each reader by "
                "`reporter` or `user_ip`). One report per comment and reader counts; a "
                "repeat gets the same answer and changes nothing. The comment stays "
                "published and appears in the dashboard's Reported queue.",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [COMMENT_ID],
                "requestBody": {
                    "required": True,
                    "content": json_or_form("ReportInput"),
                },
                "responses": {
                    "202": {"description": "Recorded.", "content": json_body(ref("Reported"))},
                    **COMMON_ERRORS,
                    **KEY_ERRORS,
                    "403": error(
                        "A page on an origin the site does not allow "
                        "(`origin_not_allowed`), or a key without `submit`."
                    ),
                    "404": error("No such published comment (`comment_not_found`)."),
                    "422": error("Field errors (`validation_failed`)."),
                    "429": error(
                        "Too many reports or comments from this client, or the key "
                        "is over its limit (`rate_limited`).",
                        RETRY_AFTER,
                    ),
                },
            }
        },
    }


SCHEMAS: dict[str, Schema] = {
    "ReportInput": {
        "type": "object",
        "description": "Other fields: ignored without a key (a browser's form carries its "
        "own), a 422 (`unknown_field`) with one.",
        "required": ["reason"],
        "additionalProperties": True,
        "properties": {
            "reason": {"enum": list(REPORT_REASONS)},
            "note": optional(
                string(
                    REPORT_NOTE,
                    pattern=NOTE,
                    description="What the moderator should know (no control characters but "
                    "newlines and tabs, no direction controls).",
                )
            ),
            "user_ip": {
                "description": "With a key: the reader's IP address, so that each reader "
                "counts once (IPv6 by /64 network), when no `reporter` is sent. With "
                "neither, the key's site is one reader: its retries count once.",
                **USER_IP,
            },
            "reporter": optional(
                string(
                    255,
                    pattern=PLAIN,
                    description="With a key: the reader's id in the site's own system (an "
                    "account or session id; an e-mail address is refused, "
                    "`email_not_allowed`), trimmed, kept as a keyed hash. "
                    "One report per comment and reporter counts; before `user_ip`.",
                    # what report.EMAIL refuses, on the value before the server trims it
                    **{"not": {"type": "string", "pattern": REPORTER_EMAIL}},
                )
            ),
        },
    },
    "Reported": {
        "type": "object",
        "required": ["id", "reported"],
        "properties": {"id": {"type": "string"}, "reported": {"const": True}},
    },
    "ModerationInput": {
        "type": "object",
        "description": "Another field is a 422 (`unknown_field`), as in every keyed request.",
        "required": ["action", "expected_status"],
        "additionalProperties": False,
        "properties": {
            "action": {
                "enum": MODERATE_ACTIONS,
                "description": "`feature` and `unfeature` change no state: they take "
                "`expected_status: published` (409 when it no longer is).",
            },
            "expected_status": {
                "enum": [s.value for s in State],
                "description": "The state the caller saw; 409 when it no longer holds.",
            },
            "revision": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_REVISION,
                "description": "The revision of the text the caller saw (`revision` in "
                "`GET /api/v1/comments/{id}`, the listing and every webhook event). Send "
                "it: an author may edit a comment for a while after posting, which sends "
                "it back to `pending` and may get it held again, so a held comment's state "
                "alone cannot tell the text you read from the new one. When the comment "
                "has another revision by now, nothing changes: `409 conflict`. A revision "
                "newer than the comment's (one it never had) is `422 validation_failed` "
                "with the field error `invalid_revision`, naming the current one. Left "
                "out: whatever text is current.",
            },
            "note": optional(
                string(
                    MAX_NOTE,
                    pattern=NOTE,
                    description="No control characters but newlines and tabs, no direction "
                    "controls.",
                )
            ),
            "reason": optional(
                {
                    "enum": ["", "other", "toxic"],
                    "description": "With reject: `toxic` rejects as toxic (label `toxic`); "
                    "otherwise a moderator rejection (label `ham`). `toxic` goes with "
                    "`reject` only (with another action: `422`, `invalid_choice`).",
                }
            ),
        },
        "if": {"required": ["reason"], "properties": {"reason": {"const": "toxic"}}},
        "then": {"properties": {"action": {"const": "reject"}}},
    },
    "Moderated": {
        "type": "object",
        "required": ["id", "status", "rejection", "action", "label", "featured"],
        "properties": {
            "id": {"type": "string"},
            "status": {"enum": [s.value for s in State]},
            "rejection": {"type": ["string", "null"]},
            "action": {"enum": MODERATE_ACTIONS},
            "label": {
                "enum": ["ok", "toxic", "spam", "ham", None],
                "description": "null for `feature` and `unfeature` (no verdict on the text).",
            },
            "featured": {"type": "boolean", "description": "Whether it is featured now."},
        },
    },
}
SCHEMAS |= form_bodies(SCHEMAS, "ModerationInput", "ReportInput")
