"""``moderato keys …`` and ``moderato webhooks …``: the integrations from the command line.

The same operations as the admin pages, for scripts and for installations
without the dashboard. Secrets (keys, signing secrets) are printed once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from sqlalchemy.orm import Session

from service.clock import rfc3339, utcnow


@contextmanager
def _session() -> Iterator[Session]:
    from service import create_app
    from service.extensions import db

    app = create_app()
    with app.app_context(), db().session() as session:
        yield session


def _site(session: Session, slug: str) -> Any:
    from service import sites

    site = sites.by_slug(session, slug)
    if site is None:
        raise click.ClickException(f"there is no site {slug!r}")
    return site


def _audit(session: Session, site_id: int, action: str, **details: Any) -> None:
    """Write a site-level audit entry for a change made on the command line."""
    from service.integrations.admin.forms import audit

    audit(session, site_id, action, actor="cli", **details)


def _endpoint(session: Session, endpoint_id: int) -> Any:
    from service.store.tables import WebhookEndpoint

    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise click.ClickException(f"there is no webhook endpoint {endpoint_id}")
    return endpoint


#: ``keys create`` and ``keys roll``: when the (new) key stops working.
EXPIRES_OPTION = click.option(
    "--expires-in-days",
    type=click.IntRange(min=1, max=3650),
    default=None,
    help="the new key stops working after this many days (default: when revoked)",
)


@click.group()
def keys() -> None:
    """A site's API keys: create (shown once), list, revoke, rate limit."""


@keys.command("create")
@click.option("--site", "slug", required=True)
@click.option("--name", default="key", show_default=True)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["submit", "read", "moderate"]),
    help="repeat for several (default: all three)",
)
@EXPIRES_OPTION
@click.option("--json", "as_json", is_flag=True)
def keys_create(
    slug: str, name: str, scopes: tuple[str, ...], expires_in_days: int | None, as_json: bool
) -> None:
    """Create a key; print it once (only its hash is stored)."""
    from service import sites

    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    with _session() as session:
        site = _site(session, slug)
        token = sites.add_key(
            session, site, name=name, scopes=scopes or sites.SCOPES, expires_at=expires
        )
        _audit(session, site.id, "key_created", name=name, scopes=list(scopes or sites.SCOPES),
               prefix=token[4:16])  # fmt: skip
    if as_json:
        click.echo(
            json.dumps(
                {
                    "site": slug,
                    "api_key": token,
                    "scopes": list(scopes or sites.SCOPES),
                    "expires_at": rfc3339(expires),
                }
            )
        )
    else:
        click.echo(f"api key: {token}")
        click.echo("Keep the key now: only its hash is stored, it cannot be shown again.")


@keys.command("list")
@click.option("--site", "slug", required=True)
def keys_list(slug: str) -> None:
    """List a site's keys: prefix, name, scopes, last use, revocation."""
    from service import sites

    now = utcnow()
    with _session() as session:
        for key in sites.keys_of(session, _site(session, slug)):
            if key.revoked_at is not None:
                state = f"revoked {rfc3339(key.revoked_at)}"
            elif key.expires_at is None:
                state = "active"
            elif key.active(now):
                state = f"active until {rfc3339(key.expires_at)}"
            else:
                state = f"expired {rfc3339(key.expires_at)}"
            used = rfc3339(key.last_used_at) or "never used"
            click.echo(f"{key.prefix}  {key.name!r}  {','.join(key.scopes)}  {used}  {state}")


@keys.command("revoke")
@click.option("--site", "slug", required=True)
@click.argument("prefix")
def keys_revoke(slug: str, prefix: str) -> None:
    """Revoke the key whose prefix is PREFIX (the 12 characters after ``mod_``)."""
    from service import sites

    with _session() as session:
        site = _site(session, slug)
        if not sites.revoke_key(session, site, prefix):
            raise click.ClickException(f"no active key {prefix!r} on {slug!r}")
        _audit(session, site.id, "key_revoked", prefix=prefix)
    click.echo(f"revoked {prefix}")


