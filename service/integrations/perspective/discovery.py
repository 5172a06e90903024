"""The discovery document of the Perspective-compatible API, for Google's API clients.

Perspective's own samples build their client from a discovery document::

    discovery.build("commentanalyzer", "v1alpha1", developerKey=KEY,
                    discoveryServiceUrl=".../$discovery/rest?version=v1alpha1",
                    static_discovery=False)

``GET /$discovery/rest?version=v1alpha1`` answers a document that describes our two
methods, ``comments.analyze`` and ``comments.suggestscore``, with this server as its root,
so such code moves to moderato by changing the URL and the key. It is written here from
what we serve (the request and response fields ``comments`` and ``payload`` read and
write), not copied from Google's.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from service.integrations import bp
from service.integrations.perspective.errors import PerspectiveError

VERSION = "v1alpha1"


def _obj(schema_id: str, description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": schema_id, "type": "object", "description": description, "properties": properties}


def _str(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _bool(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": name}


def _map_of(name: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"$ref": name}}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


SCHEMAS: dict[str, dict[str, Any]] = {
    "TextEntry": _obj(
        "TextEntry",
        "A piece of text: the comment, or a piece of its context.",
        text=_str("The text (at most 20 KB)."),
        type=_str("PLAIN_TEXT (HTML is read as plain text)."),
    ),
    "Context": _obj(
        "Context",
        "Accepted for compatibility; the scores do not use it.",
        entries=_list_of(_ref("TextEntry")),
        articleAndParentComment=_ref("ArticleAndParentComment"),
    ),
    "ArticleAndParentComment": _obj(
        "ArticleAndParentComment",
        "Accepted for compatibility; the scores do not use it.",
        article=_ref("TextEntry"),
        parentComment=_ref("TextEntry"),
    ),
    "AttributeParameters": _obj(
        "AttributeParameters",
        "Options for one requested attribute.",
        scoreType=_str("PROBABILITY (the only type served)."),
        scoreThreshold={"type": "number", "format": "float", "description": "Omit below."},
    ),
    "AnalyzeCommentRequest": _obj(
        "AnalyzeCommentRequest",
        "A comment to score.",
        comment=_ref("TextEntry"),
        context=_ref("Context"),
        requestedAttributes=_map_of("AttributeParameters"),
        languages=_list_of({"type": "string"}),
        doNotStore=_bool("Keep nothing (the default unless the site opted in)."),
        clientToken=_str("Echoed in the response."),
        sessionId=_str("Accepted, not used."),
        communityId=_str("Accepted, not used."),
        spanAnnotations=_bool("Score each sentence too."),
        dropUnsupportedAttributes=_bool("Drop unknown attributes instead of an error."),
    ),
    "Score": _obj(
        "Score",
        "A score and its type.",
        value={"type": "number", "format": "float"},
        type=_str("PROBABILITY."),
    ),
    "SpanScore": _obj(
        "SpanScore",
        "The score of one sentence.",
        begin={"type": "integer", "format": "int32"},
        end={"type": "integer", "format": "int32"},
        score=_ref("Score"),
    ),
    "AttributeScores": _obj(
        "AttributeScores",
        "The scores of one attribute.",
        summaryScore=_ref("Score"),
        spanScores=_list_of(_ref("SpanScore")),
    ),
    "AnalyzeCommentResponse": _obj(
        "AnalyzeCommentResponse",
        "The scores of the requested attributes (TOXICITY, SPAM).",
        attributeScores=_map_of("AttributeScores"),
        languages=_list_of({"type": "string"}),
        detectedLanguages=_list_of({"type": "string"}),
        clientToken=_str("The request's clientToken."),
    ),
    "SuggestCommentScoreRequest": _obj(
        "SuggestCommentScoreRequest",
        "A score a moderator suggests; a label when the site keeps training data.",
        comment=_ref("TextEntry"),
        context=_ref("Context"),
        attributeScores=_map_of("AttributeScores"),
        languages=_list_of({"type": "string"}),
        communityId=_str("Accepted, not used."),
        clientToken=_str("Echoed in the response."),
    ),
    "SuggestCommentScoreResponse": _obj(
        "SuggestCommentScoreResponse",
        "The answer to a suggestion.",
        detectedLanguages=_list_of({"type": "string"}),
        requestedLanguages=_list_of({"type": "string"}),
        clientToken=_str("The request's clientToken."),
    ),
}

#: Query parameters every method takes (Google clients add ``key``, ``alt`` and ``$.xgafv``).
PARAMETERS: dict[str, dict[str, Any]] = {
    "key": {"type": "string", "location": "query", "description": "A moderato site key."},
    "alt": {
        "type": "string",
        "location": "query",
        "default": "json",
        "enum": ["json"],
        "description": "Data format for the response.",
    },
    "$.xgafv": {"type": "string", "location": "query", "description": "Ignored."},
    "prettyPrint": {"type": "boolean", "location": "query", "description": "Ignored."},
    "fields": {"type": "string", "location": "query", "description": "Ignored."},
    "quotaUser": {"type": "string", "location": "query", "description": "Ignored."},
}


def _method(name: str, request_schema: str, response_schema: str, scope: str) -> dict[str, Any]:
    return {
        "id": f"commentanalyzer.comments.{name}",
        "path": f"{VERSION}/comments:{name}",
        "flatPath": f"{VERSION}/comments:{name}",
        "httpMethod": "POST",
        "parameters": {},
        "parameterOrder": [],
        "request": _ref(request_schema),
        "response": _ref(response_schema),
        "description": f"Needs a key with the `{scope}` scope.",
    }


def document(root_url: str) -> dict[str, Any]:
    """Return the discovery document with ``root_url`` (ending in ``/``) as its root."""
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"commentanalyzer:{VERSION}",
        "name": "commentanalyzer",
        "version": VERSION,
        "revision": "1",
        "title": "moderato (Perspective-compatible Comment Analyzer API)",
        "description": "TOXICITY and SPAM scores from moderato's models, in Perspective's shapes.",
        "documentationLink": f"{root_url}docs",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "parameters": PARAMETERS,
        "schemas": SCHEMAS,
        "resources": {
            "comments": {
                "methods": {
                    "analyze": _method(
                        "analyze", "AnalyzeCommentRequest", "AnalyzeCommentResponse", "submit"
                    ),
                    "suggestscore": _method(
                        "suggestscore",
                        "SuggestCommentScoreRequest",
                        "SuggestCommentScoreResponse",
                        "moderate",
                    ),
                }
            }
        },
    }


@bp.get("/$discovery/rest")
def discovery() -> Response:
    """Answer the discovery document (``?version=v1alpha1``, the default); public, like the
    OpenAPI document, and cached for a day."""
    version = request.args.get("version") or VERSION
    if version != VERSION:
        raise PerspectiveError(
            404, f"There is no discovery document for version {version!r}; use {VERSION}.",
            "NOT_FOUND",
        )  # fmt: skip
    resp = jsonify(document(request.url_root))
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp
