"""Turn a linear model's per-feature contributions into moderator-facing reasons.

A reason's ``weight`` is its contribution to the model's calibrated log-odds. Tokens are
the words of the normalised text (their word and char n-grams summed), mapped back to
the original text; structure signals become ``link`` or ``pattern`` reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models.features import Batch
from models.signals import NAMES
from models.text import original_span

MAX_REASONS = 3
MIN_WEIGHT = 0.2
LINK_FEATURES = {"has_link", "shortener", "listed_domain"}
PATTERN_LABELS = {"caps": "capitals", "emoji": "emoji", "repetition": "repeated words"}


def token_weights(batch: Batch, contrib: np.ndarray) -> np.ndarray:
    """Sum occurrence contributions onto the word token each occurrence starts in."""
    if len(batch.tok_start) == 0 or len(contrib) == 0:
        return np.zeros(len(batch.tok_start))
    occ_pos = batch.occ_global
    idx = np.searchsorted(batch.tok_global, occ_pos, side="right") - 1
    inside = (idx >= 0) & (occ_pos < batch.tok_global[np.maximum(idx, 0)] + batch.tok_len[idx])
    return np.bincount(idx[inside], contrib[inside], minlength=len(batch.tok_start))


def reasons(
    model: str,
    batch: Batch,
    rows: Sequence[int],
    tok_weight: np.ndarray,
    dense_weight: np.ndarray,
    scale: float,
) -> dict[int, list[dict[str, Any]]]:
    """Return the top reasons for each row in ``rows``."""
    out: dict[int, list[dict[str, Any]]] = {}
    wanted = np.zeros(len(batch.texts), dtype=bool)
    wanted[list(rows)] = True
    tw = tok_weight * scale
    pick = np.flatnonzero((tw >= MIN_WEIGHT / 2) & wanted[batch.tok_doc])
    by_row: dict[int, list[int]] = {}
    for k in pick.tolist():
        by_row.setdefault(int(batch.tok_doc[k]), []).append(k)
    for row in rows:
        text, offsets = batch.texts[row], batch.offsets[row]
        found: dict[str, dict[str, Any]] = {}
        links: list[dict[str, Any]] = []
        for j, name in enumerate(NAMES):
            w = float(batch.dense[row, j] * dense_weight[j] * scale)
            if name in LINK_FEATURES or w < MIN_WEIGHT / 2:
                continue
            hit = next((h for h in batch.hits[row] if h.feature == name), None)
            label = hit.label if hit else PATTERN_LABELS.get(name, name)
            found[f"p:{name}"] = _reason(model, "pattern", label, w, hit.span if hit else None)
        for hit in batch.hits[row]:
            if hit.feature in LINK_FEATURES:
                w = float(dense_weight[NAMES.index(hit.feature)] * scale)
                key = f"l:{hit.label}"
                if key in found:
                    found[key]["weight"] += w
                else:
                    found[key] = _reason(model, "link", hit.label, w, hit.span)
                    links.append(found[key])
        for k in by_row.get(row, []):
            start = int(batch.tok_start[k])
            span = original_span(offsets, start, start + int(batch.tok_len[k]), len(text))
            link = next((r for r in links if r["span"][0] <= span[0] < r["span"][1]), None)
            if link is not None:
                link["weight"] += float(tw[k])
                continue
            word = text[span[0] : span[1]]
            key = f"t:{word.casefold()}"
            if key in found:
                found[key]["weight"] += float(tw[k])
            else:
                found[key] = _reason(model, "token", word, float(tw[k]), span)
        ranked = sorted(
            (r for r in found.values() if r["weight"] >= MIN_WEIGHT), key=lambda r: -r["weight"]
        )
        for r in ranked:
            r["weight"] = round(r["weight"], 3)
        out[row] = ranked[:MAX_REASONS]
    return out


def _reason(
    model: str, kind: str, text: str, weight: float, span: tuple[int, int] | None
) -> dict[str, Any]:
    return {
        "model": model,
        "kind": kind,
        "text": text,
        "weight": weight,
        "span": list(span) if span is not None else None,
    }
