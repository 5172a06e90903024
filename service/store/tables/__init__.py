"""The database schema: every table moderato keeps, as SQLAlchemy 2 mapped classes.

Schema changes go through Alembic (``service/migrations``); these modules are the
source the migrations are written from.

The modules: ``base`` (``Base`` and the UTC timestamp type), ``sites`` (a site, its API
keys, its threads' settings, its server's idempotency keys), ``comments`` (the comment
and readers' reports), ``moderation`` (accounts, the audit log, labels, bans) and
``webhooks`` (endpoints and the delivery outbox). Importing the package registers all
of them with ``Base.metadata``; the integrations' checks and the reply notifications
have modules of their own beside it (``tables_integrations``, ``tables_notify``). The
names below are the package's interface: code imports tables from here.
"""

from __future__ import annotations

from service.store.tables.base import Base, UTCDateTime
from service.store.tables.comments import Comment, Report
from service.store.tables.moderation import AuditEntry, Ban, Label, User, UserSite
from service.store.tables.sites import ApiKey, IdempotencyKey, Site, Thread
from service.store.tables.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Ban",
    "Base",
    "Comment",
    "IdempotencyKey",
    "Label",
    "Report",
    "Site",
    "Thread",
    "UTCDateTime",
    "User",
    "UserSite",
    "WebhookDelivery",
    "WebhookEndpoint",
]
