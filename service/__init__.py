"""moderato's web application: ``create_app()`` reads like a table of contents."""

from __future__ import annotations

import io
import logging
import sys
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from service import config, envfile, errors, extensions, ratelimit, request_ids
from service.auth import DEFAULT_SESSION_HOURS


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, connections, error handlers, blueprints."""
    if overrides is None and "gunicorn.workers.base" in sys.modules:
        # gunicorn's factory form (`gunicorn 'service:create_app()'`) calls this in its
        # worker: a bad setting is the one line and exit status 4 of every entry point
        # (gunicorn printed a traceback and "Worker failed to boot").
        from service.operator_errors import stop_on_operator_error

        with stop_on_operator_error():
            return _build(None)
    return _build(overrides)


def _build(overrides: dict[str, Any] | None) -> Flask:
    envfile.load_env_file()
    instance = str(config.instance_dir())
    app = Flask(__name__, instance_path=(overrides or {}).get("INSTANCE_PATH", instance))
    app.config.update(config.load(app.instance_path, overrides))
    configure_logging(app)
    register_proxy_fix(app)
    register_request_ids(app)
    register_session_cookie(app)
    register_hsts(app)
    extensions.init_app(app)
    errors.register_error_handlers(app)
    register_blueprints(app)
    app.before_request(buffer_chunked_body)
    app.after_request(drain_refused_body)
    app.after_request(ratelimit.add_headers)
    return app


def buffer_chunked_body() -> None:
    """Read a chunked body (no ``Content-Length``) here, at most ``MAX_CONTENT_LENGTH`` + 1
    bytes, and hand it on with its length. Werkzeug cut a longer one at the limit without a
    word, so its JSON read as malformed and an Akismet form was scored on its first 64 KiB
    (found in review); now a longer one gets each endpoint's own 413, as with a length.
    Reads the environ only: ``request.content_length`` is cached on first use."""
    env = request.environ
    chunked = "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower()
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not chunked or env.get("CONTENT_LENGTH") or not limit:
        return
    stream = env.get("wsgi.input")
    data = stream.read(limit + 1) if stream is not None else b""
    env["wsgi.input"] = io.BytesIO(data)
    env["CONTENT_LENGTH"] = str(len(data))
    del env["HTTP_TRANSFER_ENCODING"]


#: Bodies over MAX_CONTENT_LENGTH up to this size are read and dropped after their 413 (or
#: a Perspective 400), so the connection stays usable; a larger one closes it.
DRAIN_MAX = 1024 * 1024


def drain_refused_body(resp: Any) -> Any:
    """Read what is left of a body refused for its size: unread, it sat in the kept-alive
    connection, and the client's next request on it failed (found in review)."""
    length = request.content_length or 0
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit and limit < length <= DRAIN_MAX:
        stream = request.environ.get("wsgi.input")
        left = length
        while stream is not None and left > 0:
            chunk = stream.read(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)
    return resp


def configure_logging(app: Flask) -> None:
    """Log at INFO with a plain, greppable format unless already configured."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=app.config.get("LOG_LEVEL", "INFO"), format=request_ids.LOG_FORMAT
        )
        for handler in root.handlers:  # the line ends with the request's (or job's) id
            handler.addFilter(request_ids.LogFilter())
    # Alembic announces each of its plugins at INFO whenever the schema's head is read:
    # a dozen lines of noise on every `moderato` command (found in review).
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # httpx logs every request at INFO with its whole URL ("HTTP Request: POST https://…"),
    # and a webhook receiver's URL may carry a token; our own delivery lines say the same
    # with the endpoint's id and host only (``service.integrations.redact``). httpcore's
    # DEBUG traces go too.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def register_proxy_fix(app: Flask) -> None:
    """Trust ``X-Forwarded-For`` and ``-Proto`` from exactly ``TRUSTED_PROXIES`` hops, and no
    more; with ``PUBLIC_URL``, every request is read as addressed to it (scheme, host, path
    prefix). ``X-Forwarded-Host`` is never trusted: a proxy that does not set it passes the
    client's own on, and ``X-Forwarded-Host: evil.example`` went into ``Location`` (found in
    review); the proxy passes the host in ``Host`` instead (docs/deploy.md, nginx)."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    if app.config.get("PUBLIC_URL"):
        app.wsgi_app = PublicAddress(app.wsgi_app, str(app.config["PUBLIC_URL"]))  # type: ignore[method-assign]


def register_request_ids(app: Flask) -> None:
    """Give every request an id (the caller's ``X-Request-Id`` if safe), answered on every
    response, logged and queued with its jobs (``service.request_ids``); outermost, so
    that it is settled before anything else runs."""
    app.wsgi_app = request_ids.RequestIds(app.wsgi_app)  # type: ignore[method-assign]


class PublicAddress:
    """Set the scheme, host and script root of every request from ``PUBLIC_URL``: a
    ``Location``, ``status_url`` or link built from the Host header (or an
    ``X-Forwarded-Proto`` gunicorn trusts from 127.0.0.1) pointed wherever the client
    said (found in review)."""

    def __init__(self, app: Any, url: str) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.app, self.scheme, self.host = app, parts.scheme, parts.netloc
        self.root = parts.path.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        if self.root:
            environ["SCRIPT_NAME"] = self.root
        return self.app(environ, start_response)


#: One year, as HSTS preload lists ask; no ``includeSubDomains``: the comment service's host
#: should not decide for its siblings' subdomains.
HSTS = "max-age=31536000"


def register_hsts(app: Flask) -> None:
    """In production behind an https ``PUBLIC_URL``, tell browsers to use https only."""
    url = str(app.config.get("PUBLIC_URL") or "")
    if app.config["ENV"] == "production" and url.startswith("https://"):

        def add_hsts(resp: Any) -> Any:
            resp.headers.setdefault("Strict-Transport-Security", HSTS)
            return resp

        app.after_request(add_hsts)


def register_session_cookie(app: Flask) -> None:
    """Session cookies: HttpOnly, SameSite=Lax, Secure outside development.

    Flask's own defaults (``session``, no SameSite, not Secure) are replaced;
    a value set explicitly (``MODERATO_SESSION_COOKIE_SECURE`` …) is kept.
    """
    ours = {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": app.config["ENV"] != "development",
        "SESSION_COOKIE_NAME": "moderato_session",
    }
    for name, value in ours.items():
        if app.config.get(name) == Flask.default_config.get(name):
            app.config[name] = value
    # The cookie lives as long as the session may (it kept Flask's 31 days for a 12-hour
    # session; found in review).
    hours = float(app.config.get("MODERATION_SESSION_HOURS", DEFAULT_SESSION_HOURS))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)


def register_blueprints(app: Flask) -> None:
    """Mount each audience's blueprint at its prefix."""
    from service.api import bp as api_bp
    from service.embed import bp as embed_bp
    from service.integrations import bp as integrations_bp
    from service.integrations.admin import bp as integrations_admin_bp
    from service.moderation import bp as moderation_bp
    from service.notify.pages import bp as mail_bp
    from service.ops import bp as ops_bp

    app.register_blueprint(ops_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(integrations_bp)
    app.register_blueprint(moderation_bp, url_prefix="/moderation")
    app.register_blueprint(embed_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(integrations_admin_bp, url_prefix="/moderation/integrations")
