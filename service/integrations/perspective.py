"""Perspective-compatible endpoints: ``POST /v1alpha1/comments:analyze`` and ``:suggestscore``.

Request and response follow Google's Perspective API, so clients (Coral Talk
among them) only change their endpoint and key. Attributes: ``TOXICITY`` and
``SPAM`` (ours), summary scores as ``PROBABILITY``, per-sentence ``spanScores``
on request. Errors answer Google's shape
``{"error": {"code", "message", "status"}}``. Nothing is stored unless the
site opted in (``settings.perspective_store``) and the call has ``doNotStore``
false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from service.auth import KeyIdentity, authenticate
from service.clock import utcnow
from service.errors import ApiError, RateLimited, Unauthorized
from service.extensions import db
from service.integrations import bp, checks
from service.integrations.scoring import score
from service.store.tables import Site
from service.store.tables_integrations import Check
from service.validation import has_controls, has_lone_surrogate

ATTRIBUTES = {"TOXICITY": "toxicity", "SPAM": "spam"}
LANGUAGES = ("en",)
MAX_TEXT_BYTES = 20480
SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


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


def site_key(session: Session, scope: str) -> tuple[KeyIdentity, Site]:
    """Return the ``key`` parameter's key and site, or raise in Google's terms."""
    token = request.args.get("key") or request.headers.get("X-Goog-Api-Key")
    if not token:
        raise PerspectiveError(403, "The request is missing a valid API key.", "PERMISSION_DENIED")
    try:
        key = authenticate(session, token, scope)
    except RateLimited:
        raise
    except Unauthorized as exc:
        raise PerspectiveError(
            403, "API key not valid. Please pass a valid API key.", "PERMISSION_DENIED"
        ) from exc
    except ApiError as exc:
        raise PerspectiveError(403, exc.message, "PERMISSION_DENIED") from exc
    site = session.get(Site, key.site_id)
    assert site is not None
    return key, site


OPTIONAL_TYPES: dict[str, type] = {
    "doNotStore": bool,
    "spanAnnotations": bool,
    "dropUnsupportedAttributes": bool,
    "clientToken": str,
    "sessionId": str,
    "communityId": str,
    "context": dict,
}


def body() -> dict[str, Any]:
    """Return the JSON request body with its optional fields type-checked, or raise."""
    try:
        payload = request.get_json(silent=True)
    except RequestEntityTooLarge as exc:
        raise PerspectiveError(400, "Request payload size exceeds the limit.") from exc
    except RecursionError as exc:  # a 500 in review
        raise PerspectiveError(400, "Invalid JSON payload received: nested too deeply.") from exc
    if not isinstance(payload, dict):
        raise PerspectiveError(400, "Invalid JSON payload received: send a JSON object.")
    if has_lone_surrogate(payload):
        raise PerspectiveError(400, "Invalid JSON payload received: a lone surrogate escape.")
    for name, kind in OPTIONAL_TYPES.items():
        value = payload.get(name)
        if value is not None and not isinstance(value, kind):
            raise PerspectiveError(400, f"Invalid value at '{name}': expected {kind.__name__}.")
    return payload


def comment_text(payload: Mapping[str, Any]) -> str:
    """Return ``comment.text``, checked: present, plain text, at most 20 KB."""
    comment = payload.get("comment")
    if not isinstance(comment, dict) or not isinstance(comment.get("text"), str):
        raise PerspectiveError(400, "Comment must be specified: comment.text is required.")
    kind = comment.get("type", "PLAIN_TEXT")
    if kind not in ("PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"):
        raise PerspectiveError(400, f"Comment type {kind} is not supported; send PLAIN_TEXT.")
    text: str = comment["text"]
    if not text.strip():
        raise PerspectiveError(400, "Comment text was empty.")
    if has_controls(text, allow="\t\n\r"):  # a NUL was a 500 on PostgreSQL (review)
        raise PerspectiveError(400, "Comment text contains control characters.")
    if len(text.encode()) > MAX_TEXT_BYTES:
        raise PerspectiveError(400, f"Comment text too long: at most {MAX_TEXT_BYTES} bytes.")
    return text


def languages(payload: Mapping[str, Any], attributes: list[str]) -> list[str]:
    """Return the requested languages (default ``en``); raise if one is not supported."""
    asked = payload.get("languages")
    if asked is None or asked == []:
        return list(LANGUAGES)
    if not isinstance(asked, list) or not all(isinstance(x, str) for x in asked):
        raise PerspectiveError(400, "languages must be a list of language codes.")
    unsupported = [x for x in asked if x.lower().split("-")[0] not in LANGUAGES]
    if unsupported:
        names = ", ".join(attributes) or "TOXICITY"
        raise PerspectiveError(
            400,
            f"Attribute {names} does not support request languages: {', '.join(unsupported)}",
        )
    return asked


def requested(payload: Mapping[str, Any]) -> dict[str, float | None]:
    """Return the requested attributes and their ``scoreThreshold``, checked."""
    wanted = payload.get("requestedAttributes")
    if not isinstance(wanted, dict) or not wanted:
        raise PerspectiveError(400, "requestedAttributes must name at least one attribute.")
    drop = payload.get("dropUnsupportedAttributes") is True
    out: dict[str, float | None] = {}
    for name, params in wanted.items():
        if name not in ATTRIBUTES:
            if drop:
                continue
            supported = ", ".join(ATTRIBUTES)
            raise PerspectiveError(
                400, f"Unknown attribute: {name}. Supported attributes: {supported}."
            )
        params = params if params is not None else {}
        if not isinstance(params, dict):
            raise PerspectiveError(400, f"requestedAttributes.{name} must be an object.")
        if params.get("scoreType", "PROBABILITY") != "PROBABILITY":
            raise PerspectiveError(400, f"{name}: only scoreType PROBABILITY is supported.")
        threshold = params.get("scoreThreshold")
        if threshold is not None and (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 <= threshold <= 1
        ):
            raise PerspectiveError(400, f"{name}: scoreThreshold must be a number from 0 to 1.")
        out[name] = None if threshold is None else float(threshold)
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Return ``[begin, end)`` character ranges of the text's sentences, trimmed."""
    spans = []
    for match in SENTENCE.finditer(text):
        begin, end = match.span()
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            spans.append((begin, end))
    return spans


