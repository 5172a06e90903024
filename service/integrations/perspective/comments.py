"""The Perspective-compatible endpoints: ``comments:analyze`` scores a comment,
``comments:suggestscore`` takes suggested scores as labels (with the site's opt-in)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from service.auth import KeyIdentity, authenticate
from service.clock import utcnow
from service.errors import ApiError, RateLimited, Unauthorized
from service.extensions import db
from service.integrations import bp, checks
from service.integrations.perspective.errors import PerspectiveError
from service.integrations.perspective.payload import (
    ATTRIBUTES,
    body,
    comment_text,
    languages,
    requested,
    sentences,
)
from service.integrations.scoring import score
from service.store.tables import Site
from service.store.tables_integrations import Check


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


def probability(value: float) -> dict[str, Any]:
    return {"value": round(float(value), 6), "type": "PROBABILITY"}


@bp.post("/v1alpha1/comments:analyze")
def analyze() -> Response:
    """Score a comment for the requested attributes, Perspective-style."""
    with db().session() as session:
        _, site = site_key(session, "submit")
    payload = body("AnalyzeCommentRequest")
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
        payload = body("SuggestCommentScoreRequest")
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
