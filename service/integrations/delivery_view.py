"""How a delivery reads in its log (``webhooks deliveries``, ``ping``, the admin page).

The "endpoint is disabled" note comes from the row's status, so every ``paused`` row
says it: a row paused by the worker used to carry it in ``last_error``, but one written
paused (an event while the endpoint was already off, ``service.events.record``) had
none, and a row resumed by ``enable`` kept it while pending again (found in review).
"""

from __future__ import annotations

from service.store.tables import WebhookDelivery

PAUSED_NOTE = "the endpoint is disabled: sent when it is enabled again"


def last_error(delivery: WebhookDelivery) -> str:
    """Return the delivery's last error without the old stored paused note ('' if none)."""
    error = delivery.last_error or ""
    return "" if error == PAUSED_NOTE else error


def note(delivery: WebhookDelivery) -> str:
    """Return the error/note column: the paused note for every paused row, then the error."""
    parts = [PAUSED_NOTE] if delivery.status == "paused" else []
    if last_error(delivery):
        parts.append(("last: " if parts else "") + last_error(delivery))
    return "; ".join(parts)


def line(delivery: WebhookDelivery) -> str:
    """Return one log line: id, event, status, attempts, response code, latency, note."""
    code = delivery.last_status_code or "-"
    latency = f"{delivery.last_latency_ms:.0f} ms" if delivery.last_latency_ms is not None else "-"
    text = note(delivery)
    return (
        f"{delivery.id}  {delivery.event_type}  {delivery.status}  "
        f"attempts={delivery.attempts}  {code}  {latency}" + (f"  {text}" if text else "")
    )
