"""``moderato run``: one command that starts the whole service and stops all of it on Ctrl-C."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from service.config import REDIS_URL_FILE, ConfigError, instance_dir
from service.embedded_redis import EmbeddedRedis, RedisWatch, _die_with_parent
from service.masking import masked
from service.operator_errors import CONFIG_EXIT

log = logging.getLogger(__name__)


def prepare_database(port: int | None = None) -> str:
    """Apply migrations and make sure the ``default`` site exists, allowing this server's
    own origins on ``port`` (``--port``, else ``PORT``); return the database URL."""
    from service import create_app
    from service import sites as site_ops
    from service.store import Database
    from service.store.migrate import head, newer_than_code, upgrade

    app = create_app()
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    version = database.schema_version()
    if newer_than_code(version):
        # Code rolled back onto a newer schema: run on it (migrations stay compatible with
        # the release before) rather than die on a revision this code does not know.
        log.warning(
            "the database schema (%s) is newer than this code (%s): not migrating; to go "
            "back for good, run the newer release's `moderato db downgrade %s` first",
            version,
            head(),
            head(),
        )
    else:
        upgrade(url)
    with database.session() as session:
        port = port or int(os.environ.get("PORT", "8000"))
        site_ops.ensure_default(session, site_ops.default_origins(app.config, port))
    database.dispose()
    return str(url)


#: gunicorn's default access log line without the query string (Perspective clients send
#: their API key as ``?key=``, Akismet's usage call as ``?api_key=``), the client's address
#: (the contract keeps IP addresses only as keyed hashes) and the Referer (a dashboard
#: filter URL carries an author's e-mail address); all three found in review. It ends with
#: the request's id as answered (``service.request_ids``), which moderato's own lines for
#: the request, and the worker's for its comment, carry as ``request_id=<id>``.
ACCESS_LOG_FORMAT = (
    '- %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "-" "%(a)s" %({x-request-id}o)s'
)


#: The longest request line gunicorn takes: its maximum, 8190 bytes (it caps larger
#: values silently). Its default, 4094, refused a thread of 512 non-Latin characters,
#: which percent-encode to 9 bytes each, with an HTML 414 (found in review). Headers may
#: be longer (an over-long Authorization header got an HTML 431).
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELD_SIZE = 16380


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
        "--limit-request-line", str(LIMIT_REQUEST_LINE),
        "--limit-request-field_size", str(LIMIT_REQUEST_FIELD_SIZE),
        *_no_control_socket(),
        "service.wsgi:app",
    ]  # fmt: skip


def _no_control_socket() -> list[str]:
    """gunicorn 25+ opens a control socket at ``~/.gunicorn/gunicorn.ctl``, one path for
    every instance on the host (two instances collided; found in review). We do not use it."""
    from gunicorn import config

    known = {s.name for s in config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []


def _demo_page(instance: Path) -> bool:
    from service.config import load

    return bool(load(str(instance))["DEMO_PAGE"])


def _first_admin_hint(base_url: str) -> str | None:
    """Return how to become the first admin (a one-time setup link), or None if accounts exist."""
    from service import create_app
    from service.moderation.first_admin import hint

    return hint(create_app(), base_url)


def claim(instance: Path, port: int) -> IO[str]:
    """Make sure nothing else runs on this instance folder or port, before anything starts.

    Returns the open lock file; the lock lasts as long as it stays open (the process).
    Before this, a second `make run` on the same folder started a second embedded Redis
    and overwrote ``redis.url``, and a port in use was reported by gunicorn only after the
    database, Redis and the worker had started (found in review).
    """
    instance.mkdir(parents=True, exist_ok=True)
    lock = open(instance / "run.lock", "w")  # noqa: SIM115 (held until the process ends)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ConfigError(
            f"moderato is already running on {instance}: stop it first "
            "(or give this one its own MODERATO_INSTANCE_PATH)"
        ) from None
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            lock.close()
            raise ConfigError(
                f"port {port} is in use ({exc.strerror}): stop what uses it or choose another "
                "with PORT=…"
            ) from None
    return lock


def run_all(port: int = 8000, web_workers: int = 2) -> int:
    """Start Redis (embedded if ``REDIS_URL`` is unset), a worker and the web server."""
    instance = instance_dir()
    os.environ.setdefault("MODERATO_INSTANCE_PATH", str(instance))
    lock = claim(instance, port)
    url = prepare_database(port)  # `run --port 8732` without PORT set (found in review)
    embedded = watch = None
    if not os.environ.get("REDIS_URL"):
        embedded = EmbeddedRedis(instance / "redis").start()
        os.environ["REDIS_URL"] = embedded.url
        watch = RedisWatch(embedded)
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
        demo = f"  demo article   {base}/demo\n" if _demo_page(instance) else ""
        print(
            f"\nmoderato is running (database {masked(url)}, "
            f"redis {masked(os.environ['REDIS_URL'])})\n"
            f"{demo}"
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
            if watch is not None:
                watch.check()
            if children["web"].poll() is not None:
                print("the web server exited; stopping", file=sys.stderr)
                return 1
            code = children["worker"].poll()
            if code == CONFIG_EXIT:  # it said why in one line; starting again cannot help
                print("the worker cannot start (see above); stopping", file=sys.stderr)
                return CONFIG_EXIT
            if code is not None and not stopping:
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
        lock.close()
        print("moderato stopped.", flush=True)
