"""Perspective-compatible endpoints: ``POST /v1alpha1/comments:analyze`` and ``:suggestscore``.

Request and response follow Google's Perspective API, so clients (Coral Talk
among them) only change their endpoint and key. Attributes: ``TOXICITY`` and
``SPAM`` (ours), summary scores as ``PROBABILITY``, per-sentence ``spanScores``
on request. Errors answer Google's shape
``{"error": {"code", "message", "status"}}``, an unknown field's included (Google's
400 naming it). Nothing is stored unless the site opted in
(``settings.perspective_store``) and the call has ``doNotStore`` false.

The modules: ``errors`` (Google's error shape, and the blueprint's rate-limit answer),
``schemas`` (the request and response messages), ``payload`` (the request body, checked
against them), ``comments`` (the two endpoints: the methods of Google's ``comments``
resource) and ``discovery`` (the discovery document Google's client libraries build from).
"""

from __future__ import annotations

# The two endpoints' routes; the discovery document's is registered by the blueprint
# (``service/integrations/__init__.py``), after the API docs' as before this package.
from service.integrations.perspective import comments  # noqa: F401
from service.integrations.perspective.errors import PerspectiveError, google_error

__all__ = ["PerspectiveError", "google_error"]
