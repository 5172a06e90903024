"""The API description: ``/openapi.json`` (OpenAPI 3.1) and a readable page at ``/docs``."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, render_template, request
from markupsafe import Markup, escape

from service.embed.pages import content_security_policy
from service.integrations import bp
from service.integrations.openapi import document

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """Serve the OpenAPI 3.1 document, with this server as its base URL."""
    body = json.dumps(document(request.host_url.rstrip("/")), indent=2)
    resp = Response(body, mimetype="application/json")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every operation of ``doc`` with its path and method, in document order."""
    found = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                found.append(
                    {
                        "path": path,
                        "method": method.upper(),
                        "anchor": op.get("operationId", f"{method}-{path}"),
                        "tag": (op.get("tags") or ["Other"])[0],
                        "op": op,
                        "body": {
                            mime: pretty(media.get("schema", {}))
                            for mime, media in op.get("requestBody", {}).get("content", {}).items()
                        },
                    }
                )
    return found


def pretty(schema: Any) -> str:
    """Render a schema as indented JSON for reading."""
    return json.dumps(schema, indent=2, ensure_ascii=False)


@bp.app_template_filter("code_spans")
def code_spans(text: str) -> Markup:
    """Escape ``text`` and render its `backtick` spans as <code>."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


#: Our pages' policy (``service.embed.pages``): scripts, styles, images and fetches from this
#: origin only, no inline ones; and no one frames the reference.
DOCS_CSP = content_security_policy(frame_ancestors="'none'")


@bp.get("/docs")
def docs_page() -> Response:
    """Show the API description as a page (no scripts, nothing fetched from elsewhere)."""
    doc = document(request.host_url.rstrip("/"))
    ops = operations(doc)
    tags = [t["name"] for t in doc["tags"]]
    schemas = {name: pretty(s) for name, s in doc["components"]["schemas"].items()}
    page = render_template("integrations/docs.html", doc=doc, ops=ops, tags=tags, schemas=schemas)
    resp = Response(page, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = DOCS_CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return resp
