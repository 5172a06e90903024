"""``moderato status``: what ``/metrics`` reports, for someone on the box."""

from __future__ import annotations

import dataclasses
import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="one JSON object, for scripts")
def status(as_json: bool) -> None:
    """Show the backlog, the queues, the live workers and the outboxes.

    Exits with status 1 when the database or Redis cannot be reached, or when comments
    wait with no live worker to decide them.
    """
    from service import create_app
    from service.extensions import db, redis_conn
    from service.masking import masked
    from service.ops.facts import gather

    app = create_app()
    with app.app_context():
        facts = gather(db(), redis_conn(), app.config["QUEUE_NAME"])
    stuck = bool(facts.comments.get("pending")) and facts.workers == 0
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(facts), sort_keys=True))
    else:
        redis_url = masked(str(app.config["REDIS_URL"]))
        database = masked(str(app.config["DATABASE_URL"]))

        def pairs(counts: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in counts.items())

        lines = [
            f"database   {'ok' if facts.database_up else 'UNREACHABLE'} ({database})",
            f"redis      {'ok' if facts.redis_up else 'UNREACHABLE'} ({redis_url})",
        ]
        if facts.redis_up:
            warn = "  <- comments wait and no worker runs" if stuck else ""
            lines.append(f"workers    {facts.workers} live{warn}")
            queues = "; ".join(
                f"{name} {facts.queued[name]} waiting, {facts.failed_jobs[name]} failed"
                for name in facts.queued
            )
            lines.append(f"queues     {queues}")
        if facts.database_up:
            oldest = f" (oldest pending {facts.oldest_pending_age:.0f} s old)"
            lines.append(f"comments   {pairs(facts.comments)}{oldest}")
            lines.append(f"webhooks   {pairs(facts.webhook_deliveries)}")
            lines.append(f"mails      {pairs(facts.mails)}")
        click.echo("\n".join(lines))
    if not (facts.database_up and facts.redis_up) or stuck:
        raise SystemExit(1)
