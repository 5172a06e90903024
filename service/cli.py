"""The ``moderato`` command. Subcommands that need no app or database never open one."""

from __future__ import annotations

import json
import sys
import traceback
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from service.store.tables import Site


class _Main(click.Group):
    """The command group; an operator's mistake (a setting, an unreachable or unparsable
    database URL) is one line on stderr and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = _operator_error(exc)
            if message is None:
                raise
            raise click.ClickException(message) from None


def _operator_error(exc: BaseException) -> str | None:
    """Return the one-line message for an error the operator must fix, else None."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from service.config import ConfigError

    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, NoSuchModuleError) or (
        isinstance(exc, ModuleNotFoundError)
        and "sqlalchemy/dialects" in "".join(traceback.format_tb(exc.__traceback__))
    ):
        return (
            f"DATABASE_URL needs a database driver moderato does not ship ({exc}); use "
            "sqlite:///… or postgresql+psycopg://…"
        )
    if isinstance(exc, ArgumentError):
        return f"DATABASE_URL is not a database URL SQLAlchemy can read ({exc})"
    if isinstance(exc, OperationalError):
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return f"cannot use the database: {reason}"
    return None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """moderato: self-hosted comment moderation."""


@main.command()
@click.option("--port", type=int, envvar="PORT", default=8000, show_default=True)
@click.option("--web-workers", type=int, default=2, show_default=True)
def run(port: int, web_workers: int) -> None:
    """Run everything: migrations, embedded Redis (if REDIS_URL is unset), worker and web."""
    from service.runner import run_all

    sys.exit(run_all(port=port, web_workers=web_workers))


@main.command()
@click.option("--port", type=int, envvar="PORT", default=8000, show_default=True)
@click.option("--bind", default=None, help="host:port (default 127.0.0.1:PORT)")
@click.option("--workers", type=int, default=2, show_default=True)
def web(port: int, bind: str | None, workers: int) -> None:
    """Run the web server (gunicorn)."""
    import os

    from service.runner import gunicorn_argv

    argv = gunicorn_argv(bind or f"127.0.0.1:{port}", workers)
    os.execvp(argv[0], argv)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def worker(args: tuple[str, ...]) -> None:
    """Run a classifier worker (see ``moderato worker -- --help``)."""
    from worker.__main__ import main as worker_main

    sys.exit(worker_main(list(args)))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and create the ``default`` site."""
    from service.runner import prepare_database

    url = prepare_database()
    click.echo(f"database ready: {url.split('@')[-1]}")


@db.command("current")
def db_current() -> None:
    """Print the database's schema revision and this code's."""
    from service import create_app
    from service.store import Database
    from service.store.migrate import head, newer_than_code

    database = Database(create_app().config["DATABASE_URL"])
    version = database.schema_version()
    database.dispose()
    note = " (newer than this code)" if newer_than_code(version) else ""
    click.echo(f"database: {version or 'empty'}{note}\ncode:     {head()}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION (``moderato db current`` on the older release
    prints its own); run it with this release before rolling the code back."""
    from service import create_app
    from service.store.migrate import downgrade, known

    if not known(revision):
        raise click.ClickException(f"{revision!r} is not a revision of this release")
    url = create_app().config["DATABASE_URL"]
    downgrade(url, revision)
    click.echo(f"database at {revision}")


@main.group()
def users() -> None:
    """Moderator accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["admin", "moderator"]), required=True)
@click.option("--site", "site_slugs", multiple=True, help="a site a moderator may moderate")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_create(email: str, role: str, site_slugs: tuple[str, ...], password_stdin: bool) -> None:
    """Create a moderator or admin account."""
    from service import create_app, users
    from service.extensions import db as database

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = create_app()
    with app.app_context(), database().session() as session:
        try:
            user = users.create(session, email, password, role, site_slugs)
        except users.UserError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"created {user.role} {user.email}")


@users.command("setup-link")
@click.option(
    "--base-url", default=None, help="where the dashboard is served (default http://127.0.0.1:PORT)"
)
def users_setup_link(base_url: str | None) -> None:
    """Print a fresh one-time link to create the first admin (only while no account exists)."""
    import os

    from service import create_app
    from service import users as user_ops
    from service.extensions import db as database
    from service.moderation.first_admin import setup_url

    app = create_app()
    with app.app_context(), database().session() as session:
        if user_ops.count(session):
            raise click.ClickException("accounts exist already: log in, or ask an admin")
    base = base_url or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    click.echo(setup_url(base, app.config["SECRET_KEY"]))


@main.group()
def comments() -> None:
    """Commenters' data: export or erase everything kept about an e-mail address."""


