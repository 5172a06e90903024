"""Admin pages for integrations (``/moderation/integrations``), inside the dashboard shell.

Sites (created here or with ``moderato sites create``), their API keys (shown
once, revocable), their per-key limit and Perspective storage opt-in, webhook
endpoints (secret shown once, rotation, enable/disable, disabled ones flagged)
and each endpoint's delivery log with manual redelivery, a test event, and the forms
that change and delete it (``endpoint_changes``). Admins only; the
dashboard's session, CSRF and security headers apply (``pages.guard``).
"""

from __future__ import annotations

from flask import Blueprint

from service.moderation.nav import add_nav_item
from service.moderation.pages import guard

bp = Blueprint(
    "integrations_admin",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
guard(bp)


@bp.context_processor
def _subscriptions() -> dict[str, object]:
    """Let the pages say an endpoint's events in words and what it is not subscribed to."""
    from service.events import describe, not_subscribed

    return {"describe_events": describe, "not_subscribed": not_subscribed}


add_nav_item(
    "Integrations", "integrations_admin.index", admin_only=True, order=70,
    match=("integrations_admin.*",),
)  # fmt: skip

from service.integrations.admin import endpoint_changes, hooks, sites  # noqa: E402, F401
