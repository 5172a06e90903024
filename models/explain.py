"""Explain a linear model's score with the tokens and links that pushed it up."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

URL_RE = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"']+|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|ru|co|ly|io|me|us|uk|xyz|top|site|online|club|tk|gl|be)\b(?:/[^\s<>\"']*)?"
)
WORD_RE = re.compile(r"\w+")
MAX_REASONS = 3
MIN_WEIGHT = 0.1


def _domain(url: str) -> str:
    host = re.sub(r"(?i)^(?:https?://)?(?:www\.)?", "", url)
    return re.split(r"[/?#:]", host, maxsplit=1)[0].lower().rstrip(".")


def candidates(text: str) -> list[tuple[str, str, int, int]]:
    """Return ``(kind, label, start, end)`` for each link and word in the original text."""
    out: list[tuple[str, str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in URL_RE.finditer(text):
        out.append(("link", _domain(m.group()), m.start(), m.end()))
        taken.append(m.span())
    for m in WORD_RE.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            out.append(("token", m.group(), m.start(), m.end()))
    return out


def explain(model_name: str, pipeline: Any, text: str) -> list[dict[str, Any]]:
    """Return the top reasons (log-odds weight per piece of text) for one comment."""
    cands = candidates(text)
    if not cands:
        return []
    pieces = [text[a:b] for _, _, a, b in cands]
    featurizer = pipeline.named_steps["features"]
    coef = pipeline.named_steps["clf"].coef_.ravel()
    # Each piece's weight: the doc's contributions (x_f * w_f) over the features it touches.
    doc = featurizer.transform([text])
    contrib = np.zeros(coef.shape[0])
    contrib[doc.indices] = doc.data * coef[doc.indices]
    touched = featurizer.transform(pieces)
    touched.data[:] = 1.0
    weights = np.asarray(touched @ contrib).ravel()
    best: dict[str, dict[str, Any]] = {}
    for (kind, label, start, end), weight in zip(cands, weights, strict=True):
        key = label.casefold()
        if weight >= MIN_WEIGHT and (key not in best or weight > best[key]["weight"]):
            best[key] = {
                "model": model_name,
                "kind": kind,
                "text": label,
                "weight": round(float(weight), 3),
                "span": [start, end],
            }
    return sorted(best.values(), key=lambda r: -r["weight"])[:MAX_REASONS]