def _site_or_all(session: Session, slug: str | None) -> Site | None:
    from service import sites as site_ops

    if slug is None:
        return None
    site = site_ops.by_slug(session, slug)
    if site is None:
        raise click.ClickException(f"there is no site {slug!r}")
    return site


@comments.command("export")
@click.option("--email", required=True, help="the address the commenter typed")
@click.option("--site", "slug", default=None, help="one site only (default: every site)")
def comments_export(email: str, slug: str | None) -> None:
    """Print, as JSON, every comment and check record sent with this e-mail address."""
    from service import create_app, privacy
    from service.extensions import db as database

    with create_app().app_context(), database().session() as session:
        try:
            found = privacy.export(session, email, _site_or_all(session, slug))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        privacy.audit_export(session, found, "cli")
    click.echo(json.dumps(found, indent=2, ensure_ascii=False))


@comments.command("erase")
@click.option("--email", required=True, help="the address the commenter typed")
@click.option("--site", "slug", default=None, help="one site only (default: every site)")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def comments_erase(email: str, slug: str | None, yes: bool) -> None:
    """Take down every comment sent with this address and erase its author and text."""
    from service import create_app, privacy
    from service.extensions import db as database
    from service.extensions import queue

    app = create_app()
    with app.app_context():
        with database().session() as session:
            site = _site_or_all(session, slug)
            try:
                found = privacy.export(session, email, site)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        count, checks = len(found["comments"]), len(found["checks"])
        subs = len(found["reply_notifications"])
        if not count and not checks and not subs:
            click.echo(f"no comments, check records or subscriptions of {found['email']} to erase")
            return
        where = f"on site {slug}" if slug else "on every site"
        if not yes:
            click.confirm(
                f"Erase {count} comment(s), {checks} check record(s) and {subs} "
                f"reply-notification subscription(s) of {found['email']} {where}? "
                "This cannot be undone",
                abort=True,
            )
        done = privacy.erase_in_batches(database(), email, "cli", slug)
        privacy.checkpoint(database())
        queued = queue().enqueue_deliveries(done.deliveries) if done.deliveries else True
    click.echo(
        f"erased {done.comments} comment(s) ({done.taken_down} taken down), "
        f"{done.checks} check record(s) and {done.subscriptions} reply-notification "
        f"subscription(s) of {found['email']}"
    )
    if not queued:
        click.echo("Redis did not answer: a running worker's sweep sends the take-down webhooks")


@main.group()
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
    from service import create_app
    from service import sites as site_ops
    from service.extensions import db as database

    app = create_app()
    with app.app_context(), database().session() as session:
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

    from service import create_app
    from service.extensions import db as database
    from service.store.tables import Site

    with create_app().app_context(), database().session() as session:
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
    from service import create_app
    from service import site_policy as site_ops_policy
    from service import sites as site_ops
    from service.extensions import db as database

    with create_app().app_context(), database().session() as session:
        site = site_ops.by_slug(session, slug)
        if site is None:
            raise click.ClickException(f"there is no site {slug!r}")
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


@main.group("threads")
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
    from service import create_app, threads
    from service.errors import ValidationFailed
    from service.extensions import db as database
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
    with create_app().app_context(), database().session() as session:
        site = _site_or_all(session, slug)
        assert site is not None
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


def _register_integrations() -> None:
    """Attach ``keys`` and ``webhooks`` (service/integrations/cli.py) and ``sites policy``
    (service/cli_policy.py)."""
    from service.cli_policy import policy
    from service.integrations.cli import register

    register(main)
    sites.add_command(policy)


def _add_model_commands() -> None:
    """Attach ``score``, ``train`` and ``evaluate`` from the models package."""
    try:
        from models import cli as model_cli  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - the models package is part of the project
        return
    for name in ("score", "train", "evaluate"):
        command = getattr(model_cli, name, None)
        if command is not None:
            main.add_command(command, name)


_add_model_commands()
_register_integrations()
if __name__ == "__main__":
    main()
