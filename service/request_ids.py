"""Request ids: one id per request, from the caller or made here, followed through the logs.

A request's id is its ``X-Request-Id`` header when that is safe to repeat (1 to 128
characters of ``A-Z a-z 0-9 . _ : + / = @ -``; a proxy's or a load balancer's, a UUID, a
trace id), else a new one (32 hex digits): a longer value, spaces, quotes, commas (two
headers folded into one) or control characters would break a log line or forge one.

- ``RequestIds`` (WSGI middleware, the outermost layer) settles the id before anything
  else runs and puts it on every answer, errors and redirects included.
- ``LogFilter`` appends `` request_id=<id>`` to moderato's log lines written while a
  request is handled or a job runs; gunicorn's access log line ends with it
  (``runner.ACCESS_LOG_FORMAT``).
- ``service.enqueue`` stores it in each job's ``meta`` (``META_KEY``), so the worker's
  lines about that comment carry it, and so do the jobs a job queues in turn (a
  publish's webhook deliveries and mails).
- The comment's audit entry of its submission (``received``), or of its author's edit
  (``edited``), keeps it in its details (``META_KEY``), so a classification the sweep
  queues again, its first job lost, carries the id of the request that wrote the text
  (``bound``); a comment without one (stored before ids were kept) gets a new id marked
  as the sweep's, ``sweep-<32 hex digits>``, and the sweep's line links the two.
  Webhook deliveries and mails the sweep queues again have none.

An id is for matching lines, not for trust: any client may send any safe value.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import has_request_context, request

HEADER = "X-Request-Id"
#: Where the middleware leaves the id in the WSGI environ.
ENVIRON_KEY = "moderato.request_id"
#: The key of an RQ job's ``meta`` holding the id of the request that queued it.
META_KEY = "request_id"
MAX_LENGTH = 128
_SAFE = re.compile(rf"[A-Za-z0-9._:+/=@-]{{1,{MAX_LENGTH}}}")
#: The id work done outside a request and a job is done for (``bound``).
_BOUND: ContextVar[str | None] = ContextVar("moderato_request_id", default=None)


def sanitise(value: str | None) -> str | None:
    """Return ``value`` when it is a safe id to repeat in headers and logs, else None."""
    if value is None or not _SAFE.fullmatch(value):
        return None
    return value


def new(origin: str | None = None) -> str:
    """Return a fresh request id; with ``origin``, marked as made there (``sweep-<hex>``)."""
    made = uuid.uuid4().hex
    return f"{origin}-{made}" if origin else made


@contextmanager
def bound(rid: str) -> Iterator[None]:
    """Do what runs inside for request ``rid``, outside a request and a job: its log
    lines end with ``request_id=<rid>`` and the jobs it queues carry it (the sweep)."""
    token = _BOUND.set(rid)
    try:
        yield
    finally:
        _BOUND.reset(token)


def current() -> str | None:
    """Return the id of the request being handled, of the work ``bound`` to one, or of the
    job being run, if any."""
    if has_request_context():
        found: str | None = request.environ.get(ENVIRON_KEY)
        return found
    if (rid := _BOUND.get()) is not None:
        return rid
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        return None
    return sanitise(job.meta.get(META_KEY))


def job_meta() -> dict[str, str] | None:
    """Return the ``meta`` a job queued now should carry: the current id, if any."""
    rid = current()
    return {META_KEY: rid} if rid else None


def audit_details() -> dict[str, str]:
    """Return what the audit entry of a comment's submission or edit keeps of the current
    request: its id, for the sweep to queue the comment again under (empty without one)."""
    return job_meta() or {}


StartResponse = Callable[..., Any]


class RequestIds:
    """WSGI middleware: settle each request's id and answer it in ``X-Request-Id``."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        rid = sanitise(environ.get("HTTP_X_REQUEST_ID")) or new()
        environ[ENVIRON_KEY] = rid

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            return start_response(status, [*kept, (HEADER, rid)], exc_info)

        return self.app(environ, start)


#: moderato's log line; ``request_id_field`` is `` request_id=<id>`` inside a request or a
#: job that has one, else empty.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(request_id_field)s"


class LogFilter(logging.Filter):
    """Give each record ``request_id`` (or ``-``) and ``request_id_field`` for the format."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = current()
        record.request_id = rid or "-"
        record.request_id_field = f" request_id={rid}" if rid else ""
        return True
