"""The OpenAPI description of the reply-notification pages: the links of our mails.

They answer HTML pages (a reader follows them from a mail), not JSON; the one-click
unsubscribe is the ``POST`` a mail client makes to ``List-Unsubscribe`` (RFC 8058).
"""

from __future__ import annotations

from typing import Any

from service.integrations.openapi.common import Schema

TAG = "Reply notifications"
HTML = {"text/html": {"schema": {"type": "string"}}}
TOKEN = {
    "name": "token",
    "in": "query",
    "description": "The signed token of the mail's link.",
    "schema": {"type": "string"},
}


def form(one_click: bool) -> dict[str, Any]:
    """Return the optional form body of a page's POST (unsubscribe: RFC 8058's field too)."""
    fields: dict[str, Any] = {"token": {"type": "string", "description": "Instead of the query's."}}
    if one_click:
        fields["List-Unsubscribe"] = {"const": "One-Click"}
    schema = {"type": "object", "properties": fields}
    return {
        "required": False,
        "content": {"application/x-www-form-urlencoded": {"schema": schema}},
    }


ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
BAD = {
    "400": {
        "description": "Not one of our links, or altered: a page says so (a client that "
        "does not ask for HTML gets the JSON error, code `invalid_link`).",
        "content": {**HTML, **ERROR},
    }
}


def page(description: str) -> Schema:
    """Return a response that is one of our HTML pages."""
    return {"description": description, "content": HTML}


def paths() -> dict[str, Any]:
    """Return the paths of the confirm and unsubscribe pages."""
    expired = {
        "description": "The confirmation link expired, or a newer one replaced it (JSON: "
        "code `link_expired`).",
        "content": {**HTML, **ERROR},
    }
    return {
        "/mail/confirm": {
            "get": {
                "tags": [TAG],
                "operationId": "confirmPage",
                "summary": "Ask to confirm reply notifications (changes nothing)",
                "parameters": [TOKEN],
                "responses": {"200": page("The question and its button."), **BAD, "410": expired},
            },
            "post": {
                "tags": [TAG],
                "operationId": "confirmNotifications",
                "summary": "Confirm reply notifications (double opt-in)",
                "parameters": [TOKEN],
                "requestBody": form(one_click=False),
                "responses": {"200": page("Confirmed (or already)."), **BAD, "410": expired},
            },
        },
        "/mail/unsubscribe": {
            "get": {
                "tags": [TAG],
                "operationId": "unsubscribePage",
                "summary": "Ask to stop reply notifications (changes nothing)",
                "parameters": [TOKEN],
                "responses": {"200": page("The question and its button."), **BAD},
            },
            "post": {
                "tags": [TAG],
                "operationId": "unsubscribe",
                "summary": "Stop every reply notification of the address on the site",
                "description": "RFC 8058's one-click target: a mail client posts "
                "`List-Unsubscribe=One-Click` to the mail's `List-Unsubscribe` URL. Repeating "
                "it changes nothing; the link acts only on the subscription of the address "
                "it was mailed to.",
                "parameters": [TOKEN],
                "requestBody": form(one_click=True),
                "responses": {"200": page("Unsubscribed."), **BAD},
            },
        },
    }
