"""``moderato run``, ``web`` and ``worker``: start the service's processes."""

from __future__ import annotations

import os
import sys

import click

#: ``--port`` falls back to ``PORT``, read here rather than by Click, so a bad value is the
#: settings check's one line and exit 4 like every other setting (Click printed a usage
#: error and exited 2; found in review).
PORT_HELP = "default: $PORT, else 8000"


def _port(option: int | None) -> int:
    """The ``--port`` option, else ``PORT`` (checked as every setting is), else 8000."""
    if option is not None:
        return option
    from service.settings_check import check_port

    value = os.environ.get("PORT")
    check_port(value)
    return int(value) if value else 8000


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help=PORT_HELP)
@click.option("--web-workers", type=int, default=2, show_default=True)
def run(port: int | None, web_workers: int) -> None:
    """Run everything: migrations, embedded Redis (if REDIS_URL is unset), worker and web."""
    from service.runner import run_all

    sys.exit(run_all(port=_port(port), web_workers=web_workers))


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help=PORT_HELP)
@click.option("--bind", default=None, help="host:port (default 127.0.0.1:PORT)")
@click.option("--workers", type=int, default=2, show_default=True)
def web(port: int | None, bind: str | None, workers: int) -> None:
    """Run the web server (gunicorn)."""
    from service import config
    from service.runner import gunicorn_argv

    # Every setting is checked here, so a bad one is one line before gunicorn starts (it
    # printed two tracebacks per worker and "Worker failed to boot"; found in review).
    config.load(str(config.instance_dir()))
    argv = gunicorn_argv(bind or f"127.0.0.1:{_port(port)}", workers)
    os.execvp(argv[0], argv)


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def worker(args: tuple[str, ...]) -> None:
    """Run a classifier worker (see ``moderato worker -- --help``)."""
    from worker.__main__ import main as worker_main

    sys.exit(worker_main(list(args)))