@keys.command("roll")
@click.option("--site", "slug", required=True)
@click.option(
    "--grace-hours",
    type=click.FloatRange(min=0, max=30 * 24),
    default=24,
    show_default=True,
    help="how long the old key keeps working beside the new one",
)
@EXPIRES_OPTION
@click.option("--json", "as_json", is_flag=True)
@click.argument("prefix")
def keys_roll(
    slug: str, grace_hours: float, expires_in_days: int | None, as_json: bool, prefix: str
) -> None:
    """Replace key PREFIX by a new one with its name and scopes; print the new key once.

    The old key keeps working for --grace-hours, so servers can switch without a failed
    request; revoke it sooner with `keys revoke` once they have.
    """
    from service import sites

    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    with _session() as session:
        site = _site(session, slug)
        try:
            rolled = sites.roll_key(session, site, prefix, timedelta(hours=grace_hours), expires)
        except sites.AlreadyRolled as exc:
            raise click.ClickException(
                f"key {prefix!r} was already rolled to {exc.successor!r}; it works until "
                f"{rfc3339(exc.ends)}. Roll {exc.successor!r}, or revoke {prefix!r} to end "
                "it sooner."
            ) from exc
        if rolled is None:
            raise click.ClickException(f"no active key {prefix!r} on {slug!r}")
        _audit(session, site.id, "key_rolled", prefix=prefix, new_prefix=rolled.prefix,
               hours=grace_hours)  # fmt: skip
    ends = rfc3339(rolled.old_key_ends)
    if as_json:
        answer = {"site": slug, "api_key": rolled.token, "replaces": prefix, "old_key_ends": ends}
        click.echo(json.dumps({**answer, "expires_at": rfc3339(expires)}))
    else:
        click.echo(f"api key: {rolled.token}")
        click.echo(
            f"The old key {prefix} works until {ends}. "
            "Keep the new key now: it cannot be shown again."
        )


@keys.command("limit")
@click.option("--site", "slug", required=True)
@click.option("--per-minute", type=click.FloatRange(min=0.001), required=True)
@click.option("--burst", type=click.IntRange(min=1), required=True)
def keys_limit(slug: str, per_minute: float, burst: int) -> None:
    """Set the rate limit of each of a site's keys."""
    with _session() as session:
        site = _site(session, slug)
        site.settings = {
            **(site.settings or {}),
            "rate_limit": {"per_minute": per_minute, "burst": burst},
        }
    click.echo(f"{slug}: {per_minute:g} requests a minute per key, bursts of {burst}")


@keys.command("perspective-store")
@click.option("--site", "slug", required=True)
@click.argument("mode", type=click.Choice(["on", "off"]))
def keys_perspective_store(slug: str, mode: str) -> None:
    """Keep (on) or never keep (off) texts sent to the Perspective-compatible API."""
    with _session() as session:
        site = _site(session, slug)
        site.settings = {**(site.settings or {}), "perspective_store": mode == "on"}
    click.echo(f"{slug}: perspective_store {mode}")


@click.group()
def webhooks() -> None:
    """A site's webhook endpoints and their delivery log."""


@webhooks.command("add")
@click.option("--site", "slug", required=True)
@click.option("--url", required=True)
@click.option("--event", "events", multiple=True, help="repeat; default: every event")
@click.option("--json", "as_json", is_flag=True)
def webhooks_add(slug: str, url: str, events: tuple[str, ...], as_json: bool) -> None:
    """Subscribe a URL and print its secret (public addresses only, unless
    MODERATO_WEBHOOKS_ALLOW_PRIVATE=true)."""
    from flask import current_app

    from service.events import EVENT_TYPES
    from service.integrations.webhooks import EndpointError, create_endpoint

    with _session() as session:
        try:
            new = create_endpoint(
                session,
                _site(session, slug),
                url,
                events or EVENT_TYPES,
                allow_private=bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]),
            )
        except EndpointError as exc:
            raise click.ClickException(f"{exc.field}: {exc}") from exc
        out = {
            "id": new.endpoint.id,
            "url": url,
            "events": new.endpoint.events,
            "secret": new.secret,
        }
    if as_json:
        click.echo(json.dumps(out))
    else:
        click.echo(f"endpoint {out['id']}: {url}\nevents:  {', '.join(new.endpoint.events)}")
        click.echo(f"secret:  {new.secret}  (verify the webhook-signature header with it)")


@webhooks.command("list")
@click.option("--site", "slug", required=True)
def webhooks_list(slug: str) -> None:
    """List a site's endpoints; disabled ones say why."""
    from service.integrations.webhooks import endpoints_of

    with _session() as session:
        for e in endpoints_of(session, _site(session, slug)):
            state = "enabled" if e.enabled else f"DISABLED: {e.disabled_reason}"
            failing = f", failing since {rfc3339(e.failing_since)}" if e.failing_since else ""
            click.echo(f"{e.id}  {e.url}  [{', '.join(e.events)}]  {state}{failing}")


@webhooks.command("rotate")
@click.argument("endpoint_id", type=int)
def webhooks_rotate(endpoint_id: int) -> None:
    """Give an endpoint a new secret; the old one also signs during the overlap."""
    from flask import current_app

    from service.integrations.webhooks import rotate_secret

    with _session() as session:
        overlap = float(current_app.config["WEBHOOK_SECRET_OVERLAP"])
        secret = rotate_secret(session, _endpoint(session, endpoint_id), overlap)
    click.echo(f"new secret: {secret}\nthe previous secret signs too for {overlap:g} s")


