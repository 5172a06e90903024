"""Reading a request's body: JSON or form-encoded, the same mapping for every endpoint.

Every body of the JSON API is read here, so a wrong ``Content-Type`` gets the same answer
everywhere: ``415 unsupported_media_type`` naming what the endpoint takes. Endpoints whose
values a form cannot carry (``PUT /api/v1/threads``: true, false and null) take JSON only
(``json_only``): a form post to them is a 415 too, never a 422 about its fields' types.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from service.errors import BadRequest, PayloadTooLarge, UnsupportedMedia
from service.validation import has_lone_surrogate

FORM_TYPES = ("application/x-www-form-urlencoded",)


JSON_ONLY = "This endpoint takes application/json only."


def read_payload(*, json_only: bool = False) -> dict[str, Any]:
    """Return the request body as a mapping; 400, 413 or 415 when it cannot be one (with
    ``json_only``, a form is a 415 too)."""
    try:
        if request.mimetype == "application/json":
            payload = request.get_json(silent=True)
            if payload is None:
                raise BadRequest()
            if not isinstance(payload, dict):
                raise BadRequest("The JSON body must be an object.", code="invalid_body")
            if has_lone_surrogate(payload):
                raise BadRequest(
                    "The JSON body has a lone surrogate escape (such as \\ud800, half of an "
                    "emoji cut in two): it is not text. Send whole characters.",
                    code="invalid_body",
                )
            return payload
        if request.mimetype in FORM_TYPES and not json_only:
            return request.form.to_dict(flat=True)
    except RequestEntityTooLarge as exc:
        raise PayloadTooLarge() from exc
    except RecursionError as exc:  # nested thousands deep; found in review (a 500)
        raise BadRequest("The JSON body is nested too deeply.", code="malformed_json") from exc
    raise UnsupportedMedia(JSON_ONLY if json_only else None)
