"""The OpenAPI description of the Perspective-compatible API: Google-style errors."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import RETRY_AFTER, Schema, json_body, ref
from service.integrations.perspective.payload import ATTRIBUTES, proto_name


def google_error(description: str) -> Schema:
    return {"description": description, "content": json_body(ref("GoogleError"))}


PERSPECTIVE_ERRORS = {
    "400": google_error(
        "Bad request or key, or a field the request does not have, named in the message as "
        'Google\'s API names it: `Unknown name "x": Cannot find field.` (`INVALID_ARGUMENT`).'
    ),
    "403": google_error("No key, or a key without the scope (`PERMISSION_DENIED`)."),
    "429": {
        **google_error("The key is over its rate limit (`RESOURCE_EXHAUSTED`)."),
        "headers": RETRY_AFTER,
    },
    "503": google_error("The models are not available (`UNAVAILABLE`)."),
}
PERSPECTIVE_SECURITY: list[dict[str, list[str]]] = [
    {"perspectiveKey": []},
    {"perspectiveHeader": []},
]
SECURITY_SCHEMES = {
    "perspectiveKey": {"type": "apiKey", "in": "query", "name": "key"},
    "perspectiveHeader": {"type": "apiKey", "in": "header", "name": "X-Goog-Api-Key"},
}


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of the Perspective-compatible endpoints."""
    return {
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


def strict(*proto_names: str) -> str:
    """Describe the fields rule of a request: Google's, and ours since unknown fields are
    refused (``context`` is taken as it comes, never read)."""
    names = ", ".join(f"`{name}`" for name in proto_names)
    return (
        "Another field is a 400 `INVALID_ARGUMENT` naming it, as Google's API answers; each "
        f"field may also be sent under its proto name ({names}, …), as Google's parsers "
        "allow, but not under both."
    )


def aliased(schema: Schema) -> Schema:
    """Return an object schema that also lists each field under its proto name (as
    ``perspective.payload.known`` reads them), a required field under either name. One
    field under both names (a 400) is said in words only: schemathesis cannot generate
    bodies for a ``not`` or ``dependentSchemas`` rule on this many fields."""
    properties = dict(schema["properties"])
    pairs = [(name, proto_name(name)) for name in schema["properties"] if proto_name(name) != name]
    for name, proto in pairs:
        properties[proto] = properties[name]
    spelled = dict(pairs)
    rules: list[Schema] = [
        {"anyOf": [{"required": [name]}, {"required": [spelled[name]]}]}
        for name in schema.get("required", [])
        if name in spelled
    ]
    out = {k: v for k, v in schema.items() if k not in ("required", "properties")}
    required = [name for name in schema.get("required", []) if name not in spelled]
    return {
        **out,
        **({"required": required} if required else {}),
        "properties": properties,
        **({"allOf": rules} if rules else {}),
    }


COMMENT: Schema = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string", "minLength": 1, "pattern": "\\S"},
        "type": {"enum": ["PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"]},
    },
}
SUGGESTED_SCORE: Schema = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"value": {"type": "number"}, "type": {"type": "string"}},
}
#: An attribute's suggested summary score: a value from 0 to 1 is required, as Google
#: requires it (``suggested_labels``: a 400 naming it otherwise).
SUMMARY_SCORE: Schema = {
    **SUGGESTED_SCORE,
    "required": ["value"],
    "properties": {
        **SUGGESTED_SCORE["properties"],
        "value": {"type": "number", "minimum": 0, "maximum": 1},
    },
}

SCHEMAS: dict[str, Schema] = {
    "AnalyzeRequest": aliased(
        {
            "type": "object",
            "required": ["comment", "requestedAttributes"],
            "additionalProperties": False,
            "description": strict("requested_attributes", "do_not_store", "score_threshold"),
            "properties": {
                "comment": COMMENT,
                "requestedAttributes": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"enum": list(ATTRIBUTES)},
                    "additionalProperties": aliased(
                        {
                            "type": ["object", "null"],
                            "additionalProperties": False,
                            "properties": {
                                "scoreType": {"const": "PROBABILITY"},
                                "scoreThreshold": {
                                    "type": ["number", "null"],
                                    "minimum": 0,
                                    "maximum": 1,
                                },
                            },
                        }
                    ),
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
                "context": {
                    "type": ["object", "null"],
                    "description": "Accepted for compatibility, never read (nor checked).",
                },
            },
        }
    ),
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
    "SuggestRequest": aliased(
        {
            "type": "object",
            "required": ["comment", "attributeScores"],
            "additionalProperties": False,
            "description": strict("attribute_scores", "summary_score", "span_scores"),
            "properties": {
                "comment": COMMENT,
                "attributeScores": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": aliased(
                        {
                            "type": "object",
                            "required": ["summaryScore"],
                            "additionalProperties": False,
                            "properties": {
                                "summaryScore": SUMMARY_SCORE,
                                "spanScores": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "properties": {
                                            "begin": {"type": "integer"},
                                            "end": {"type": "integer"},
                                            "score": SUGGESTED_SCORE,
                                        },
                                    },
                                },
                            },
                        }
                    ),
                },
                "languages": {"type": ["array", "null"], "items": {"type": "string"}},
                "clientToken": {"type": ["string", "null"]},
                "communityId": {"type": ["string", "null"]},
                "sessionId": {"type": ["string", "null"]},
                "context": {
                    "type": ["object", "null"],
                    "description": "Accepted for compatibility, never read (nor checked).",
                },
            },
        }
    ),
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
}
