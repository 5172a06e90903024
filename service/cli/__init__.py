"""The ``moderato`` command. Subcommands that need no app or database never open one.

One module per command group: ``serve`` (run, web, worker), ``database`` (db),
``status`` (backlog, queues, workers), ``users``, ``comments`` (commenters' data
requests), ``sites`` (with ``sites policy`` in ``policy``), ``threads``, ``keys``,
``webhooks`` and ``mail`` (the mail outbox's retry); ``common`` opens the app and finds
sites for them. ``score``, ``train``
and ``evaluate`` come from the models package.
"""

from __future__ import annotations

import click

from service.cli import (
    comments,
    database,
    keys,
    mail,
    serve,
    sites,
    status,
    threads,
    users,
    webhook_changes,  # noqa: F401  (adds ping, update, delete to webhooks)
    webhooks,
)


class _Main(click.Group):
    """The command group; an operator's mistake (a setting, an unreachable or unparsable
    database URL) is one line on stderr and its exit status (``service.operator_errors``,
    as for the worker and gunicorn's app), not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from service import operator_errors

        try:
            return super().invoke(ctx)
        except Exception as exc:
            found = operator_errors.problem(exc)
            if found is None:
                raise
            operator_errors.say(found.message)
            raise click.exceptions.Exit(found.status) from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """moderato: self-hosted comment moderation."""
    from service.envfile import load_env_file

    load_env_file()  # before any command reads the environment (`run` its instance path)


def _add_own_commands() -> None:
    """Attach the commands of this package's modules."""
    for command in (
        serve.run,
        serve.web,
        serve.worker,
        database.db,
        users.users,
        comments.comments,
        sites.sites,
        status.status,
        threads.threads_group,
        keys.keys,
        webhooks.webhooks,
        mail.mail,
    ):
        main.add_command(command)


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
_add_own_commands()
