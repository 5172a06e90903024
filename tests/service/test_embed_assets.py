"""The loader and the widget bundle: cache headers, content hashes, gzip, size budget."""

from __future__ import annotations

import gzip
import re

from flask.testing import FlaskClient

from service import antibot, validation
from service.embed import assets

GZIP_BUDGET = 15 * 1024


def widget_path(client: FlaskClient) -> str:
    loader = client.get("/embed.js").get_data(as_text=True)
    match = re.search(r'"(embed/assets/widget\.[0-9a-f]{12}\.js)"', loader)
    assert match, loader[-200:]
    return "/" + match.group(1)


def test_loader_is_cached_for_a_day_and_names_the_hashed_bundle(client: FlaskClient) -> None:
    """/embed.js is JavaScript cached for a day (ETag) and points at the content-hashed bundle."""
    rv = client.get("/embed.js")
    assert rv.status_code == 200
    assert rv.mimetype == "text/javascript"
    assert "max-age=86400" in rv.headers["Cache-Control"]
    assert rv.headers["ETag"]
    assert rv.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    digest = assets.asset("widget.js").digest
    assert widget_path(client) == f"/embed/assets/widget.{digest}.js"
    again = client.get("/embed.js", headers={"If-None-Match": rv.headers["ETag"]})
    assert again.status_code == 304


def test_hashed_bundle_is_immutable_for_a_year(client: FlaskClient) -> None:
    """The bundle at its hashed URL is cached for a year, immutable."""
    rv = client.get(widget_path(client))
    assert rv.status_code == 200
    assert rv.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "attachShadow" in rv.get_data(as_text=True)


def test_an_outdated_hash_redirects_to_the_current_bundle(client: FlaskClient) -> None:
    """A stale page's old bundle URL redirects (uncached) to the current one; unknown is 404."""
    rv = client.get("/embed/assets/widget.000000000000.js")
    assert rv.status_code == 302
    assert rv.headers["Location"].endswith(assets.asset("widget.js").filename)
    assert rv.headers["Cache-Control"] == "no-cache"
    assert client.get("/embed/assets/nothing.000000000000.js").status_code == 404


def test_bundle_carries_the_servers_field_names_and_limits() -> None:
    """The bundle embeds the token/honeypot field names and length limits from the server."""
    text = assets.asset("widget.js").body.decode()
    assert f'"tokenField":"{antibot.TOKEN_FIELD}"' in text
    assert f'"honeypotField":"{antibot.HONEYPOT_FIELD}"' in text
    assert f'"text":{validation.MAX_TEXT}' in text
    assert '"err_invalid_email"' in text


def test_the_server_keeps_its_words_for_a_wait() -> None:
    """The widget says "in 40 seconds" with the browser's Intl: the bundle carries the
    sentence around it but not the no-JS pages' plural forms of seconds and minutes."""
    text = assets.asset("widget.js").body.decode()
    assert '"err_rate_limited_wait":"You are commenting too quickly. Try again {when}."' in text
    assert "wait_second_" not in text and "wait_minute_" not in text


def test_assets_are_served_gzipped_when_accepted(client: FlaskClient) -> None:
    """With Accept-Encoding: gzip the bundle is sent gzipped and decompresses to the same file."""
    path = widget_path(client)
    plain = client.get(path).data
    rv = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert rv.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in rv.headers["Vary"]
    assert gzip.decompress(rv.data) == plain


def test_loader_and_widget_fit_the_15_kb_gzip_budget() -> None:
    """embed.js + the widget bundle (JS, CSS and strings) weigh under 15 KB gzipped."""
    total = len(assets.loader().gzipped) + len(assets.asset("widget.js").gzipped)
    assert total < GZIP_BUDGET, total


def test_count_script_is_cached_like_the_loader_and_carries_only_count_strings(
    client: FlaskClient,
) -> None:
    """/embed/count.js is JavaScript cached for a day with an ETag, gzipped when accepted,
    and carries the count strings of every language but no other part of the catalogue."""
    rv = client.get("/embed/count.js")
    assert rv.status_code == 200 and rv.mimetype == "text/javascript"
    assert "max-age=86400" in rv.headers["Cache-Control"]
    assert (
        client.get("/embed/count.js", headers={"If-None-Match": rv.headers["ETag"]}).status_code
        == 304
    )
    body = rv.get_data(as_text=True)
    assert '"count_other":"{count} commentaires"' in body and "err_generic" not in body
    assert len(assets.counter().gzipped) < 2 * 1024


def test_the_edit_chunk_is_served_like_the_bundle_and_named_by_the_loader(
    client: FlaskClient,
) -> None:
    """The edit chunk (loaded only for a reader with a comment to edit) is minified, named
    by its content hash in the loader, served immutable and gzipped, and an outdated hash
    redirects; its strings (every language's) stay out of the widget bundle."""
    chunk = assets.asset("edit.js")
    loader = client.get("/embed.js").get_data(as_text=True)
    assert f'"embed/assets/edit.{chunk.digest}.js"' in loader
    rv = client.get(f"/embed/assets/{chunk.filename}", headers={"Accept-Encoding": "gzip"})
    assert rv.status_code == 200 and rv.mimetype == "text/javascript"
    assert rv.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(rv.data) == chunk.body
    assert (
        client.get("/embed/assets/edit.000000000000.js")
        .headers["Location"]
        .endswith(chunk.filename)
    )
    body = chunk.body.decode()
    assert '"edit_confirm":"Supprimer votre commentaire ? Cette action est définitive."' in body
    assert "/*" not in body  # minified
    widget = assets.asset("widget.js").body.decode()
    assert "edit_confirm" not in widget and "Moderato-Edit-Token" not in widget


def test_the_loaders_trusted_types_policy_blesses_only_the_bundle_and_the_chunk() -> None:
    """The loader's policy compares a URL with exactly two: the bundle's and the chunk's."""
    text = assets.loader().body.decode()
    assert 'createPolicy("moderato"' in text
    # minified: local names are shortened, so the shape is matched, not the names
    policy = re.search(
        r"createScriptURL:function\((\w+)\)\{if\(\1!==(\w+)&&\1!==(\w+)\)"
        r"throw new TypeError\(\1\);return \1;\}",
        text,
    )
    assert policy, text
    # ... and the two names it compares with are the bundle's and the chunk's URLs
    assert re.search(rf"\b{policy[2]}=(\w+)\+\w+,{policy[3]}=\1\+\w+", text), text
