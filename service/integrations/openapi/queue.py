"""The OpenAPI description of ``GET /api/v1/queue``: what waits for a decision on a site."""

from __future__ import annotations

from typing import Any

from service.api.queue import ORDERS, STATUSES
from service.integrations.openapi.common import (
    COMMON_ERRORS,
    KEY_ERRORS,
    THREAD_PARAM,
    Schema,
    error,
    json_body,
    ref,
    string,
)


def paths() -> dict[str, Any]:
    """Return the ``paths`` entry of the queue."""
    return {
        "/api/v1/queue": {
            "get": {
                "tags": ["Comments"],
                "operationId": "listQueue",
                "summary": "List what waits for a decision (held, pending or reported)",
                "description": "A site's `moderate` key lists its site's Held (default), "
                "Pending or Reported queue, as the dashboard's tabs hold them, oldest first "
                "and cursor-paginated: to reconcile after missed webhooks, then decide each "
                "with `POST /api/v1/comments/{id}/moderate`, sending the item's `status` as "
                "`expected_status` and its `revision`. A read: it spends nothing of the "
                "key's rate limit.",
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "description": "`held` (default), `pending` (waiting for the "
                        "classifier), or `reported` (published, with a reader's report no "
                        "moderator has answered).",
                        "schema": {"enum": ["", *STATUSES]},
                    },
                    {
                        "name": "site",
                        "in": "query",
                        "description": "The key's site's slug (optional; another is "
                        "`403 site_mismatch`).",
                        "schema": string(64),
                    },
                    {
                        "name": "thread",
                        "in": "query",
                        "description": "Only this thread's comments.",
                        "schema": THREAD_PARAM,
                    },
                    {"name": "order", "in": "query", "schema": {"enum": ["", *ORDERS]}},
                    {
                        "name": "cursor",
                        "in": "query",
                        "description": "A `next_cursor` of the same status, order and "
                        "thread (another is `invalid_cursor`).",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page of the queue.",
                        "content": json_body(ref("QueuePage")),
                    },
                    "401": KEY_ERRORS["401"],
                    "403": error(
                        "The key lacks the `moderate` scope (`insufficient_scope`), or "
                        "`site` names another site (`site_mismatch`)."
                    ),
                    "422": error(
                        "Bad parameters (`validation_failed`): an unknown `status` or "
                        "`order` (`invalid_choice`, naming the allowed values), `limit` "
                        "(`invalid_limit`), `thread`, or a cursor of another list "
                        "(`invalid_cursor`)."
                    ),
                    "503": COMMON_ERRORS["503"],
                },
            }
        }
    }


SCHEMAS: dict[str, Schema] = {
    "QueueItem": {
        "description": "A comment that waits: exactly a webhook's `data` (`WebhookComment`, "
        "never the e-mail address), with why the classifier decided so and its readers' "
        "open reports.",
        "allOf": [
            ref("WebhookComment"),
            {
                "type": "object",
                "required": ["revision", "reasons", "summary", "open_reports"],
                "properties": {
                    "status": {
                        "enum": ["held", "pending", "published"],
                        "description": "Its state now: send it as `expected_status` to "
                        "`/moderate` (a reported comment is `published`).",
                    },
                    "open_reports": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Readers' reports no moderator has answered yet.",
                    },
                },
            },
        ],
    },
    "QueuePage": {
        "type": "object",
        "required": ["site", "status", "order", "thread", "items", "next_cursor", "total"],
        "properties": {
            "site": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "order": {"enum": list(ORDERS)},
            "thread": {"type": ["string", "null"]},
            "items": {"type": "array", "items": ref("QueueItem")},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "The next page's cursor; null on the last page.",
            },
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "How many comments the queue holds (in the thread, if named).",
            },
        },
    },
}
