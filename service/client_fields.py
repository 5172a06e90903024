"""The end user's details a site's backend sends on their behalf: pure checks, no I/O.

A browser's submission carries its own IP, user agent and referrer; a
server-to-server call (a site key, or the Akismet-compatible API) sends them
as ``user_ip``, ``user_agent``, ``referrer`` and ``permalink``.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_USER_AGENT = 512
MAX_URL = 2048

FieldErrors = dict[str, dict[str, str]]

#: The end user's details a site's server sends with a comment.
CLIENT_FIELDS = ("user_ip", "user_agent", "referrer", "permalink")


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """The end user's IP, user agent, referrer and the page they commented on."""

    user_ip: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    permalink: str | None = None


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _text(payload: Mapping[str, Any], name: str, errors: FieldErrors) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = _error("invalid_type", "This field must be a string.")
        return None
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        errors[name] = _error("control_characters", "This field contains control characters.")
        return None
    return value or None


def _bounded(payload: Mapping[str, Any], name: str, limit: int, errors: FieldErrors) -> str | None:
    """Return a free-form header value (the referrer may be any string a browser sent)."""
    value = _text(payload, name, errors)
    if value is not None and len(value) > limit:
        errors[name] = _error("too_long", f"This field is too long (at most {limit} characters).")
        return None
    return value


def _url(payload: Mapping[str, Any], name: str, errors: FieldErrors) -> str | None:
    value = _text(payload, name, errors)
    if value is None:
        return None
    if len(value) > MAX_URL:
        errors[name] = _error("too_long", f"This field is too long (at most {MAX_URL} characters).")
        return None
    try:
        parts = urlsplit(value)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok or any(ch.isspace() for ch in value):
        errors[name] = _error(
            "invalid_url", "Enter a web address starting with http:// or https://."
        )
        return None
    return value


def validate_client(
    payload: Mapping[str, Any], *, require_ip: bool = False
) -> tuple[ClientInfo, FieldErrors]:
    """Check the end user's fields (IP, user agent, referrer, permalink); every error at once."""
    errors: FieldErrors = {}
    ip = _text(payload, "user_ip", errors)
    if ip is not None:
        try:
            # A zone id (``fe80::1%eth0``) names the sender's interface, not the reader:
            # dropped (the hashes spell each address one way: ``security.canonical_ip``);
            # IPv4 has none, and an empty one is no zone.
            address, percent, zone = ip.partition("%")
            if percent and (not zone or ":" not in address):
                raise ValueError(ip)
            ip = str(ipaddress.ip_address(address))
        except ValueError:
            errors["user_ip"] = _error("invalid_ip", "Enter an IPv4 or IPv6 address.")
            ip = None
    elif require_ip and "user_ip" not in errors:
        errors["user_ip"] = _error("required", "This field is required.")
    info = ClientInfo(
        user_ip=ip,
        user_agent=_bounded(payload, "user_agent", MAX_USER_AGENT, errors),
        referrer=_bounded(payload, "referrer", MAX_URL, errors),
        permalink=_url(payload, "permalink", errors),
    )
    return info, errors
