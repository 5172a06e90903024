"""The sweep: find accepted work whose job was lost, and queue it again.

Runs in a thread of every worker process; a Redis lock lets one worker sweep
per interval. The same thread moves RQ's scheduled retries to the queue when
they fall due (RQ's own scheduler would fork a child process that outlives a
killed worker). A comment is re-queued when it has waited ``SWEEP_AGE`` seconds
since it was last queued and its job is not waiting in the queue (it was never
queued because Redis was down, or its worker died holding it, or Redis lost
it). Each
re-queue of a job that had started and vanished counts as an attempt; after
``CLASSIFY_MAX_ATTEMPTS`` the comment is held with ``classifier_error``, so a
comment that crashes workers cannot loop for ever, and is never published unseen.
A job started moments ago (a classification within ``CLASSIFY_RUNS_FOR`` seconds, a
delivery within its time limit) is being run, not lost, and is left alone.

Webhook deliveries and mails get the same care: a pending delivery (or mail) overdue
by ``SWEEP_AGE`` seconds whose job is neither waiting nor scheduled is queued again
(the job's claim makes a duplicate harmless); a re-queue of a job that crashed (it
raised, or its worker died mid-run) counts a crash on the row, and the
``OUTBOX_MAX_CRASHES``th fails it instead, so a job that crashes every time cannot resend
one delivery for ever. Expired check records of
the Akismet-compatible API, and idempotency keys older than a day, are purged here too.

The modules: ``loop`` (the thread, the lock, one sweep's phases), ``comments`` (lost
classifications), ``outbound`` (lost webhook deliveries and mails), ``crashes`` (their
jobs' crashes, and the cap), ``paging`` (reading the rows page by page within the sweep's
time), ``job_status`` (what RQ says of a job, and whether it is being run now), ``purge``
(expired check records, old idempotency keys).
"""
