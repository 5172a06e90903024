"""``moderato threads set``: close, reopen or give one article's comments their own mode."""

from __future__ import annotations

import click

from service.cli.common import app_session, site_named


@click.group("threads")
def threads_group() -> None:
    """One article's comments: close them, reopen them, or moderate them in their own mode."""


@threads_group.command("set")
@click.option("--site", "slug", default="default", show_default=True, help="the site's slug")
@click.option("--thread", "key", required=True, help="the thread, as the embed names it")
@click.option(
    "--comments",
    type=click.Choice(["closed", "open", "site"]),
    default=None,
    help="closed, open (even past the site's closing age) or the site's rule",
)
@click.option("--message", default=None, help="shown to readers under a closed thread")
@click.option(
    "--mode", type=click.Choice(["pre", "post", "auto", "site"]), default=None,
    help="this thread's moderation mode, or the site's",
)  # fmt: skip
def threads_set(
    slug: str, key: str, comments: str | None, message: str | None, mode: str | None
) -> None:
    """Change a thread's settings and print them."""
    from service import threads
    from service.errors import ValidationFailed
    from service.validation import thread_error

    key = key.strip()
    if problem := thread_error(key):
        raise click.ClickException(f"--thread: {problem['message']}")
    given: dict[str, object] = {}
    if comments is not None:
        given["closed"] = {"closed": True, "open": False, "site": None}[comments]
    if message is not None:
        given["message"] = message
    if mode is not None:
        given["mode"] = None if mode == "site" else mode
    with app_session() as session:
        site = site_named(session, slug)
        try:
            settings = threads.validate_settings(given)
        except ValidationFailed as exc:
            raise click.ClickException(
                "; ".join(f"--{k}: {v['message']}" for k, v in (exc.fields or {}).items())
            ) from exc
        now = threads.update(session, site, key, "cli", **settings)
    state = "closed" if now.closed else "open"
    why = f" ({now.closed_by})" if now.closed_by else ""
    said = f", message {now.message!r}" if now.message else ""
    click.echo(f"{site.slug} {key}: comments {state}{why}{said}, mode {now.mode or 'of the site'}")
