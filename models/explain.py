"""Turn a linear model's contributions into moderator-facing reasons.

A reason's ``weight`` is its contribution to the model's calibrated log-odds. Tokens are
the words of the normalised text (the word and char n-grams starting inside them summed)
mapped back to the original text; structure signals become ``link`` or ``pattern``
reasons. Only the strongest few candidates per comment are turned into Python objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from models.featurize import Batch, token_of
from models.linear import LinearModel
from models.signals import NAMES
from models.terms import KINDS

MAX_REASONS = 3
MIN_WEIGHT = 0.2
CANDIDATES = 6  # strongest tokens per comment considered before merging
LINK_FEATURES = {"has_link", "shortener", "listed_domain"}
PATTERN_LABELS = {
    "caps": "capitals",
    "emoji": "emoji",
    "repetition": "repeated words",
    "link_share": "mostly a link",
    "link_few_words": "a link with few words",
    "long": "long text",
    "digits": "many digits",
    "threat": "threatening phrase",
    "dehumanising": "dehumanising phrase",
    "promotion": "self-promotion",
    "disguised_link": "disguised link",
}
# Phrase columns whose matched text alone does not say what was found ("bit.ly\\G").
NAMED_SPANS = frozenset({"disguised_link"})
_LINK_COLS = np.array([name in LINK_FEATURES for name in NAMES])
_TERM_COLS = frozenset(NAMES.index(kind) for kind in KINDS)
MAX_TERMS = 3  # a term column's weight is shared by at most this many distinct terms


def reasons(
    task: str, batch: Batch, rows: np.ndarray, model: LinearModel, extra: Any = None
) -> dict[int, list[dict[str, Any]]]:
    """Return the top reasons of ``task`` for each document in ``rows``.

    ``extra`` adds per-token log-odds from another input (the profanity port).
    """
    if len(rows) == 0:
        return {}
    occ, contrib = model.contributions(batch, rows)
    inside, tok = token_of(batch, occ)
    tok_weight = np.bincount(tok[inside], contrib[inside], minlength=len(batch.tok_start))
    if extra is not None:
        tok_weight = tok_weight + extra
    pick = np.flatnonzero(tok_weight >= MIN_WEIGHT / 2)
    pick = pick[np.lexsort((-tok_weight[pick], batch.tok_doc[pick]))]
    docs = batch.tok_doc[pick]
    first = np.searchsorted(docs, docs)
    pick = pick[np.arange(len(pick)) - first < CANDIDATES]
    by_row: dict[int, list[int]] = {}
    for k, d in zip(pick.tolist(), batch.tok_doc[pick].tolist(), strict=True):
        by_row.setdefault(d, []).append(k)
    pattern = batch.dense[rows] * model.dense * model.scale
    pattern[:, _LINK_COLS] = 0.0
    strong: dict[int, list[int]] = {}
    for r, j in zip(*np.nonzero(pattern >= MIN_WEIGHT / 2), strict=True):
        strong.setdefault(int(r), []).append(int(j))
    out: dict[int, list[dict[str, Any]]] = {}
    for r, row in enumerate(rows.tolist()):
        found: dict[str, dict[str, Any]] = {}
        hits = batch.hits.get(row, [])
        spans: list[dict[str, Any]] = []
        for j in strong.get(r, []):
            if j in _TERM_COLS:
                _terms(task, hits, NAMES[j], float(pattern[r, j]), found, spans)
                continue
            hit = next((h for h in hits if h.feature == NAMES[j]), None)
            label = hit.label if hit else PATTERN_LABELS.get(NAMES[j], NAMES[j])
            if hit and NAMES[j] in NAMED_SPANS:
                label = f"{PATTERN_LABELS[NAMES[j]]}: {hit.label}"
            found[f"p:{NAMES[j]}"] = _reason(
                task, "pattern", label, float(pattern[r, j]), hit.span if hit else None
            )
        links: list[dict[str, Any]] = []
        for hit in hits:
            if hit.feature in LINK_FEATURES:
                weight = float(model.dense[NAMES.index(hit.feature)] * model.scale)
                key = f"l:{hit.label}"
                if key in found:
                    found[key]["weight"] += weight
                else:
                    found[key] = _reason(task, "link", hit.label, weight, hit.span)
                    links.append(found[key])
        if by_row.get(row):
            _tokens(task, batch, row, by_row[row], tok_weight, links + spans, found)
        ranked = sorted(
            (r for r in found.values() if r["weight"] >= MIN_WEIGHT), key=lambda r: -r["weight"]
        )[:MAX_REASONS]
        for reason in ranked:
            reason["weight"] = round(reason["weight"], 3)
        out[row] = ranked
    return out


def _terms(
    task: str,
    hits: list[Any],
    feature: str,
    weight: float,
    found: dict[str, dict[str, Any]],
    spans: list[dict[str, Any]],
) -> None:
    """Add ``spam term: …`` reasons: a term column's weight shared by its distinct terms."""
    first: dict[str, Any] = {}
    for hit in hits:
        if hit.feature == feature:
            first.setdefault(hit.label.casefold(), hit)
    chosen = list(first.items())[:MAX_TERMS]
    for key, hit in chosen:
        share = weight / len(chosen)
        if f"s:{key}" in found:
            found[f"s:{key}"]["weight"] += share
        else:
            found[f"s:{key}"] = _reason(task, "pattern", f"spam term: {hit.label}", share, hit.span)
            spans.append(found[f"s:{key}"])


def _tokens(
    task: str,
    batch: Batch,
    row: int,
    picked: list[int],
    tok_weight: np.ndarray,
    links: list[dict[str, Any]],
    found: dict[str, dict[str, Any]],
) -> None:
    """Add token reasons (merged per word, absorbed into a link or term they lie in)."""
    text, base = batch.texts[row], int(batch.norm.starts[row])
    origin = batch.norm.origin
    for k in picked:
        start = int(origin[batch.tok_start[k]]) - base
        end = int(origin[batch.tok_end[k] - 1]) - base + 1
        span = (max(start, 0), min(end, len(text)))
        weight = float(tok_weight[k])
        link = next((r for r in links if r["span"][0] <= span[0] < r["span"][1]), None)
        if link is not None:
            link["weight"] += weight
            continue
        word = text[span[0] : span[1]]
        key = f"t:{word.casefold()}"
        if key in found:
            found[key]["weight"] += weight
        else:
            found[key] = _reason(task, "token", word, weight, span)


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
