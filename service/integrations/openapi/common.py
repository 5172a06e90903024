"""What every part of the OpenAPI document shares: the JSON error shape and its answers,
small schema builders, and the validators' patterns."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# What the validators accept, as JSON Schema patterns: control characters (Unicode Cc) are
# refused everywhere; required text needs one non-space character; text keeps \t \n \r.
CC = "\\x00-\\x1f\\x7f-\\x9f"
TEXT_CC = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
#: The direction controls refused where nobody needs them (``validation.BIDI_CONTROLS``:
#: names, notes, a thread's closing message, a reporter's id).
BIDI = "\\u202a-\\u202e\\u2066-\\u2069"
NO_CONTROLS = f"^[^{CC}]*$"
LINE = f"^[^{CC}]*[^\\s{CC}][^{CC}]*$"
TEXT = f"^[^{TEXT_CC}]*[^\\s{CC}][^{TEXT_CC}]*$"
#: A required line without direction controls (an author's name).
NAME = f"^[^{CC}{BIDI}]*[^\\s{CC}{BIDI}][^{CC}{BIDI}]*$"
#: An optional line without direction controls (a closing message, a reporter's id).
PLAIN = f"^[^{CC}{BIDI}]*$"
#: A note: newlines and tabs kept, no other control character, no direction control.
NOTE = f"^[^{TEXT_CC}{BIDI}]*$"
SLUG = "^(|[a-z0-9][a-z0-9_-]{0,63})$"
#: A thread given as a query parameter: not blank (the server trims it, then requires it),
#: no control characters; at most 512 characters once trimmed (not expressible here).
THREAD_PARAM: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": LINE}
OPTIONAL_ID = "^(|[A-Za-z0-9_-]{16,40})$"
#: An http(s) address: no space and no control character anywhere (``\\s`` leaves out most
#: of the C1 controls, which the server refuses too).
OPTIONAL_URL = f"^(|[hH][tT][tT][pP][sS]?://[^\\s/?#@:{CC}]+(:[0-9]{{1,5}})?([/?#][^\\s{CC}]*)?)$"
#: An author's website: as ``OPTIONAL_URL``, without ``"``, ``<`` or ``>`` (``validation._url``).
AUTHOR_URL = (
    f'^(|[hH][tT][tT][pP][sS]?://[^\\s/?#@:"<>{CC}]+(:[0-9]{{1,5}})?([/?#][^\\s"<>{CC}]*)?)$'
)


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
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": 'How to authenticate (RFC 6750): `Bearer realm="moderato"`, with '
        '`error="invalid_token"` when the key sent is not one we accept.',
        "schema": {"type": "string"},
    }
}

COMMON_ERRORS = {
    "400": error("Malformed body (`malformed_json`, `invalid_body`)."),
    "413": error("Body larger than the limit (`payload_too_large`)."),
    "415": error("Neither JSON nor a form (`unsupported_media_type`)."),
    "503": error("A dependency is down (`service_unavailable`).", RETRY_AFTER),
}
#: The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers-10) on every answer to a
#: request that counted against a rate limit (``service.ratelimit``).
RATE_LIMIT = {
    "RateLimit-Policy": {
        "description": 'The bucket: `"key";q=100;w=10` (a key\'s: it holds `q` requests and '
        'refills in `w` seconds, here 600 a minute) or `"client"` (a browser\'s, per client).',
        "schema": {"type": "string", "pattern": '^"(key|client)";q=[0-9]+;w=[0-9]+$'},
    },
    "RateLimit": {
        "description": 'Where the caller stands: `"key";r=99;t=1` (`r` requests may go at '
        "once now; the bucket is full again in `t` seconds).",
        "schema": {"type": "string", "pattern": '^"(key|client)";r=[0-9]+;t=[0-9]+$'},
    },
}
#: The operations whose requests count against a rate limit (a key's, or a browser's per
#: client): every keyed call but the reads.
COUNTED = frozenset(
    {
        "createComment", "editComment", "withdrawComment", "reportComment",
        "moderateComment", "getThread", "setThread",
        "akismetVerifyKey", "akismetCommentCheck", "akismetSubmitSpam", "akismetSubmitHam",
        "akismetUsageLimit", "perspectiveAnalyze", "perspectiveSuggestScore",
        "exportAuthorData", "eraseAuthorData",
    }
)  # fmt: skip


#: On every answer (``service.request_ids``), described once under ``components.headers``.
REQUEST_ID = {
    "X-Request-Id": {
        "description": "The request's id: the caller's own `X-Request-Id` when it is 1 to 128 "
        "characters of letters, digits and `._:+/=@-`, else one made here (32 hex digits). "
        "moderato's log lines for the request, and the worker's for the comment it posted, "
        "end with `request_id=<id>`: quote it when reporting a problem. Readable by the "
        "pages of a site's origins (CORS).",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:+/=@-]{1,128}$"},
    }
}
REQUEST_ID_REF = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}


def with_request_id(operation: Schema) -> Schema:
    """Say on each of ``operation``'s answers that it carries ``X-Request-Id``."""
    operation["responses"] = {  # copies: the responses are shared with other operations
        status: {**response, "headers": {**response.get("headers", {}), **REQUEST_ID_REF}}
        for status, response in operation["responses"].items()
    }
    return operation


