"""``moderato keys …``: a site's API keys, from the command line.

The same operations as the admin pages, for scripts and for installations without the
dashboard. A key is printed once: only its hash is stored.
"""

from __future__ import annotations

import json
from datetime import timedelta

import click

from service.cli.common import app_session, audit, site_named
from service.clock import rfc3339, utcnow

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
    type=click.Choice(["submit", "read", "moderate", "privacy"]),
    help="repeat for several (default: submit, read and moderate; privacy only when named)",
)
@EXPIRES_OPTION
@click.option("--json", "as_json", is_flag=True)
def keys_create(
    slug: str, name: str, scopes: tuple[str, ...], expires_in_days: int | None, as_json: bool
) -> None:
    """Create a key; print it once (only its hash is stored)."""
    from service import sites

    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    chosen = list(scopes or sites.DEFAULT_SCOPES)
    with app_session() as session:
        site = site_named(session, slug)
        token = sites.add_key(session, site, name=name, scopes=chosen, expires_at=expires)
        audit(session, site.id, "key_created", name=name, scopes=chosen, prefix=token[4:16])
    if as_json:
        click.echo(
            json.dumps(
                {
                    "site": slug,
                    "api_key": token,
                    "scopes": chosen,
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
    with app_session() as session:
        for key in sites.keys_of(session, site_named(session, slug)):
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

    with app_session() as session:
        site = site_named(session, slug)
        if not sites.revoke_key(session, site, prefix):
            raise click.ClickException(f"no active key {prefix!r} on {slug!r}")
        audit(session, site.id, "key_revoked", prefix=prefix)
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
    with app_session() as session:
        site = site_named(session, slug)
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
        audit(session, site.id, "key_rolled", prefix=prefix, new_prefix=rolled.prefix,
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
    with app_session() as session:
        site = site_named(session, slug)
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
    with app_session() as session:
        site = site_named(session, slug)
        site.settings = {**(site.settings or {}), "perspective_store": mode == "on"}
    click.echo(f"{slug}: perspective_store {mode}")
