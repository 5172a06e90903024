"""The dashboard navigation: each page adds its entry, the base template renders them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request


@dataclass(frozen=True, slots=True)
class NavItem:
    """One link in the dashboard's top navigation."""

    label: str
    endpoint: str
    admin_only: bool = False
    order: int = 100
    #: Endpoints (or endpoint prefixes ending in ``*``) that highlight this entry.
    match: tuple[str, ...] = ()

    def is_current(self) -> bool:
        """Tell whether the page being shown belongs to this entry."""
        endpoint = request.endpoint or ""
        for pattern in (self.endpoint, *self.match):
            if endpoint == pattern or (pattern.endswith("*") and endpoint.startswith(pattern[:-1])):
                return True
        return False


_ITEMS: dict[str, NavItem] = {}


def add_nav_item(
    label: str,
    endpoint: str,
    *,
    admin_only: bool = False,
    order: int = 100,
    match: tuple[str, ...] = (),
) -> None:
    """Add (or replace) the navigation entry for ``endpoint``."""
    _ITEMS[endpoint] = NavItem(label, endpoint, admin_only, order, match)


def items_for(role: str | None) -> list[NavItem]:
    """Return the entries a user with ``role`` may see, in order."""
    if role is None:
        return []
    return sorted(
        (i for i in _ITEMS.values() if role == "admin" or not i.admin_only),
        key=lambda i: (i.order, i.label),
    )
