"""The OpenAPI description of the operations endpoints: liveness and readiness."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi import common
from service.integrations.openapi.common import RETRY_AFTER, Schema, json_body, ref


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of ``/healthz`` and ``/readyz``."""
    return {
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
    }


SCHEMAS: dict[str, Schema] = {
    "Readiness": {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": {"enum": ["ok", "unavailable"]},
            "checks": {
                "type": "object",
                "properties": {"database": {"type": "string"}, "redis": {"type": "string"}},
            },
            "error": common.SCHEMAS["Error"]["properties"]["error"],
        },
    },
}
