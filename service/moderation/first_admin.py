"""The first admin: a signed, time-limited setup link that works only while no account exists.

``moderato run`` prints the link on a start with no accounts (``moderato users
setup-link`` prints a fresh one). The token is signed with the app's secret key
(``itsdangerous``), so every web process accepts it without shared state; it
expires after ``SETUP_LINK_HOURS`` (default 24) and is useless once any account
exists.
"""

from __future__ import annotations

from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "moderato.first-admin-setup"
PAYLOAD = "first-admin"
DEFAULT_HOURS = 24


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str) -> str:
    """Return a fresh setup token."""
    return str(_serializer(secret_key).dumps(PAYLOAD))


def token_valid(secret_key: str, token: str, max_age_hours: float = DEFAULT_HOURS) -> bool:
    """Tell whether ``token`` is a setup token of ours that has not expired."""
    try:
        value = _serializer(secret_key).loads(token, max_age=int(max_age_hours * 3600))
    except BadSignature:
        return False
    return bool(value == PAYLOAD)


def setup_url(base_url: str, secret_key: str) -> str:
    """Return the setup link under ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""
    return f"{base_url.rstrip('/')}/moderation/setup?token={make_token(secret_key)}"


def hint(app: Flask, base_url: str) -> str | None:
    """Return the console text telling how to become the first admin, or None if accounts exist."""
    from service import users
    from service.extensions import db

    with app.app_context(), db().session() as session:
        if users.count(session):
            return None
    hours = app.config.get("SETUP_LINK_HOURS", DEFAULT_HOURS)
    return (
        f"No moderator account yet. Open this link to create the first admin (valid {hours} h,\n"
        "and only until an account exists):\n"
        f"  {setup_url(base_url, app.config['SECRET_KEY'])}\n"
        "or create one on the command line:\n"
        "  .venv/bin/moderato users create --email you@example.com --role admin"
    )
