"""The OpenAPI description of the Akismet-compatible API: answers in Akismet's ``text/plain``."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import RETRY_AFTER, Schema, ref

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


def akismet_op(summary: str, answers: list[str], scope: str) -> Schema:
    return {
        "tags": ["Akismet-compatible"],
        "summary": summary,
        "description": f"Needs a site key with the `{scope}` scope as `api_key`.",
        "requestBody": AKISMET_FORM,
        "responses": {"200": plain(answers), **AKISMET_COMMON},
    }


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of the Akismet-compatible endpoints."""
    return {
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
    }


SCHEMAS: dict[str, Schema] = {
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
}
#: Listed last in the document, after the operations' schemas.
USAGE_SCHEMAS: dict[str, Schema] = {
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
