"""The OpenAPI 3.1 description of every public and integration endpoint, built as data.

Written by hand (not generated from the views) so that it states the contract:
request and response schemas, the one JSON error shape, and the two documented
exceptions to it (Akismet's ``text/plain``, Perspective's Google-style errors).
A test runs schemathesis against the live app with this document.
"""

from __future__ import annotations

from typing import Any

from service.events import EVENT_TYPES
from service.integrations import openapi_mail
from service.integrations.openapi_feeds import feed_paths
from service.integrations.openapi_schemas import (
    COMMON_ERRORS,
    EXTRA_SCHEMAS,
    KEY_ERRORS,
    RETRY_AFTER,
    SCHEMAS,
    Schema,
    error,
    google_error,
    json_body,
    plain,
    ref,
    string,
)

VERSION = "1.0.0"

AKISMET_FORM = {
    "required": False,
    "description": "Without the required fields the answer is `invalid` (status 200), "
    "as Akismet answers.",
    "content": {"application/x-www-form-urlencoded": {"schema": ref("AkismetComment")}},
}
AKISMET_COMMON = {
    "413": {
        "description": "Body larger than the limit.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    },
    "429": {
        "description": "The key is over its rate limit.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
        "headers": RETRY_AFTER,
    },
    "503": {
        "description": "The models are not available.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
        "headers": RETRY_AFTER,
    },
}
PERSPECTIVE_ERRORS = {
    "400": google_error("Bad request or key (`INVALID_ARGUMENT`)."),
    "403": google_error("No key, or a key without the scope (`PERMISSION_DENIED`)."),
    "429": google_error("The key is over its rate limit (`RESOURCE_EXHAUSTED`)."),
    "503": google_error("The models are not available (`UNAVAILABLE`)."),
}
PERSPECTIVE_SECURITY: list[dict[str, list[str]]] = [
    {"perspectiveKey": []},
    {"perspectiveHeader": []},
]
COMMENT_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,40}$"},
}


def akismet_op(summary: str, answers: list[str], scope: str) -> Schema:
    return {
        "tags": ["Akismet-compatible"],
        "summary": summary,
        "description": f"Needs a site key with the `{scope}` scope as `api_key`.",
        "requestBody": AKISMET_FORM,
        "responses": {"200": plain(answers), **AKISMET_COMMON},
    }


