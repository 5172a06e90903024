"""Errors of the Perspective-compatible API, in Google's shape
``{"error": {"code", "message", "status"}}``, and the blueprint's answer to a rate limit
(Google's shape on ``/v1alpha1/``, Akismet's plain text elsewhere)."""

from __future__ import annotations

from flask import Response, jsonify, request

from service.errors import RateLimited
from service.integrations import bp


class PerspectiveError(Exception):
    """An error in Google's shape: HTTP code, message, canonical status."""

    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT") -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def google_error(code: int, message: str, status: str) -> Response:
    """Answer an error in Google's JSON shape."""
    resp = jsonify({"error": {"code": code, "message": message, "status": status}})
    resp.status_code = code
    return resp


@bp.errorhandler(PerspectiveError)
def _perspective_error(exc: PerspectiveError) -> Response:
    return google_error(exc.code, exc.message, exc.status)


@bp.errorhandler(RateLimited)
def _rate_limited(exc: RateLimited) -> Response:
    if request.path.startswith("/v1alpha1/"):
        resp = google_error(429, exc.message, "RESOURCE_EXHAUSTED")
    else:
        from service.integrations.akismet import plain

        resp = plain(exc.message, 429)
    resp.headers.update(exc.headers)
    return resp
