"""Small helpers for tests: polling for an outcome."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05) -> T:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def outbox_bodies(db: Any) -> list[dict[str, Any]]:
    """Return the JSON body of every webhook outbox row, oldest first."""
    from sqlalchemy import select

    from service.store.tables import WebhookDelivery

    with db.session() as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
        return [json.loads(row.payload) for row in rows]


def assert_documented_webhook(client: Any, event: dict[str, Any]) -> None:
    """Fail unless ``event`` validates against /openapi.json's WebhookEvent schema and
    every field of its ``data`` is documented there."""
    import jsonschema

    doc = client.get("/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/WebhookEvent", "components": doc["components"]}
    jsonschema.validate(event, schema, cls=jsonschema.Draft202012Validator)
    documented = set(doc["components"]["schemas"]["WebhookComment"]["properties"])
    assert set(event["data"]) <= documented, set(event["data"]) - documented
