"""Integrations for other sites' backends: Akismet- and Perspective-compatible APIs, API docs.

Key management and webhooks live beside this blueprint (``webhooks.py``,
``signing.py``, ``ssrf.py``); the ``/moderate`` endpoint is part of the public
API (``service/api/moderate.py``).
"""

from __future__ import annotations

from flask import Blueprint

#: /docs's stylesheet is a file of ours (its CSP allows no inline style): /docs/static/.
bp = Blueprint(
    "integrations",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/docs/static",
)

from service.integrations import (  # noqa: E402, F401
    akismet,
    apidocs,
    perspective,
)
from service.integrations.perspective import discovery  # noqa: E402, F401
