"""The request body of the Perspective-compatible API, read and checked in Google's terms:
the comment's text, the requested attributes and languages, and its sentences."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from service.integrations.perspective.errors import PerspectiveError
from service.integrations.perspective.schemas import SCHEMAS
from service.validation import has_controls, has_lone_surrogate

ATTRIBUTES = {"TOXICITY": "toxicity", "SPAM": "spam"}
LANGUAGES = ("en",)
MAX_TEXT_BYTES = 20480
SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")


OPTIONAL_TYPES: dict[str, type] = {
    "doNotStore": bool,
    "spanAnnotations": bool,
    "dropUnsupportedAttributes": bool,
    "clientToken": str,
    "sessionId": str,
    "communityId": str,
    "context": dict,
}


def body(message: str) -> dict[str, Any]:
    """Return the JSON request body, a ``message`` of ``schemas.SCHEMAS`` (its fields under
    their JSON names, checked: ``known``), with its optional fields type-checked, or raise."""
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
    payload = known(payload, message)
    for name, kind in OPTIONAL_TYPES.items():
        value = payload.get(name)
        if value is not None and not isinstance(value, kind):
            raise PerspectiveError(400, f"Invalid value at '{name}': expected {kind.__name__}.")
    return payload


#: Messages whose fields are not checked: the context is accepted and never read.
UNCHECKED = frozenset({"Context"})


def known(value: dict[str, Any], message: str, where: str = "") -> dict[str, Any]:
    """Return ``value`` with each field under its JSON name (Google's parsers take a proto
    field name too: ``requested_attributes`` is ``requestedAttributes``), its messages
    checked the same way; raise Google's 400 naming a field ``message`` does not have, as
    Google's API does (we ignored it: a misspelled ``doNotStore`` went unnoticed)."""
    fields = SCHEMAS[message]["properties"]
    proto_names = {proto_name(name): name for name in fields}
    out: dict[str, Any] = {}
    for name, item in value.items():
        json_name = name if name in fields else proto_names.get(name)
        if json_name is None:
            at = f" at '{where}'" if where else ""
            raise PerspectiveError(
                400, f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.'
            )
        if json_name in out:
            raise PerspectiveError(
                400, f'Invalid JSON payload received. Field "{json_name}" was given twice (as '
                f'"{proto_name(json_name)}" too).',
            )  # fmt: skip
        path = f"{where}.{proto_name(json_name)}" if where else proto_name(json_name)
        out[json_name] = _inner(item, fields[json_name], path)
    return out


def _inner(item: Any, field: Mapping[str, Any], where: str) -> Any:
    """Check the messages inside one field: a message, a map of them (keyed by the
    caller: attribute names), or a list of them; anything else is the endpoint's to read."""
    of = field.get("additionalProperties") or field.get("items") or {}
    name = field.get("$ref") or of.get("$ref")
    if name is None or name in UNCHECKED:
        return item
    if "$ref" in field:
        return known(item, name, where) if isinstance(item, dict) else item
    if isinstance(item, dict):
        return {k: known(v, name, f"{where}[{k}]") if isinstance(v, dict) else v
                for k, v in item.items()}  # fmt: skip
    if isinstance(item, list):
        return [known(v, name, f"{where}[{i}]") if isinstance(v, dict) else v
                for i, v in enumerate(item)]  # fmt: skip
    return item


def proto_name(name: str) -> str:
    """Return the proto name of a field's JSON name (``doNotStore``: ``do_not_store``)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


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
