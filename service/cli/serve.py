"""``moderato run``, ``web`` and ``worker``: start the service's processes."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--port", type=int, envvar="PORT", default=8000, show_default=True)
@click.option("--web-workers", type=int, default=2, show_default=True)
def run(port: int, web_workers: int) -> None:
    """Run everything: migrations, embedded Redis (if REDIS_URL is unset), worker and web."""
    from service.runner import run_all

    sys.exit(run_all(port=port, web_workers=web_workers))


@click.command()
@click.option("--port", type=int, envvar="PORT", default=8000, show_default=True)
@click.option("--bind", default=None, help="host:port (default 127.0.0.1:PORT)")
@click.option("--workers", type=int, default=2, show_default=True)
def web(port: int, bind: str | None, workers: int) -> None:
    """Run the web server (gunicorn)."""
    import os

    from service import config
    from service.runner import gunicorn_argv

    # Every setting is checked here, so a bad one is one line before gunicorn starts (it
    # printed two tracebacks per worker and "Worker failed to boot"; found in review).
    config.load(str(config.instance_dir()))
    argv = gunicorn_argv(bind or f"127.0.0.1:{port}", workers)
    os.execvp(argv[0], argv)


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def worker(args: tuple[str, ...]) -> None:
    """Run a classifier worker (see ``moderato worker -- --help``)."""
    from worker.__main__ import main as worker_main

    sys.exit(worker_main(list(args)))
