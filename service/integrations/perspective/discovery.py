"""The discovery document of the Perspective-compatible API, for Google's API clients.

Perspective's own samples build their client from a discovery document::

    discovery.build("commentanalyzer", "v1alpha1", developerKey=KEY,
                    discoveryServiceUrl=".../$discovery/rest?version=v1alpha1",
                    static_discovery=False)

``GET /$discovery/rest?version=v1alpha1`` answers a document that describes our two
methods, ``comments.analyze`` and ``comments.suggestscore``, with this server as its root,
so such code moves to moderato by changing the URL and the key. Its schemas
(``schemas.py``) are written from what we serve (the request and response fields
``comments`` and ``payload`` read and write), not copied from Google's.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from service.integrations import bp
from service.integrations.perspective.errors import PerspectiveError
from service.integrations.perspective.schemas import SCHEMAS, ref

VERSION = "v1alpha1"


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
        "request": ref(request_schema),
        "response": ref(response_schema),
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
