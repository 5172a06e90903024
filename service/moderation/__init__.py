"""The moderator dashboard (``/moderation``): queues, actions, bans, audit, stats, admin pages.

The reusable shell other dashboard pages build on:

- ``access``  — ``login_required``, ``admin_required``, ``public``, ``current_user()``, site scope
- ``csrf``    — per-session token for forms (``{{ csrf_field() }}``) and fetch (``X-CSRF-Token``)
- ``nav``     — ``add_nav_item()``: a page's entry in the dashboard navigation
- ``pages``   — ``guard()``: the blueprint-wide session + CSRF check and security headers
- ``templates/moderation/base.html`` — the layout every dashboard page extends
"""

from __future__ import annotations

from flask import Blueprint

from service.moderation import pages

bp = Blueprint(
    "moderation",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
pages.guard(bp)

from service.moderation import (  # noqa: E402, F401
    act,
    admin_policy,
    admin_sites,
    admin_users,
    audit,
    bans_views,
    bulk_views,
    login,
    mail_views,
    privacy_views,
    queue,
    stats_views,
    threads_views,
)
