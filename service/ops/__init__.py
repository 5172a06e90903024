"""Operations: liveness, readiness, and the neutral status page a no-JS form lands on."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from service.extensions import db, redis_conn
from service.store import migrate

bp = Blueprint("ops", __name__, template_folder="templates")


@bp.get("/healthz")
def healthz() -> Response:
    """Answer 200 while the process is up."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int] | Response:
    """Answer 200 when the database and Redis answer, else 503 naming what failed."""
    checks = {"database": "ok", "redis": "ok"}
    try:
        version = db().schema_version()
        # A schema newer than this code is ready: migrations stay compatible with the
        # release before (new tables, columns, indexes), so the web processes still on it
        # serve while the new ones start (they answered 503; found in review).
        if version != migrate.head() and not migrate.newer_than_code(version):
            # Answers 200 to a ping, 500 to every request: say what to run.
            checks["database"] = (
                f"error: schema at {version or 'nothing'}, run `moderato db upgrade`"
            )
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        redis_conn().ping()
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    if all(v == "ok" for v in checks.values()):
        return jsonify({"status": "ok", "checks": checks})
    failing = ", ".join(k for k, v in checks.items() if v != "ok")
    resp = jsonify(
        {
            "status": "unavailable",
            "checks": checks,
            "error": {"code": "service_unavailable", "message": f"not ready: {failing}"},
        }
    )
    resp.headers["Retry-After"] = "5"
    return resp, 503


STATUS_MESSAGES = {
    "pending": "Thank you. Your comment is awaiting moderation.",
    "published": "Thank you. Your comment is published.",
}


@bp.get("/status")
def status_page() -> str:
    """Show a neutral page after a no-JS form post from a page we cannot send back to."""
    status = request.args.get("moderato", "pending")
    message = STATUS_MESSAGES.get(status, "Thank you.")
    return render_template("ops/status.html", message=message)


from service.ops import metrics  # noqa: E402, F401  (adds /metrics to bp)
