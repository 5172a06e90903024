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

from service.bidi import CONTROLS
from service.explain import valid_span


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of the text and the reasons (by index) that cover it."""

    text: str
    reasons: tuple[int, ...] = ()

    @property
    def marked(self) -> bool:
        """Tell whether any reason covers this run."""
        return bool(self.reasons)


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