def paths() -> dict[str, Any]:
    """Return the ``paths`` object."""
    comment_responses = {
        "202": {
            "description": "Stored, waiting for the classifier (or, for a retry with the same "
            "Idempotency-Key, the first answer again).",
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
    read_site_param = {
        "name": "site",
        "in": "query",
        "description": "The site's slug. Without it: the site of the key sent, if any, else "
        "`default`. Published comments are public, so any site's can be read.",
        "schema": string(64),
    }
    thread_param = {
        "name": "thread",
        "in": "query",
        "required": True,
        "description": "Up to 512 characters once trimmed.",
        "schema": {"type": "string"},
    }
    settings_responses = {
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
    return {
        "/api/v1/threads": {
            "get": {
                "tags": ["Threads"],
                "operationId": "getThread",
                "summary": "A thread's settings (a `moderate` key)",
                "security": [{"bearerAuth": []}],
                "parameters": [{"name": "site", "in": "query", "schema": string(64)}, thread_param],
                "responses": settings_responses,
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
                "parameters": [{"name": "site", "in": "query", "schema": string(64)}, thread_param],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("ThreadSettingsInput")}},
                },
                "responses": {**COMMON_ERRORS, **settings_responses},
            },
        },
        "/api/v1/comments": {
            "post": {
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
                    "content": {
                        "application/json": {"schema": ref("CommentInput")},
                        "application/x-www-form-urlencoded": {"schema": ref("CommentInput")},
                    },
                },
                "responses": comment_responses,
            },
            "get": {
                "tags": ["Comments"],
                "operationId": "listComments",
                "summary": "List a thread's published comments",
                "description": "Public. A site key is optional: without `site` it picks the "
                "key's site; it is never rate-limited here.",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [
                    read_site_param,
                    {
                        "name": "thread",
                        "in": "query",
                        "required": True,
                        "description": "Up to 512 characters once trimmed (like every text field).",
                        "schema": {"type": "string"},
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
                        "A key was sent and is unknown, revoked or expired (`invalid_api_key`)."
                    ),
                    "404": error("No such site (`site_not_found`)."),
                    "422": error("Bad parameters (`validation_failed`)."),
                    "503": COMMON_ERRORS["503"],
                },
            },
        },
        "/api/v1/counts": {
            "get": {
                "tags": ["Comments"],
                "operationId": "countComments",
                "security": [{}, {"bearerAuth": []}],
                "summary": "Published comments per thread (for an index page's links)",
                "description": "Public, like the thread list; cached for 30 seconds. "
                "`/embed/count.js` calls it for every `data-moderato-count` element of a page.",
                "parameters": [
                    read_site_param,
                    {
                        "name": "thread",
                        "in": "query",
                        "required": True,
                        "description": "Repeat for each thread, at most 100; each up to 512 "
                        "characters once trimmed.",
                        "schema": {"type": "array", "items": {"type": "string"}},
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
                        "A key was sent and is unknown, revoked or expired (`invalid_api_key`)."
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
                    "content": {
                        "application/json": {"schema": ref("ModerationInput")},
                        "application/x-www-form-urlencoded": {"schema": ref("ModerationInput")},
                    },
                },
                "responses": {
                    "200": {"description": "Done.", "content": json_body(ref("Moderated"))},
                    **COMMON_ERRORS,
                    **KEY_ERRORS,
                    "404": error("No such comment of the key's site (`comment_not_found`)."),
                    "409": error(
                        "The state changed (`conflict`) or cannot (`invalid_transition`)."
                    ),
                    "422": error("Field errors (`validation_failed`)."),
                },
            }
        },
        "/api/v1/comments/{id}/reports": {
            "post": {
                "tags": ["Comments"],
                "operationId": "reportComment",
                "summary": "Report a published comment to the moderators (readers)",
                "description": "Public, like the comment form (browsers on the site's "
                "origins, or the site's server with a `submit` key, sending each reader's "
                "`user_ip`). One report per comment and reader counts; a repeat gets the same "
                "answer and changes nothing. The comment stays published and appears in the "
                "dashboard's Reported queue.",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [COMMENT_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": ref("ReportInput")},
                        "application/x-www-form-urlencoded": {"schema": ref("ReportInput")},
                    },
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
        "/healthz": {
            "get": {
                "tags": ["Operations"],
                "operationId": "healthz",
                "summary": "Liveness",
                "responses": {
                    "200": {
                        "description": "Up.",
                        "content": json_body(
                            {
                                "type": "object",
                                "required": ["status"],
                                "properties": {"status": {"const": "ok"}},
                            }
                        ),
                    }
                },
            }
        },
        "/readyz": {
            "get": {
                "tags": ["Operations"],
                "operationId": "readyz",
                "summary": "Readiness: the database and Redis answer",
                "responses": {
                    "200": {"description": "Ready.", "content": json_body(ref("Readiness"))},
                    "503": {
                        "description": "Not ready; the failing check is named.",
                        "headers": RETRY_AFTER,
                        "content": json_body(ref("Readiness")),
                    },
                },
            }
        },
        "/1.1/verify-key": {
            "post": {
                "tags": ["Akismet-compatible"],
                "operationId": "akismetVerifyKey",
                "summary": "Check a key (`key` or `api_key`) and `blog`",
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "key": {"type": "string"},
                                    "api_key": {"type": "string"},
                                    "blog": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {"200": plain(["valid", "invalid"]), **AKISMET_COMMON},
            }
        },
        "/1.1/comment-check": {
            "post": akismet_op(
                "Is this spam? (`X-akismet-guid`, `X-akismet-pro-tip: discard`)",
                ["true", "false", "invalid"],
                "submit",
            )
            | {"operationId": "akismetCommentCheck"}
        },
        "/1.1/submit-spam": {
            "post": akismet_op(
                "This was spam (becomes a label)",
                ["Thanks for making the web a better place.", "invalid"],
                "moderate",
            )
            | {"operationId": "akismetSubmitSpam"}
        },
        "/1.1/submit-ham": {
            "post": akismet_op(
                "This was not spam (becomes a label)",
                ["Thanks for making the web a better place.", "invalid"],
                "moderate",
            )
            | {"operationId": "akismetSubmitHam"}
        },
        "/1.2/usage-limit": {
            "get": {
                "tags": ["Akismet-compatible"],
                "operationId": "akismetUsageLimit",
                "summary": "This month's comment-check count",
                "parameters": [{"name": "api_key", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "Usage, or `invalid` (text/plain) for a bad key.",
                        "content": {
                            "application/json": {"schema": ref("UsageLimit")},
                            "text/plain": {"schema": {"const": "invalid"}},
                        },
                    },
                    "429": AKISMET_COMMON["429"],
                },
            }
        },
        "/v1alpha1/comments:analyze": {
            "post": {
                "tags": ["Perspective-compatible"],
                "operationId": "perspectiveAnalyze",
                "summary": "Score a comment (TOXICITY, SPAM), Perspective's wire format",
                "security": PERSPECTIVE_SECURITY,
                "requestBody": {"required": True, "content": json_body(ref("AnalyzeRequest"))},
                "responses": {
                    "200": {"description": "Scores.", "content": json_body(ref("AnalyzeResponse"))},
                    **PERSPECTIVE_ERRORS,
                },
            }
        },
        "/v1alpha1/comments:suggestscore": {
            "post": {
                "tags": ["Perspective-compatible"],
                "operationId": "perspectiveSuggestScore",
                "summary": "Suggest scores (labels, for sites that opted in)",
                "security": PERSPECTIVE_SECURITY,
                "requestBody": {"required": True, "content": json_body(ref("SuggestRequest"))},
                "responses": {
                    "200": {"description": "Taken.", "content": json_body(ref("SuggestResponse"))},
                    **PERSPECTIVE_ERRORS,
                },
            }
        },
        "/$discovery/rest": {
            "get": {
                "tags": ["Perspective-compatible"],
                "operationId": "perspectiveDiscovery",
                "summary": "Discovery document, for Google's API clients",
                "description": "Give it to Perspective's sample code as `discoveryServiceUrl` "
                "(with `static_discovery=False`); the methods it lists are the two above.",
                "parameters": [
                    {"name": "version", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "A Google discovery document (`discovery#restDescription`).",
                        "content": json_body({"type": "object"}),
                    },
                    "404": google_error("Another version than v1alpha1 (`NOT_FOUND`)."),
                },
            }
        },
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
                "signed per Standard Webhooks."
            ),
        },
        "tags": [
            {"name": "Comments"},
            {"name": "Threads", "description": "Close an article's comments, or review it apart."},
            {"name": "Feeds", "description": "Atom feeds of published comments."},
            {"name": "Operations"},
            {
                "name": openapi_mail.TAG,
                "description": "The links of our mails (HTML pages).",
            },
            {"name": "Akismet-compatible", "description": "Answers in Akismet's text/plain."},
            {"name": "Perspective-compatible", "description": "Google-style errors."},
        ],
        "paths": {**paths(), **feed_paths(), **openapi_mail.paths()},
        "components": {
            "schemas": {**SCHEMAS, **EXTRA_SCHEMAS},
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A site API key `mod_<prefix>_<secret>` with scopes "
                    "submit, read, moderate.",
                },
                "perspectiveKey": {"type": "apiKey", "in": "query", "name": "key"},
                "perspectiveHeader": {"type": "apiKey", "in": "header", "name": "X-Goog-Api-Key"},
            },
        },
        "webhooks": {
            event: {
                "post": {
                    "summary": f"`{event}`",
                    "requestBody": {"content": json_body(ref("WebhookEvent"))},
                    "responses": {"200": {"description": "Any 2xx acknowledges it."}},
                }
            }
            for event in EVENT_TYPES
        },
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
