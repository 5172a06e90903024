"""What RQ says of a job the sweep looks at, and whether a started one is being run now."""

from __future__ import annotations

from datetime import UTC, timedelta

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from service.clock import utcnow

#: Not an RQ status: a started job still inside its time limit (see ``job_status``).
RUNNING = "running"
RUNNING_GRACE = 30  # seconds past a job's timeout before its worker is presumed dead
DEFAULT_TIMEOUT = 180  # RQ's default job timeout
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, RUNNING}
ABANDONED = {JobStatus.STARTED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def job_status(
    connection: Redis, job_id: str, runs_for: float | None = None
) -> JobStatus | str | None:
    """Return the status of an RQ job, or None if Redis does not know it.

    A job started less than ``runs_for`` seconds ago (default: its time limit plus a
    grace) is reported as ``RUNNING``, not started: under a backlog longer than
    ``SWEEP_AGE`` the job a worker is running right now is not abandoned, and re-queueing
    it would count a false attempt. A worker killed mid-job cannot say so (RQ's worker
    key outlives it by minutes), so the window is all there is to tell them apart.
    """
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        limit = timedelta(
            seconds=runs_for
            if runs_for is not None
            else (job.timeout or DEFAULT_TIMEOUT) + RUNNING_GRACE
        )
        if utcnow() - started < limit:
            return RUNNING
    return status
