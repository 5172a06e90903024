"""The OpenAPI description of the webhooks we send: one ``POST`` per event type."""

from __future__ import annotations

from typing import Any

from service.events import EVENT_TYPES
from service.integrations.openapi.common import Schema, json_body, ref
from service.integrations.webhook_changes import TEST_EVENT
from service.reports import REASONS as REPORT_REASONS
from service.status import Rejection, State


def events() -> dict[str, Any]:
    """Return the ``webhooks`` object: each event, with its body."""
    return {
        event: {
            "post": {
                "summary": f"`{event}`",
                "requestBody": {"content": json_body(ref("WebhookEvent"))},
                "responses": {"200": {"description": "Any 2xx acknowledges it."}},
            }
        }
        for event in EVENT_TYPES
    } | {
        TEST_EVENT: {
            "post": {
                "summary": f"`{TEST_EVENT}`",
                "description": "Sent only when an admin asks (`moderato webhooks ping`, *Send "
                "a test event*), whatever the endpoint subscribes to; signed and retried "
                "like any event. Acknowledge it with a 2xx.",
                "requestBody": {"content": json_body(ref("WebhookTestEvent"))},
                "responses": {"200": {"description": "Any 2xx acknowledges it."}},
            }
        }
    }


#: One signal behind a decision: the scoring contract's reason (docs/contracts.md).
REASON: Schema = {
    "type": "object",
    "description": "One signal behind the classifier's decision (the scoring contract). An "
    "erased comment's reasons keep `model`, `kind` and `weight`; `text` and `span` are null.",
    "required": ["model", "kind", "text", "weight", "span"],
    "properties": {
        "model": {"type": "string", "description": "`spam` or `toxicity`."},
        "kind": {
            "type": "string",
            "description": "`token`, `link`, `pattern`, `author` or `rule`.",
        },
        "text": {"type": ["string", "null"], "description": "The words or link it is about."},
        "weight": {"type": ["number", "null"]},
        "span": {
            "type": ["array", "null"],
            "description": "`[start, end)` characters of the comment's text; null when the "
            "signal has no place in it.",
            "items": {"type": "integer", "minimum": 0},
            "minItems": 2,
            "maxItems": 2,
        },
    },
}

SCHEMAS: dict[str, Schema] = {
    "Reason": REASON,
    "WebhookTestEvent": {
        "type": "object",
        "description": "The body of a test event: check your signature verification with it.",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": TEST_EVENT},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": {
                "type": "object",
                "required": ["endpoint", "site", "message"],
                "properties": {
                    "endpoint": {"type": "integer", "description": "The endpoint's id."},
                    "site": {"type": "string", "description": "The site's slug."},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "WebhookEvent": {
        "type": "object",
        "description": "The body of every webhook POST (Standard Webhooks signed). Events "
        "arrive in no guaranteed order and may arrive twice: order by `timestamp`, "
        "de-duplicate by the `webhook-id` header.",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"enum": list(EVENT_TYPES)},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": ref("WebhookComment"),
        },
    },
    "WebhookComment": {
        "type": "object",
        "description": "The comment as the event left it. Never the e-mail address. New "
        "fields may be added; ignore the ones you do not know. A comment its author "
        "withdrew (`comment.rejected`, rejection `withdrawn`) comes erased: no name, no "
        "text.",
        "required": [
            "id",
            "site",
            "thread",
            "parent",
            "status",
            "rejection",
            "author_name",
            "author_url",
            "avatar",
            "text",
            "html",
            "created_at",
            "scores",
            "model_version",
        ],
        "properties": {
            "id": {"type": "string"},
            "site": {"type": "string", "description": "The site's slug."},
            "thread": {"type": "string"},
            "parent": {"type": ["string", "null"], "description": "The comment replied to."},
            "status": {"enum": [s.value for s in State]},
            "rejection": {
                "enum": [None, *(r.value for r in Rejection)],
                "description": "Why a rejected comment was rejected; null otherwise.",
            },
            "author_name": {"type": "string"},
            "author_url": {"type": ["string", "null"]},
            "avatar": {"type": "string", "description": "SHA-256 of the e-mail (Gravatar)."},
            "text": {"type": "string", "description": "As the author typed it."},
            "html": {"type": "string", "description": "Escaped, linkified; safe to insert."},
            "created_at": {"type": "string", "format": "date-time"},
            "scores": {
                "type": ["object", "null"],
                "description": "The classifier's probabilities; null before classification "
                "(`comment.received`).",
                "required": ["spam", "toxicity"],
                "properties": {
                    "spam": {"type": "number", "minimum": 0, "maximum": 1},
                    "toxicity": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
            "model_version": {"type": ["string", "null"]},
            "featured": {
                "type": "boolean",
                "description": "Featured by a moderator (only a published comment is).",
            },
            "edited_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When its author last edited the text (null: never).",
            },
            "revision": {
                "type": "integer",
                "minimum": 0,
                "description": "The text's revision: 0 as posted, one more per author's "
                "edit. Send it as `revision` with `POST /api/v1/comments/{id}/moderate`, so "
                "a decision never lands on a text edited after this event.",
            },
            "previous_status": {
                "enum": [s.value for s in State],
                "description": "`comment.edited` only: the state the author's edit took "
                "the comment out of (it is `pending` now, its new text waiting for the "
                "classifier).",
            },
            "action": {
                "type": "string",
                "description": "`comment.moderated` and `comment.featured` only: what the "
                "moderator did (`approve`, `ham`, `spam`, `reject`, `takedown`, "
                "`reject_toxic`, `reject_offtopic`; `feature`, `unfeature`), or `erase`: "
                "a privacy erasure took the comment down (the operator's, or a `privacy` "
                "key's).",
            },
            "note": {
                "type": ["string", "null"],
                "description": "`comment.moderated` and `comment.featured` only: the "
                "moderator's note.",
            },
            "actor": {
                "type": "string",
                "description": "`comment.moderated` and `comment.featured` only: who acted: "
                "`user:<id>` (a "
                "moderator in the dashboard), `key:<prefix>` (a site key through the API), "
                "`cli`.",
            },
            "reasons": {
                "type": "array",
                "description": "`comment.held` and `comment.rejected` only: the "
                "classifier's reasons, as the dashboard highlights them (empty when a rule, "
                "a ban or a classifier error decided, or for a comment never scored).",
                "items": ref("Reason"),
            },
            "summary": {
                "type": "array",
                "description": "`comment.held` and `comment.rejected` only: the decision "
                "in words, as the dashboard's card says it (e.g. `the site reviews every "
                "comment before publishing`; `classifier_error: the classifier failed "
                "(TimeoutError)` when scoring kept failing: the error's class, never its "
                "message).",
                "items": {"type": "string"},
            },
            "report": {
                "type": "object",
                "description": "`comment.reported` only: the new report's reason, and how "
                "many reports of the comment no moderator has answered yet.",
                "required": ["reason", "open_reports"],
                "properties": {
                    "reason": {"enum": list(REPORT_REASONS)},
                    "open_reports": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
}
