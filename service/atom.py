"""Atom 1.0 documents (RFC 4287) with threading (RFC 4685), built from plain data: no I/O.

Every string goes through ``xml_text`` before ElementTree escapes it, so a feed is
well-formed XML whatever a comment, a name or a thread id holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from service.clock import rfc3339

ATOM = "http://www.w3.org/2005/Atom"
THREADING = "http://purl.org/syndication/thread/1.0"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

#: What XML 1.0 forbids (C0 controls but tab, LF and CR; surrogates; U+FFFE and U+FFFF),
#: and the C1 controls it discourages: dropped, since escaping cannot make them legal.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Return ``value`` without the characters an XML 1.0 document may not contain."""
    return NOT_XML.sub("", value)


@dataclass(frozen=True, slots=True)
class Entry:
    """One comment as a feed entry; ``html`` is already sanitised markup."""

    id: str
    title: str
    author: str
    published: datetime
    updated: datetime
    html: str
    link: str
    #: The parent's entry id and link (``thr:in-reply-to``), for a reply.
    in_reply_to: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed: its id, title, newest change, links and entries (newest first)."""

    id: str
    title: str
    updated: datetime
    self_url: str
    alternate: str | None
    entries: list[Entry]


def _child(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _stamp(value: datetime) -> str:
    return str(rfc3339(value))


def render(feed: Feed) -> bytes:
    """Return ``feed`` as a UTF-8 Atom document."""
    root = ET.Element("feed", {"xmlns": ATOM, "xmlns:thr": THREADING})
    _child(root, "id", feed.id)
    _child(root, "title", feed.title, type="text")
    _child(root, "updated", _stamp(feed.updated))
    _child(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    if feed.alternate:
        _child(root, "link", rel="alternate", type="text/html", href=feed.alternate)
    for item in feed.entries:
        entry = _child(root, "entry")
        _child(entry, "id", item.id)
        _child(entry, "title", item.title, type="text")
        _child(_child(entry, "author"), "name", item.author)
        _child(entry, "published", _stamp(item.published))
        _child(entry, "updated", _stamp(item.updated))
        _child(entry, "link", rel="alternate", type="text/html", href=item.link)
        if item.in_reply_to:
            ref, href = item.in_reply_to
            _child(entry, "thr:in-reply-to", ref=ref, href=href, type="text/html")
        _child(entry, "content", item.html, type="html")
    ET.indent(root)
    return (DECLARATION + ET.tostring(root, encoding="unicode")).encode("utf-8")
