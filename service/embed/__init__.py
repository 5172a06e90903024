"""The publisher's embed: the one-tag loader, the Shadow DOM widget, the no-JS thread, the
demo, and the Atom feeds of published comments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("embed", __name__, template_folder="templates")

from service.embed import feeds, pages, views  # noqa: E402, F401
