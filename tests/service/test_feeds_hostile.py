"""Feeds under hostile input (names, texts and thread ids from the Big List of Naughty
Strings, characters XML 1.0 forbids), and what one feed costs the database."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from service import atom
from service.status import State
from service.store import Database
from service.validation import thread_error
from tests.factories import published, stored

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MODERATO_SHARED_DIR", ROOT.parent / "shared"))
BLNS = SHARED / "data" / "big-list-of-naughty-strings" / "blns.json"
NS = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    """The Big List of Naughty Strings, read in place from ../shared/data."""
    if not BLNS.exists():
        pytest.fail(f"naughty strings not found at {BLNS} (set MODERATO_SHARED_DIR)")
    strings: list[str] = json.loads(BLNS.read_text("utf-8"))
    return strings


def _well_formed(body: bytes) -> ET.Element:
    """Parse a feed strictly (ElementTree) and with feedparser; return its root."""
    root = ET.fromstring(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return root


def _as_parsed(value: str) -> str:
    """Return what an XML parser reads back for ``value`` once cleaned (CR becomes LF)."""
    return atom.xml_text(value).replace("\r\n", "\n").replace("\r", "\n")


def test_xml_text_drops_only_what_xml_forbids() -> None:
    """Controls (but tab, LF, CR), C1 controls, lone surrogates, U+FFFE and U+FFFF go;
    markup characters, right-to-left text, emoji and zero-width characters stay."""
    assert atom.xml_text("a\x00b\x08c\x0bd\x1fe\x7ff\x85g\ud800h\udfffi\ufffej\uffffk") == (
        "abcdefghijk"
    )
    kept = "<&>\"' \t\n\r مرحبا 👩‍👩‍👧 \u200b\u202e x"
    assert atom.xml_text(kept) == kept


def test_hostile_names_and_texts_stay_well_formed_and_read_back(
    client: FlaskClient, db: Database
) -> None:
    """Markup, entities, quotes and characters XML cannot hold (stored as an older release
    or an import might have) give a well-formed feed: markup stays text, forbidden
    characters are dropped, the rest reads back as it was."""
    hostile = {
        "</name></author><script>alert(1)</script>": "]]><![CDATA[ <x>&amp;&#0;</x> \"'",
        "Nul\x00 Esc\x1b Ff\x0c Del\x7f": "text\x00 with\x01 controls\x1f\x85",
        "Non\ufffe char\uffff": "\ufffeBOM-ish\uffff",
        "&lt;already&gt; &#x26;": "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'x'>]>&e;",
    }
    for name, text in hostile.items():
        stored(db, state=State.PUBLISHED, thread="t", name=name, text=text)
    body = client.get("/feed/thread.atom?thread=t").get_data()
    root = _well_formed(body)
    assert b"<script>" not in body and b"<x>" not in body
    names = [e.findtext("a:author/a:name", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert sorted(names) == sorted(_as_parsed(n) for n in hostile)  # type: ignore[type-var]
    site = client.get("/feed/site.atom").get_data()
    assert len(_well_formed(site).findall("a:entry", NS)) == len(hostile)


def test_every_naughty_string_as_name_and_text_gives_a_well_formed_feed(
    client: FlaskClient, db: Database, naughty: list[str]
) -> None:
    """Each of the 515 naughty strings, as a published comment's name and text, is in a
    well-formed feed entry whose name reads back (less what XML forbids)."""
    chunks = [naughty[i : i + 50] for i in range(0, len(naughty), 50)]
    for n, chunk in enumerate(chunks):
        for value in chunk:
            stored(
                db, state=State.PUBLISHED, thread=f"blns-{n}", name=value[:80], text=value or "-"
            )
    for n, chunk in enumerate(chunks):
        root = _well_formed(client.get(f"/feed/thread.atom?thread=blns-{n}").get_data())
        entries = root.findall("a:entry", NS)
        assert len(entries) == len(chunk)
        names = sorted(e.findtext("a:author/a:name", default="", namespaces=NS) for e in entries)
        assert names == sorted(_as_parsed(v[:80]) for v in chunk)


def test_every_naughty_string_as_a_thread_id_is_a_feed_or_a_422(
    client: FlaskClient, db: Database, naughty: list[str]
) -> None:
    """Each naughty string as ``thread`` answers a well-formed feed holding that thread's
    comment, or 422 when no thread can be named so; never a server error."""
    codes: dict[int, int] = {}
    for value in naughty:
        thread = value.strip()
        if thread_error(thread) is None:
            stored(db, state=State.PUBLISHED, thread=thread)
        rv = client.get("/feed/thread.atom", query_string={"site": "default", "thread": value})
        codes[rv.status_code] = codes.get(rv.status_code, 0) + 1
        if thread_error(thread) is not None:
            assert rv.status_code == 422, repr(value)
            continue
        assert rv.status_code == 200, repr(value)
        root = _well_formed(rv.get_data())
        assert root.findall("a:entry", NS), repr(value)
    assert codes[200] > 400 and set(codes) == {200, 422}


@pytest.fixture
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the app's engine runs while the test runs."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("/feed/thread.atom?thread=t", "ix_comments_thread"),
        ("/feed/site.atom?site=default", "ix_comments_site_published"),
    ],
)
def test_a_feed_reads_its_comments_with_one_indexed_query(
    client: FlaskClient,
    db: Database,
    statements: list[tuple[str, Any]],
    path: str,
    index: str,
) -> None:
    """A feed reads the site's row and then its comments in one query, which SQLite runs on
    an index (EXPLAIN QUERY PLAN), never scanning the table."""
    for i in range(3):
        published(db, thread="t", text=f"c{i}")
    statements.clear()
    assert client.get(path).status_code == 200
    selects = [(sql, p) for sql, p in statements if sql.lstrip().upper().startswith("SELECT")]
    on_comments = [(sql, p) for sql, p in selects if "FROM comments" in sql]
    assert len(on_comments) == 1 and len(selects) == 2
    sql, params = on_comments[0]
    with db.engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan[0].startswith(f"SEARCH comments USING INDEX {index} (site_id=? AND")
    assert not any(step.startswith("SCAN") for step in plan)


def test_direction_overrides_stay_out_of_titles(client: FlaskClient, db: Database) -> None:
    """A title cut from a comment holding a right-to-left override (or an isolate) drops
    the control, so a feed reader's line is not turned around; the entry's html keeps
    the comment as written."""
    published(db, thread="t", text="\u202eesrever\u2066 isolated")
    root = _well_formed(client.get("/feed/thread.atom?thread=t%E2%80%AEx").data)
    assert "\u202e" not in (root.findtext("a:title", namespaces=NS) or "")
    feed = _well_formed(client.get("/feed/thread.atom?thread=t").data)
    title = feed.findtext("a:entry/a:title", namespaces=NS) or ""
    assert "esrever" in title and "\u202e" not in title and "\u2066" not in title
    assert "\u202e" in (feed.findtext("a:entry/a:content", namespaces=NS) or "")
