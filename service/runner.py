"""``moderato run``: one command that starts the whole service and stops all of it on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from service.config import REDIS_URL_FILE, instance_dir
from service.embedded_redis import EmbeddedRedis, _die_with_parent


def prepare_database() -> str:
    """Apply migrations and make sure the ``default`` site exists; return the database URL."""
    from service import create_app
    from service import sites as site_ops
    from service.store import Database
    from service.store.migrate import upgrade

    app = create_app()
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    database = Database(url)
    with database.session() as session:
        port = os.environ.get("PORT", "8000")
        origins = {
            *site_ops.DEFAULT_ORIGINS,
            f"http://127.0.0.1:{port}",
            f"http://localhost:{port}",
        }
        site_ops.ensure_default(session, sorted(origins))
    database.dispose()
    return str(url)


#: gunicorn's default access log line without the query string: Perspective clients send
#: their API key as ``?key=``, Akismet's usage call as ``?api_key=`` (found in review).
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def gunicorn_argv(bind: str, workers: int) -> list[str]:
    """Return the gunicorn command line for the web app."""
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", bind,
        "--workers", str(workers),
        "--threads", "4",
        "--worker-class", "gthread",
        "--access-logfile", "-",
        "--access-logformat", ACCESS_LOG_FORMAT,
        "--graceful-timeout", "10",
        "service.wsgi:app",
    ]  # fmt: skip


def _first_admin_hint(base_url: str) -> str | None:
    """Return how to become the first admin (a one-time setup link), or None if accounts exist."""
    from service import create_app
    from service.moderation.first_admin import hint

    return hint(create_app(), base_url)


def run_all(port: int = 8000, web_workers: int = 2) -> int:
    """Start Redis (embedded if ``REDIS_URL`` is unset), a worker and the web server."""
    instance = instance_dir()
    os.environ.setdefault("MODERATO_INSTANCE_PATH", str(instance))
    url = prepare_database()
    embedded = None
    if not os.environ.get("REDIS_URL"):
        embedded = EmbeddedRedis(instance / "redis").start()
        os.environ["REDIS_URL"] = embedded.url
        # `moderato` commands run beside this one (webhooks redeliver, …) read it there.
        (instance / REDIS_URL_FILE).write_text(embedded.url + "\n")
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def spawn(name: str) -> None:
        argv = (
            [sys.executable, "-m", "worker"]
            if name == "worker"
            else gunicorn_argv(f"127.0.0.1:{port}", web_workers)
        )
        children[name] = subprocess.Popen(argv, preexec_fn=_die_with_parent)

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        spawn("worker")
        spawn("web")
        base = f"http://127.0.0.1:{port}"
        print(
            f"\nmoderato is running (database {url.split('@')[-1]}, "
            f"redis {os.environ['REDIS_URL']})\n"
            f"  demo article   {base}/demo\n"
            f"  moderation     {base}/moderation/\n"
            f"  API            {base}/api/v1/comments?thread=demo\n"
            f"  health         {base}/readyz\n",
            flush=True,
        )
        hint = _first_admin_hint(base)
        if hint:
            print(hint + "\n", flush=True)
        print("Press Ctrl-C to stop everything.", flush=True)
        restarts = 0
        while not stopping:
            time.sleep(0.5)
            if children["web"].poll() is not None:
                print("the web server exited; stopping", file=sys.stderr)
                return 1
            if children["worker"].poll() is not None and not stopping:
                restarts += 1
                print(f"the worker exited; restarting it (restart {restarts})", file=sys.stderr)
                time.sleep(min(restarts, 10))
                spawn("worker")
        return 0
    finally:
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in children.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if embedded is not None:
            (instance / REDIS_URL_FILE).unlink(missing_ok=True)
            embedded.stop()
        print("moderato stopped.", flush=True)
