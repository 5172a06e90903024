"""The API description: ``/openapi.json`` (OpenAPI 3.1) and a readable page at ``/docs``."""

from __future__ import annotations
