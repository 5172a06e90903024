"""Deliver webhooks from the outbox: claim, sign, POST, record, then retry or give up.

Policy, per attempt (one POST, ``WEBHOOK_TIMEOUT`` seconds, no redirects followed):

- 2xx: delivered; the endpoint's failure record is cleared.
- network error, timeout, 5xx, 429: retried after ``base * factor^(n-1)`` seconds
  (capped, with jitter), never sooner than the receiver's ``Retry-After``; after
  ``WEBHOOK_MAX_ATTEMPTS`` attempts the delivery is ``failed``.
- 410 Gone: ``failed``, and the endpoint is disabled (the receiver asked us to stop).
- any other status (3xx, 4xx): ``failed`` at once; retrying would not help. A 3xx's
  error names its (sanitised) ``Location``: redirects are never followed (SSRF).
- a URL that now resolves to a private address (SSRF guard): ``failed``.

An endpoint that keeps failing for ``WEBHOOK_DISABLE_AFTER`` seconds is disabled
with the reason recorded. A job first *claims* its delivery with a conditional
update that pushes ``next_attempt_at`` a lease ahead, so two jobs for one
delivery cannot both send it; a worker that dies mid-attempt leaves a pending
delivery whose lease runs out, and the sweep queues it again. Delivery is
therefore at least once: receivers de-duplicate on ``webhook-id``.

The modules: ``retry`` (the policy and what an answer means), ``sending`` (the signed
POST, its time limit, the HTTP client), ``records`` (claim, pause and record an attempt,
the endpoint's failure streak), ``delivery`` (one attempt, and the RQ job).
"""

from __future__ import annotations

# RQ jobs are enqueued, and stored in Redis, by this dotted name: ``worker.webhooks.deliver``
# (``service/enqueue.py``); jobs queued before this package was split name it too.
from worker.webhooks.delivery import deliver

__all__ = ["deliver"]
