"""The OpenAPI description of comment intake: ``POST /api/v1/comments``."""

from __future__ import annotations

from service.integrations.openapi.common import (
    AUTHOR_URL,
    COMMON_ERRORS,
    KEY_ERRORS,
    LINE,
    NAME,
    NO_CONTROLS,
    OPTIONAL_ID,
    OPTIONAL_URL,
    SLUG,
    TEXT,
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
from service.status import State

RESPONSES = {
    "202": {
        "description": "Stored, waiting for the classifier (or, for a retry with the same "
        "Idempotency-Key, the first answer again, with a new edit token; the key of a comment "
        "erased or withdrawn since answers its id, status `rejected`, and stores nothing).",
        "headers": {
            "Location": {"schema": {"type": "string"}},
            "Idempotent-Replayed": {
                "description": "`true` on a replayed answer.",
                "schema": {"type": "string", "enum": ["true"]},
            },
        },
        "content": json_body(ref("Accepted")),
    },
    "303": {"description": "A no-JS form post goes back to its page."},
    **COMMON_ERRORS,
    **KEY_ERRORS,
    "400": error(
        "Malformed body (`malformed_json`, `invalid_body`) or Idempotency-Key "
        "(`invalid_idempotency_key`)."
    ),
    "403": error(
        "The thread is closed (`thread_closed`), a page on an origin the site does not "
        "allow (`origin_not_allowed`), or a key without `submit` or of another site."
    ),
    "404": error("No such site (`site_not_found`)."),
    "409": error("The Idempotency-Key was used for another body (`idempotency_conflict`)."),
    "422": error("Field errors, every one at once (`validation_failed`)."),
}


def create_comment() -> Schema:
    """Return the operation that submits a comment."""
    return {
        "tags": ["Comments"],
        "operationId": "createComment",
        "summary": "Submit a comment for moderation",
        "security": [{}, {"bearerAuth": []}],
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "description": "With a site key: a retry with the same key and body "
                "within 24 hours gets the first answer (`Idempotent-Replayed: true`), "
                "not a second comment; another body with it is a 409.",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": "^[ -~]+$",
                },
            }
        ],
        "requestBody": {
            "required": True,
            "content": json_or_form("CommentInput"),
        },
        "responses": RESPONSES,
    }


SCHEMAS: dict[str, Schema] = {
    "CommentInput": {
        "type": "object",
        "description": "A comment. With a site key, also the end user's details; the site "
        "is the key's. Unknown fields: without a key (a browser: the embed's form token and "
        "honeypot) they are ignored; with a key each is a 422 (`unknown_field`). Text "
        "fields are trimmed; control characters are refused (newlines and tabs in `text`).",
        "required": ["thread", "name", "email", "text"],
        "additionalProperties": True,
        "properties": {
            "site": optional(
                string(
                    64,
                    pattern=SLUG,
                    description="The site's slug. With a site key: the key's site, whether "
                    "`site` is empty, absent or that slug (another slug is `403 "
                    "site_mismatch`). Without a key: empty or absent means `default`.",
                )
            ),
            "thread": string(512, pattern=LINE, description="A slug or the page's URL."),
            "name": string(80, pattern=NAME, description="No direction controls."),
            "email": string(254, format="email", description="Never shown or sent on."),
            "text": string(5000, pattern=TEXT),
            "url": optional(
                string(
                    2048,
                    pattern=AUTHOR_URL,
                    description="The author's website (no `\"`, `<` or `>`: percent-encode them).",
                )
            ),
            "parent": optional(
                string(40, pattern=OPTIONAL_ID, description="Published comment replied to.")
            ),
            "user_ip": {
                "description": "The end user's IP address (kept only as a keyed hash; used "
                "with a site key). An IPv4-mapped address hashes as IPv4; an IPv6 zone id "
                "(`%eth0`) is accepted and dropped.",
                **USER_IP,
            },
            "user_agent": optional(
                string(512, pattern=NO_CONTROLS, description="End user's agent.")
            ),
            "referrer": optional(
                string(2048, pattern=NO_CONTROLS, description="End user's referrer.")
            ),
            "permalink": optional(
                string(2048, pattern=OPTIONAL_URL, description="The page commented on.")
            ),
            "notify_replies": {
                "description": "E-mail the author when a reply to this comment is published "
                "(after they confirm the address once per site). Ignored when the service has "
                "no mail configured. A form's checkbox sends `on`.",
                "anyOf": [
                    {"type": "boolean"},
                    {"enum": ["1", "true", "on", "yes", "", "0", "false", "off", "no"]},
                    {"type": "null"},
                ],
            },
            "lang": optional(
                string(
                    35,
                    pattern=NO_CONTROLS,
                    description="The reader's language tag: the reply-notification mails' "
                    "language (en, fr, ar; others get English).",
                )
            ),
        },
    },
    "Accepted": {
        "type": "object",
        "required": ["id", "status", "status_url"],
        "properties": {
            "id": {"type": "string"},
            "status": {
                "enum": [s.value for s in State],
                "description": "`pending` for a new comment; an idempotent replay "
                "(`Idempotent-Replayed: true`) names the comment's state now (`published`, "
                "`held`, `rejected` once decided; a comment erased or withdrawn since is "
                "`rejected`, with no edit token).",
            },
            "status_url": {"type": "string", "format": "uri"},
            "edit_token": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{43,}$",
                "description": "While the edit window is on: the author's token to edit or "
                "delete the comment until `edit_until` (`PATCH`/`DELETE` with the "
                "`Moderato-Edit-Token` header). Shown once (a replay carries a new one, "
                "which replaces it); keep it with the author only.",
            },
            "edit_until": {
                "type": "string",
                "format": "date-time",
                "description": "The end of the edit window (`MODERATO_EDIT_WINDOW` after posting).",
            },
        },
    },
}
#: A form sends no null: ``notify_replies=null`` is no yes or no (``CommentInputForm``).
SCHEMAS |= form_bodies(SCHEMAS, "CommentInput")