def counted(operation: Schema) -> Schema:
    """Say on each of ``operation``'s answers that it may carry the rate-limit fields."""
    operation["responses"] = {  # copies: the responses are shared with other operations
        status: {**response, "headers": {**response.get("headers", {}), **RATE_LIMIT}}
        for status, response in operation["responses"].items()
    }
    return operation


KEY_ERRORS = {
    "401": error(
        "Unknown or revoked key, or a key sent other than as a bearer token "
        "(`invalid_api_key`); none where one is required (`unauthorized`).",
        WWW_AUTHENTICATE,
    ),
    "403": error("The key lacks the scope (`insufficient_scope`) or belongs to another site."),
    "429": error("The key is over its rate limit (`rate_limited`).", RETRY_AFTER),
}


def string(max_length: int | None = None, **extra: Any) -> Schema:
    out: Schema = {"type": "string", **extra}
    if max_length:
        out["maxLength"] = max_length
    return out


def without_null(schema: Schema) -> Schema:
    """Return a field's ``schema`` without ``null``: what a form may send (strings only;
    it leaves out what JSON would send as null, and ``null`` there is the word)."""
    out = dict(schema)
    kind = out.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        out["type"] = kinds[0] if len(kinds) == 1 else kinds
    if "enum" in out:
        out["enum"] = [value for value in out["enum"] if value is not None]
    if "anyOf" in out:
        out["anyOf"] = [one for one in out["anyOf"] if one != {"type": "null"}]
    return out


def form_body(schema: Schema) -> Schema:
    """Return a JSON body's object ``schema`` as the same body form-encoded has it: each
    field without ``null`` (a form's ``user_ip=null`` is no address: a 422)."""
    properties = {name: without_null(field) for name, field in schema["properties"].items()}
    return {**schema, "properties": properties}


def form_bodies(schemas: dict[str, Schema], *names: str) -> dict[str, Schema]:
    """Return ``<name>Form``, the form-encoded variant, of each of ``names``."""
    return {f"{name}Form": form_body(schemas[name]) for name in names}


def json_or_form(name: str) -> Schema:
    """Return the ``content`` of a body taken as JSON (``name``) or as a form
    (``<name>Form``)."""
    return {
        "application/json": {"schema": ref(name)},
        "application/x-www-form-urlencoded": {"schema": ref(f"{name}Form")},
    }


#: An end user's IP address, as ``client_fields.validate_client`` reads it (empty or
#: null: none).
USER_IP: Schema = {
    "anyOf": [
        {"type": "string", "format": "ipv4"},
        {"type": "string", "format": "ipv6"},
        {"type": "string", "maxLength": 0},
        {"type": "null"},
    ],
}


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


COMMENT_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,40}$"},
}

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
}
