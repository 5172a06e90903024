"""Errors our endpoints answer, and the one handler that renders them.

The tree::

    ApiError                      status, code, message, optional fields
    ├── BadRequest         400    malformed_json, invalid_body
    ├── Unauthorized       401    unauthorized, invalid_api_key
    │   └── KeyUnauthorized        (+ WWW-Authenticate: Bearer): an API key is missing or bad
    ├── Forbidden          403    forbidden, origin_not_allowed, insufficient_scope
    ├── NotFound           404    not_found, site_not_found, comment_not_found
    ├── Conflict           409    conflict (state changed since the caller looked),
    │                             erasure_conflict (+ Retry-After: changed under an erasure)
    ├── PayloadTooLarge    413    payload_too_large
    ├── UnsupportedMedia   415    unsupported_media_type
    ├── ValidationFailed   422    validation_failed + per-field codes
    ├── RateLimited        429    rate_limited (+ Retry-After)
    └── Unavailable        503    service_unavailable (+ Retry-After)

Every error is JSON of the shape fixed in CONTRACTS.md:
``{"error": {"code", "message", "fields"?}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

FieldErrors = dict[str, dict[str, str]]


class ApiError(Exception):
    """An error answered to the client in the contract's JSON shape."""

    status = 500
    code = "internal_error"
    message = "Something went wrong on our side."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: FieldErrors | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.fields = fields
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON body of this error."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            err["fields"] = self.fields
        return {"error": err}


class BadRequest(ApiError):
    status, code, message = 400, "malformed_json", "The request body is not valid JSON."


class Unauthorized(ApiError):
    status, code, message = 401, "unauthorized", "Authentication is required."


class KeyUnauthorized(Unauthorized):
    """A 401 about an API key: says how to authenticate (``WWW-Authenticate: Bearer``, RFC
    6750; ``error="invalid_token"`` when a key was sent but is not one we accept). The
    dashboard's 401s (a session, not a key) do not carry it."""

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        challenge = 'Bearer realm="moderato"'
        if (code or self.code) == "invalid_api_key":
            challenge += ', error="invalid_token"'
        super().__init__(message, code=code, headers={"WWW-Authenticate": challenge})


class Forbidden(ApiError):
    status, code, message = 403, "forbidden", "You may not do this."


class NotFound(ApiError):
    status, code, message = 404, "not_found", "Nothing here."


class Conflict(ApiError):
    status, code, message = 409, "conflict", "The resource changed since you last saw it."


class PayloadTooLarge(ApiError):
    status, code, message = 413, "payload_too_large", "The request body is larger than 64 KiB."


class UnsupportedMedia(ApiError):
    status, code, message = (
        415,
        "unsupported_media_type",
        "Send application/json or application/x-www-form-urlencoded.",
    )


class ValidationFailed(ApiError):
    status, code, message = 422, "validation_failed", "Some fields are missing or invalid."


class RateLimited(ApiError):
    status, code, message = 429, "rate_limited", "Too many requests; slow down."


class Unavailable(ApiError):
    status, code, message = 503, "service_unavailable", "A dependency is down; try again soon."


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(err: ApiError) -> Response:
    """Render ``err`` as the contract's JSON error."""
    resp = jsonify(err.body())
    resp.status_code = err.status
    for name, value in err.headers.items():
        resp.headers[name] = value
    return resp


def wants_html() -> bool:
    """Tell whether the client is a browser page rather than an API client."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and not request.path.startswith(("/api/", "/healthz", "/readyz"))


def register_error_handlers(app: Flask) -> None:
    """Answer every error from our endpoints in one shape."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if wants_html():
            return exc
        status = exc.code or 500
        err = ApiError(exc.description, code=_HTTP_CODES.get(status, "http_error"))
        err.status = status
        if status == 413:
            err = PayloadTooLarge()
        resp = error_response(err)
        if status == 405 and exc.get_response().headers.get("Allow"):
            resp.headers["Allow"] = exc.get_response().headers["Allow"]
        return resp

    @app.errorhandler(OperationalError)
    def _database_down(exc: OperationalError) -> Response:
        log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
        return error_response(
            Unavailable(
                "The database is unavailable; nothing was stored. Try again soon.",
                headers={"Retry-After": "5"},
            )
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(ApiError())
