"""``moderato sites …``: sites, their origins and moderation mode (``sites policy``:
``policy.py``)."""

from __future__ import annotations

import json

import click

from service.cli.common import app_session, site_named
from service.cli.policy import policy


@click.group()
def sites() -> None:
    """Sites and their API keys."""


@sites.command("create")
@click.option("--name", required=True)
@click.option(
    "--origin", "origins", multiple=True, help="an allowed origin, e.g. https://news.example"
)
@click.option("--slug", default=None)
@click.option(
    "--mode", type=click.Choice(["auto", "pre", "post"]), default="auto", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="print JSON for scripts")
def sites_create(
    name: str, origins: tuple[str, ...], slug: str | None, mode: str, as_json: bool
) -> None:
    """Create a site; print its slug and its first API key (shown once)."""
    from service import sites as site_ops

    with app_session() as session:
        try:
            created = site_ops.create(session, name, origins, slug=slug, policy={"mode": mode})
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        site = created.site
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "slug": site.slug,
                        "name": site.name,
                        "origins": site.origins,
                        "api_key": created.api_key,
                    }
                )
            )
        else:
            click.echo(f"site:    {site.slug}")
            click.echo(f"api key: {created.api_key}")
            click.echo("Keep the key now: only its hash is stored, it cannot be shown again.")


@sites.command("list")
def sites_list() -> None:
    """List the sites: slug, name, moderation mode and allowed origins."""
    from sqlalchemy import select

    from service.store.tables import Site

    with app_session() as session:
        for site in session.scalars(select(Site).order_by(Site.slug)):
            mode = (site.policy or {}).get("mode", "auto")
            origins = " ".join(site.origins or []) or "(no origins: the embed cannot post)"
            click.echo(f"{site.slug}  {site.name!r}  mode={mode}  {origins}")


@sites.command("update")
@click.option("--site", "slug", required=True, help="the site's slug")
@click.option("--add-origin", "added", multiple=True, help="allow another origin (repeat)")
@click.option("--remove-origin", "removed", multiple=True, help="stop allowing an origin")
@click.option("--mode", type=click.Choice(["auto", "pre", "post"]), default=None)
@click.option(
    "--close-after-days",
    type=click.IntRange(0, 3650),
    default=None,
    help="close threads this many days after their first comment (0: never)",
)
def sites_update(
    slug: str,
    added: tuple[str, ...],
    removed: tuple[str, ...],
    mode: str | None,
    close_after_days: int | None,
) -> None:
    """Change a site's allowed origins or moderation mode (the embed keeps working)."""
    from service import site_policy as site_ops_policy
    from service import sites as site_ops

    with app_session() as session:
        site = site_named(session, slug)
        try:
            add = [site_ops.normalise_origin(o) for o in added]
            drop = {site_ops.normalise_origin(o) for o in removed}
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        missing = drop - set(site.origins or [])
        if missing:
            raise click.ClickException(f"not an origin of {slug}: {', '.join(sorted(missing))}")
        origins = [o for o in site.origins or [] if o not in drop]
        site.origins = origins + [o for o in add if o not in origins]
        if mode is not None:  # audited like every policy change (found in review)
            site_ops_policy.change(session, site, {**(site.policy or {}), "mode": mode}, "cli")
        if close_after_days is not None:
            site.settings = {**(site.settings or {}), "close_after_days": close_after_days or None}
        days = (site.settings or {}).get("close_after_days") or "never"
        click.echo(f"{site.slug}: mode={(site.policy or {}).get('mode', 'auto')} "
                   f"close_after_days={days} "
                   f"origins={' '.join(site.origins) or '(none)'}")  # fmt: skip


sites.add_command(policy)
