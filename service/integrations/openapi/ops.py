"""The OpenAPI description of the operations endpoints: liveness, readiness, metrics."""

from __future__ import annotations

from typing import Any

from service.integrations.openapi import common
from service.integrations.openapi.common import RETRY_AFTER, Schema, json_body, ref


def paths() -> dict[str, Any]:
    """Return the ``paths`` entries of ``/healthz``, ``/readyz`` and ``/metrics``."""
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
        "/metrics": {
            "get": {
                "tags": ["Operations"],
                "operationId": "metrics",
                "summary": "Backlog, queues, live workers and outboxes, for Prometheus",
                "description": "Off (404) unless the operator sets MODERATO_METRICS_TOKEN; "
                "then only with that token as a bearer token (docs/deploy.md, *Health and "
                "metrics*).",
                "security": [{"metricsToken": []}],
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition format 0.0.4.",
                        "content": {"text/plain; version=0.0.4": {"schema": {"type": "string"}}},
                    },
                    "401": {
                        "description": "The token is missing or wrong.",
                        "content": json_body(ref("Error")),
                    },
                    "404": {"description": "Metrics are off: no token is set."},
                },
            }
        },
    }


SECURITY_SCHEMES: dict[str, Schema] = {
    "metricsToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The operator's MODERATO_METRICS_TOKEN (not a site API key).",
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
