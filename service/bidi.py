"""Right-to-left and direction-control text from users, made safe to quote in a sentence,
an attribute or a label (the dashboard's and the no-JS thread's)."""

from __future__ import annotations

#: Invisible characters that change how the text around them reads: bidirectional
#: overrides, embeddings, isolates and marks, and zero-width spaces. On a card each is
#: shown as a visible tag in its place instead of acting, so a moderator reads the text in
#: the order it was typed ("\u202e" would show the rest of a comment reversed).
CONTROLS = {
    "\u200b": "ZWSP", "\u200e": "LRM", "\u200f": "RLM", "\u061c": "ALM", "\u2060": "WJ",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI", "\ufeff": "BOM",
}  # fmt: skip


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
