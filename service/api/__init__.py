"""The public API: comment intake and reads (``/api/v1``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)

from service.api import (  # noqa: E402, F401
    cors,
    edit,
    intake,
    moderate,
    privacy,
    queue,
    reads,
    report,
    threads,
)