@webhooks.command("enable")
@click.argument("endpoint_id", type=int)
def webhooks_enable(endpoint_id: int) -> None:
    """Deliver to a disabled endpoint again."""
    from service import create_app
    from service.extensions import db, queue
    from service.integrations.webhooks import enable

    app = create_app()
    with app.app_context():
        with db().session() as session:
            resumed = enable(session, _endpoint(session, endpoint_id))
        queued = queue().enqueue_deliveries(resumed) if resumed else True
    held = f"; {len(resumed)} delivery(ies) held while it was off are queued" if resumed else ""
    click.echo(f"endpoint {endpoint_id} enabled{held}")
    if not queued:
        click.echo("Redis did not answer: a running worker's sweep sends them")


@webhooks.command("disable")
@click.argument("endpoint_id", type=int)
def webhooks_disable(endpoint_id: int) -> None:
    """Stop delivering to an endpoint."""
    from service.integrations.webhooks import disable

    with _session() as session:
        disable(_endpoint(session, endpoint_id), "disabled by an admin")
    click.echo(f"endpoint {endpoint_id} disabled")


@webhooks.command("deliveries")
@click.argument("endpoint_id", type=int)
@click.option("--limit", default=20, show_default=True)
def webhooks_deliveries(endpoint_id: int, limit: int) -> None:
    """Show an endpoint's delivery log: status, attempts, response code, latency."""
    from service.integrations.webhooks import deliveries_of

    with _session() as session:
        for d in deliveries_of(session, _endpoint(session, endpoint_id), limit):
            code = d.last_status_code or "-"
            latency = f"{d.last_latency_ms:.0f} ms" if d.last_latency_ms is not None else "-"
            error = f"  {d.last_error}" if d.last_error else ""
            click.echo(
                f"{d.id}  {d.event_type}  {d.status}  attempts={d.attempts}  {code}  ", nl=False
            )
            click.echo(f"{latency}{error}")


@webhooks.command("redeliver")
@click.argument("delivery_id", required=False)
@click.option(
    "--failed-of",
    "endpoint_id",
    type=int,
    default=None,
    help="instead of one delivery: every failed delivery of this endpoint",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="with --failed-of: only deliveries created since then (UTC)",
)
def webhooks_redeliver(
    delivery_id: str | None, endpoint_id: int | None, since: datetime | None
) -> None:
    """Send a delivery again, or with --failed-of every failed delivery of an endpoint
    (after a receiver's outage), oldest first; queued for the worker."""
    from service import create_app
    from service.extensions import db, queue
    from service.integrations.webhooks import MAX_BULK_REDELIVER, redeliver, redeliver_failed

    if (delivery_id is None) == (endpoint_id is None):
        raise click.UsageError("give a DELIVERY_ID or --failed-of ENDPOINT_ID")
    if since is not None and endpoint_id is None:
        raise click.UsageError("--since goes with --failed-of")
    app = create_app()
    with app.app_context():
        with db().session() as session:
            disabled = False
            if endpoint_id is not None:
                endpoint = _endpoint(session, endpoint_id)
                after = since.replace(tzinfo=UTC) if since is not None else None
                ids = redeliver_failed(session, endpoint, after)
                disabled = not endpoint.enabled
                _audit(session, endpoint.site_id, "webhook_redelivered",
                       endpoint_id=endpoint_id, count=len(ids))  # fmt: skip
            elif redeliver(session, delivery_id or "") is None:
                raise click.ClickException(f"there is no delivery {delivery_id!r}")
            else:
                ids = [delivery_id or ""]
        queued = queue().enqueue_deliveries(ids) if ids else True
    what = f"delivery {delivery_id}" if delivery_id else f"{len(ids)} failed delivery(ies)"
    if delivery_id is None and len(ids) >= MAX_BULK_REDELIVER:
        what += " (more remain failed: run it again)"
    if queued and disabled and ids:  # as the admin page says (found in review)
        click.echo(f"{what} queued, but endpoint {endpoint_id} is disabled: they wait, paused, "
                   f"until `moderato webhooks enable {endpoint_id}`")  # fmt: skip
    elif queued:
        click.echo(f"{what} queued")
    else:
        # It is marked due in the database, so it is not lost: the sweep sends it.
        wait = int(app.config["SWEEP_AGE"]) + int(app.config["SWEEP_INTERVAL"])
        click.echo(
            f"{what} marked for redelivery, but Redis at "
            f"{app.config['REDIS_URL']} did not answer: a running worker's sweep sends it "
            f"within about {wait} s (set REDIS_URL to queue it at once)"
        )


def register(main: click.Group) -> None:
    """Attach ``keys`` and ``webhooks`` to the ``moderato`` command."""
    main.add_command(keys)
    main.add_command(webhooks)