def probability(value: float) -> dict[str, Any]:
    return {"value": round(float(value), 6), "type": "PROBABILITY"}


@bp.post("/v1alpha1/comments:analyze")
def analyze() -> Response:
    """Score a comment for the requested attributes, Perspective-style."""
    with db().session() as session:
        _, site = site_key(session, "submit")
    payload = body()
    text = comment_text(payload)
    wanted = requested(payload)
    langs = languages(payload, list(wanted))
    spans = sentences(text) if payload.get("spanAnnotations") is True else []
    # Score outside any transaction: a database write lock is never held while the models run.
    results = score([{"text": text}] + [{"text": text[a:b]} for a, b in spans])
    attribute_scores: dict[str, Any] = {}
    for name, threshold in wanted.items():
        field = ATTRIBUTES[name]
        value = float(results[0][field])
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": probability(value)}
        if spans:
            entry["spanScores"] = [
                {"begin": a, "end": b, "score": probability(r[field])}
                for (a, b), r in zip(spans, results[1:], strict=True)
            ]
        attribute_scores[name] = entry
    if payload.get("doNotStore") is False and (site.settings or {}).get("perspective_store"):
        with db().session() as session:
            session.add(kept(site, text, results[0]))
    answer: dict[str, Any] = {
        "attributeScores": attribute_scores,
        "languages": langs,
        "detectedLanguages": ["en"],
    }
    if isinstance(payload.get("clientToken"), str):
        answer["clientToken"] = payload["clientToken"]
    return jsonify(answer)


def kept(site: Site, text: str, result: Mapping[str, Any]) -> Check:
    """Return a check record kept for training (the site opted in, the caller allowed it)."""
    item = checks.Submitted(text=text)
    return Check(
        id=checks.new_check_id(),
        site_id=site.id,
        source="perspective",
        fingerprint=checks.fingerprint(site.id, item),
        text=text,
        spam=float(result["spam"]),
        toxicity=float(result["toxicity"]),
        verdict="scored",
        model_version=result["model_version"],
        created_at=utcnow(),
        expires_at=None,
    )


@bp.post("/v1alpha1/comments:suggestscore")
def suggest_score() -> Response:
    """Accept suggested scores; with the site's opt-in they become labels (training data)."""
    with db().session() as session:
        key, site = site_key(session, "moderate")
        payload = body()
        text = comment_text(payload)
        asked = payload.get("languages")
        if asked is not None and (
            not isinstance(asked, list) or not all(isinstance(x, str) for x in asked)
        ):
            raise PerspectiveError(400, "languages must be a list of language codes.")
        suggested = payload.get("attributeScores")
        if not isinstance(suggested, dict) or not suggested:
            raise PerspectiveError(400, "attributeScores must name at least one attribute.")
        labels = suggested_labels(suggested)
        if labels and (site.settings or {}).get("perspective_store"):
            item = checks.Submitted(text=text)
            check = checks.find(session, site.id, None, item)
            if check is None:
                check = kept(site, text, score([{"text": text}])[0])
                session.add(check)
                session.flush()
            for value in labels:
                checks.label(session, check, value, source="perspective", actor=key.actor)
    answer: dict[str, Any] = {"detectedLanguages": ["en"]}
    if isinstance(payload.get("clientToken"), str):
        answer["clientToken"] = payload["clientToken"]
    if payload.get("languages"):
        answer["requestedLanguages"] = payload["languages"]
    return jsonify(answer)


def suggested_labels(suggested: Mapping[str, Any]) -> list[str]:
    """Map suggested TOXICITY/SPAM summary scores to labels; other attributes are ignored."""
    names = {"TOXICITY": ("toxic", "ok"), "SPAM": ("spam", "ham")}
    for name, entry in suggested.items():  # Google refuses a score that is not one
        summary = entry.get("summaryScore") if isinstance(entry, dict) else None
        value = summary.get("value") if isinstance(summary, dict) else None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not 0 <= value <= 1:  # type: ignore[operator]
            raise PerspectiveError(
                400, f"Invalid value at 'attribute_scores[{name}].summary_score.value': "
                "a number from 0 to 1 is required.",
            )  # fmt: skip
    out = []
    for name, (yes, no) in names.items():
        entry = suggested.get(name)
        summary = entry.get("summaryScore") if isinstance(entry, dict) else None
        value = summary.get("value") if isinstance(summary, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(yes if value >= 0.5 else no)
    return out


@bp.errorhandler(RateLimited)
def _rate_limited(exc: RateLimited) -> Response:
    if request.path.startswith("/v1alpha1/"):
        resp = google_error(429, exc.message, "RESOURCE_EXHAUSTED")
    else:
        from service.integrations.akismet import plain

        resp = plain(exc.message, 429)
    resp.headers.update(exc.headers)
    return resp
