"""The schemas (and small builders) of the OpenAPI document: bodies, answers, error shapes."""

from __future__ import annotations

from typing import Any

from service.api.moderate import ACTIONS as API_ACTIONS
from service.events import EVENT_TYPES
from service.featured import ACTIONS as FEATURE_ACTIONS
from service.integrations.perspective import ATTRIBUTES
from service.moderation.actions import MAX_NOTE
from service.reports import MAX_NOTE as REPORT_NOTE
from service.reports import REASONS as REPORT_REASONS
from service.status import Rejection, State

Schema = dict[str, Any]

#: ``POST /api/v1/comments/{id}/moderate``'s actions: moves of state, then featuring.
MODERATE_ACTIONS = [*API_ACTIONS, *FEATURE_ACTIONS]

# What the validators accept, as JSON Schema patterns: control characters (Unicode Cc) are
# refused everywhere; required text needs one non-space character; text keeps \t \n \r.
CC = "\\x00-\\x1f\\x7f-\\x9f"
TEXT_CC = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
NO_CONTROLS = f"^[^{CC}]*$"
LINE = f"^[^{CC}]*[^\\s{CC}][^{CC}]*$"
TEXT = f"^[^{TEXT_CC}]*[^\\s{CC}][^{TEXT_CC}]*$"
SLUG = "^(|[a-z0-9][a-z0-9_-]{0,63})$"
OPTIONAL_ID = "^(|[A-Za-z0-9_-]{16,40})$"
OPTIONAL_URL = "^(|[hH][tT][tT][pP][sS]?://[^\\s/?#@:]+(:[0-9]{1,5})?([/?#][^\\s]*)?)$"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: Schema) -> Schema:
    return {"application/json": {"schema": schema}}


def error(description: str, extra_headers: dict[str, Any] | None = None) -> Schema:
    """Return a response in the contract's JSON error shape."""
    out: Schema = {"description": description, "content": json_body(ref("Error"))}
    if extra_headers:
        out["headers"] = extra_headers
    return out


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}

COMMON_ERRORS = {
    "400": error("Malformed body (`malformed_json`, `invalid_body`)."),
    "413": error("Body larger than the limit (`payload_too_large`)."),
    "415": error("Neither JSON nor a form (`unsupported_media_type`)."),
    "503": error("A dependency is down (`service_unavailable`).", RETRY_AFTER),
}
KEY_ERRORS = {
    "401": error(
        "Unknown or revoked key, or a key sent other than as a bearer token "
        "(`invalid_api_key`); none where one is required (`unauthorized`)."
    ),
    "403": error("The key lacks the scope (`insufficient_scope`) or belongs to another site."),
    "429": error("The key is over its rate limit (`rate_limited`).", RETRY_AFTER),
}


def plain(values: list[str] | None = None, description: str = "Akismet's answer.") -> Schema:
    schema: Schema = {"type": "string"}
    if values:
        schema["enum"] = values
    return {
        "description": description,
        "content": {"text/plain": {"schema": schema}},
        "headers": {
            "X-akismet-debug-help": {
                "description": "Why the answer is `invalid`.",
                "schema": {"type": "string"},
            }
        },
    }


def google_error(description: str) -> Schema:
    return {"description": description, "content": json_body(ref("GoogleError"))}


def string(max_length: int | None = None, **extra: Any) -> Schema:
    out: Schema = {"type": "string", **extra}
    if max_length:
        out["maxLength"] = max_length
    return out


def optional(schema: Schema) -> Schema:
    """Allow ``null`` too: our endpoints treat a null optional field as an absent one."""
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return schema


SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    },
    "CommentInput": {
        "type": "object",
        "description": "A comment. With a site key, also the end user's details; the site "
        "is the key's. Unknown fields (the embed's form token, honeypot) are allowed. Text "
        "fields are trimmed; control characters are refused (newlines and tabs in `text`).",
        "required": ["thread", "name", "email", "text"],
        "properties": {
            "site": optional(
                string(64, pattern=SLUG, description="Site slug; empty means `default`.")
            ),
            "thread": string(512, pattern=LINE, description="A slug or the page's URL."),
            "name": string(80, pattern=LINE),
            "email": string(254, format="email", description="Never shown or sent on."),
            "text": string(5000, pattern=TEXT),
            "url": optional(
                string(2048, pattern=OPTIONAL_URL, description="The author's website.")
            ),
            "parent": optional(
                string(40, pattern=OPTIONAL_ID, description="Published comment replied to.")
            ),
            "user_ip": {
                "description": "The end user's IP address (kept only as a keyed hash; used "
                "with a site key). An IPv4-mapped address hashes as IPv4; an IPv6 zone id "
                "(`%eth0`) is accepted and dropped.",
                "anyOf": [
                    {"type": "string", "format": "ipv4"},
                    {"type": "string", "format": "ipv6"},
                    {"type": "string", "maxLength": 0},
                    {"type": "null"},
                ],
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
            "status": {"const": "pending"},
            "status_url": {"type": "string", "format": "uri"},
        },
    },
    "PublicComment": {
        "type": "object",
        "required": [
            "id",
            "parent",
            "author_name",
            "avatar",
            "created_at",
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
        "required": ["id", "status", "created_at"],
        "properties": {
            "id": {"type": "string"},
            "status": {"enum": [s.value for s in State]},
            "created_at": {"type": "string", "format": "date-time"},
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
        "description": "Each field optional; an absent one stays as it is.",
        "properties": {
            "closed": {
                "type": ["boolean", "null"],
                "description": "true: closed; false: open, even past the site's closing "
                "age; null: the site's rule.",
            },
            "message": {"type": ["string", "null"], "maxLength": 500},
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
    "ReportInput": {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "reason": {"enum": list(REPORT_REASONS)},
            "note": optional(
                string(
                    REPORT_NOTE,
                    pattern=f"^[^{TEXT_CC}]*$",
                    description="What the moderator should know.",
                )
            ),
            "user_ip": optional(
                string(
                    45,
                    description="With a key: the reader's IP address, so that each reader "
                    "counts once (IPv6 by /64 network). Without one, each keyed report counts.",
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
        "required": ["action", "expected_status"],
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
            "note": optional(string(MAX_NOTE)),
            "reason": optional(
                {
                    "enum": ["", "other", "toxic"],
                    "description": "With reject: `toxic` rejects as toxic (label `toxic`); "
                    "otherwise a moderator rejection (label `ham`).",
                }
            ),
        },
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
    "AkismetComment": {
        "type": "object",
        "description": "Akismet's parameters. `api_key`, `blog` and `user_ip` are needed for "
        "an answer other than `invalid`; any other field is accepted (the honeypot field).",
        "properties": {
            "api_key": {"type": "string"},
            "blog": {"type": "string"},
            "user_ip": {"type": "string"},
            "user_agent": {"type": "string"},
            "referrer": {"type": "string"},
            "permalink": {"type": "string"},
            "comment_type": {"type": "string"},
            "comment_author": {"type": "string"},
            "comment_author_email": {"type": "string"},
            "comment_author_url": {"type": "string"},
            "comment_content": {"type": "string"},
            "comment_date_gmt": {"type": "string"},
            "comment_post_modified_gmt": {"type": "string"},
            "blog_lang": {"type": "string"},
            "blog_charset": {"type": "string"},
            "user_role": {"type": "string"},
            "is_test": {"type": "string"},
            "recheck_reason": {"type": "string"},
            "honeypot_field_name": {"type": "string"},
            "guid": {"type": "string", "description": "submit-*: the check's X-akismet-guid."},
        },
    },
    "AnalyzeRequest": {
        "type": "object",
        "required": ["comment", "requestedAttributes"],
        "properties": {
            "comment": {
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "minLength": 1, "pattern": "\\S"},
                    "type": {"enum": ["PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"]},
                },
            },
            "requestedAttributes": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"enum": list(ATTRIBUTES)},
                "additionalProperties": {
                    "type": ["object", "null"],
                    "properties": {
                        "scoreType": {"const": "PROBABILITY"},
                        "scoreThreshold": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                    },
                },
                "description": f"Supported: {', '.join(ATTRIBUTES)} (others: 400, or dropped "
                "with dropUnsupportedAttributes).",
            },
            "languages": {
                "type": ["array", "null"],
                "items": {"type": "string", "pattern": "^[eE][nN](-.*)?$"},
                "description": "English only; none means `en`.",
            },
            "doNotStore": {"type": ["boolean", "null"]},
            "clientToken": {"type": ["string", "null"]},
            "sessionId": {"type": ["string", "null"]},
            "communityId": {"type": ["string", "null"]},
            "spanAnnotations": {"type": ["boolean", "null"]},
            "dropUnsupportedAttributes": {"type": ["boolean", "null"]},
            "context": {"type": ["object", "null"]},
        },
    },
    "Score": {
        "type": "object",
        "required": ["value", "type"],
        "properties": {
            "value": {"type": "number", "minimum": 0, "maximum": 1},
            "type": {"const": "PROBABILITY"},
        },
    },
    "AnalyzeResponse": {
        "type": "object",
        "required": ["attributeScores", "languages", "detectedLanguages"],
        "properties": {
            "attributeScores": {
                "type": "object",
                "propertyNames": {"enum": list(ATTRIBUTES)},
                "additionalProperties": {
                    "type": "object",
                    "required": ["summaryScore"],
                    "properties": {
                        "summaryScore": ref("Score"),
                        "spanScores": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["begin", "end", "score"],
                                "properties": {
                                    "begin": {"type": "integer", "minimum": 0},
                                    "end": {"type": "integer", "minimum": 0},
                                    "score": ref("Score"),
                                },
                            },
                        },
                    },
                },
            },
            "languages": {"type": "array", "items": {"type": "string"}},
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
            "clientToken": {"type": "string"},
        },
    },
    "SuggestRequest": {
        "type": "object",
        "required": ["comment", "attributeScores"],
        "properties": {
            "comment": {
                "type": "object",
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "minLength": 1, "pattern": "\\S"},
                    "type": {"enum": ["PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"]},
                },
            },
            "attributeScores": {"type": "object", "minProperties": 1},
            "languages": {"type": ["array", "null"], "items": {"type": "string"}},
            "clientToken": {"type": ["string", "null"]},
            "communityId": {"type": ["string", "null"]},
            "sessionId": {"type": ["string", "null"]},
            "context": {"type": ["object", "null"]},
        },
    },
    "SuggestResponse": {
        "type": "object",
        "required": ["detectedLanguages"],
        "properties": {
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
            "requestedLanguages": {"type": "array"},
            "clientToken": {"type": "string"},
        },
    },
    "GoogleError": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "status"],
                "properties": {
                    "code": {"type": "integer"},
                    "message": {"type": "string"},
                    "status": {
                        "enum": [
                            "INVALID_ARGUMENT",
                            "PERMISSION_DENIED",
                            "RESOURCE_EXHAUSTED",
                            "UNAVAILABLE",
                            "NOT_FOUND",
                        ]
                    },
                },
            }
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
        "fields may be added; ignore the ones you do not know.",
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
            "action": {
                "type": "string",
                "description": "`comment.moderated` and `comment.featured` only: what the "
                "moderator did (`approve`, `ham`, `spam`, `reject`, `takedown`, "
                "`reject_toxic`, `reject_offtopic`; `feature`, `unfeature`).",
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

EXTRA_SCHEMAS: dict[str, Schema] = {
    "Readiness": {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": {"enum": ["ok", "unavailable"]},
            "checks": {
                "type": "object",
                "properties": {"database": {"type": "string"}, "redis": {"type": "string"}},
            },
            "error": SCHEMAS["Error"]["properties"]["error"],
        },
    },
    "UsageLimit": {
        "type": "object",
        "required": ["limit", "usage", "percentage", "throttled"],
        "properties": {
            "limit": {"type": ["string", "integer"]},
            "usage": {"type": "integer"},
            "percentage": {"type": "string"},
            "throttled": {"type": "boolean"},
        },
    },
}
