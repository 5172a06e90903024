"""Split a comment's text into plain and highlighted runs from its reason spans. Pure.

Spans are ``[start, end)`` character ranges in the original text (the scoring
contract). Spans out of range or empty are ignored; overlapping spans produce
runs carrying every reason that covers them. The template escapes each run,
so the text is never interpreted as HTML.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of the text and the reasons (by index) that cover it."""

    text: str
    reasons: tuple[int, ...] = ()

    @property
    def marked(self) -> bool:
        """Tell whether any reason covers this run."""
        return bool(self.reasons)


def valid_span(reason: Mapping[str, Any], length: int) -> tuple[int, int] | None:
    """Return a reason's span if it is a usable ``[start, end)`` within ``length``."""
    span = reason.get("span")
    if not isinstance(span, list | tuple) or len(span) != 2:
        return None
    start, end = span
    if isinstance(start, bool) or isinstance(end, bool):
        return None
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    if not 0 <= start < end <= length:
        return None
    return start, end


def runs(text: str, reasons: Sequence[Mapping[str, Any]]) -> list[Run]:
    """Return ``text`` as consecutive runs, each tagged with the reasons whose span covers it."""
    spans = [(i, s) for i, r in enumerate(reasons) if (s := valid_span(r, len(text)))]
    if not spans:
        return [Run(text)] if text else []
    cuts = sorted({0, len(text), *(p for _, s in spans for p in s)})
    out: list[Run] = []
    for start, end in itertools.pairwise(cuts):
        covering = tuple(i for i, (s, e) in spans if s <= start and end <= e)
        if out and out[-1].reasons == covering:
            out[-1] = Run(out[-1].text + text[start:end], covering)
        else:
            out.append(Run(text[start:end], covering))
    return out


#: Invisible characters that change how the text around them reads: bidirectional
#: overrides, embeddings, isolates and marks, and zero-width spaces. On a card each is
#: shown as a visible tag in its place instead of acting, so a moderator reads the text in
#: the order it was typed ("\u202e" would show the rest of a comment reversed).
CONTROLS = {
    "\u200b": "ZWSP", "\u200e": "LRM", "\u200f": "RLM", "\u061c": "ALM", "\u2060": "WJ",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI", "\ufeff": "BOM",
}  # fmt: skip


def show_controls(text: str) -> Markup:
    """Escape ``text`` for HTML, with each of ``CONTROLS`` shown as a tag, not applied."""
    text = text or ""
    if not any(ch in CONTROLS for ch in text):
        return escape(text)
    out = []
    for ch in text:
        name = CONTROLS.get(ch)
        if name is None:
            out.append(str(escape(ch)))
        else:
            code = f"U+{ord(ch):04X}"
            out.append(f'<span class="ctl" title="{code}, hidden in the text">⟨{name}⟩</span>')
    return Markup("".join(out))


#: First strong isolate and pop directional isolate: what ``isolate`` wraps user text in.
FSI, PDI = "\u2068", "\u2069"


def isolate(text: str | None) -> str:
    """Return user text (a name, a thread, a quoted signal) for a sentence, an attribute
    or a label: without the invisible controls of ``CONTROLS`` (an override or a stray
    PDI inside would reorder or end the isolate early), wrapped in FSI … PDI, so that a
    right-to-left name cannot reorder the words around it ("Select the comment by …").
    Markup cannot isolate inside an attribute; these characters can. Empty text stays
    empty. The card's visible text shows the controls as tags instead (``show_controls``)
    inside elements that isolate it (``<bdi>``, ``dir="auto"``)."""
    kept = "".join(ch for ch in text or "" if ch not in CONTROLS)
    return f"{FSI}{kept}{PDI}" if kept else ""
