"""Fixtures for dashboard tests: a logged-in admin client."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service.store import Database
from tests.dashboard import logged_in


@pytest.fixture
def admin_csrf(client: FlaskClient, db: Database) -> str:
    """Log ``client`` in as an admin; return the session's CSRF token."""
    return logged_in(client, db)
