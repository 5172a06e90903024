"""Small helpers shared by the integrations admin pages: form reading and audit entries."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy.orm import Session

from service.clock import utcnow
from service.moderation import access
from service.store.tables import AuditEntry

FieldErrors = dict[str, dict[str, str]]


def text(name: str, limit: int = 2048) -> str:
    """Return a trimmed form field (empty when absent), cut to ``limit``."""
    return request.form.get(name, "").strip()[:limit]


def error(errors: FieldErrors, name: str, code: str, message: str) -> None:
    """Record a field error."""
    errors[name] = {"code": code, "message": message}


def audit(
    session: Session, site_id: int, action: str, actor: str | None = None, **details: Any
) -> None:
    """Write a site-level audit entry for a change: an admin's (the logged-in user), or the
    command line's (``actor="cli"``, as ``moderato threads set`` writes)."""
    session.add(
        AuditEntry(
            site_id=site_id,
            actor=actor or access.actor(),
            action=action,
            details=details,
            created_at=utcnow(),
        )
    )
