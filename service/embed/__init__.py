"""The publisher's embed: the one-tag loader, the Shadow DOM widget, the no-JS thread, the demo."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("embed", __name__, template_folder="templates")

from service.embed import pages, views  # noqa: E402, F401
