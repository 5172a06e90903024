"""Operations: liveness, readiness, and the neutral status page a no-JS form lands on."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.embed import assets, i18n
from service.embed.pages import content_security_policy, page_response
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


#: The catalogue keys of the status page's message and title, by the ``moderato`` status the
#: no-JS form post was answered with.
STATUS_PAGES = {
    "pending": ("received", "status_comment"),
    "published": ("status_published", "status_comment"),
    "reported": ("report_thanks", "status_report"),
}


@bp.get("/status")
def status_page() -> BaseResponse:
    """Show a neutral page, in the form's language, after a no-JS form post from a page we
    cannot send back to (our pages' CSP: it had an inline style and no policy)."""
    lang = i18n.pick(request.args.get("lang"))
    t = i18n.translator(lang)
    message, title = STATUS_PAGES.get(
        request.args.get("moderato", "pending"), ("status_thanks", "status_comment")
    )
    return page_response(
        "ops/status.html",
        csp=content_security_policy(frame_ancestors="'none'", form_action="'none'"),
        lang=lang,
        dir=i18n.direction(lang),
        css_url=url_for("embed.asset", filename=assets.asset("fallback.css").filename),
        title=t(title),
        message=t(message),
        back=t("status_back"),
    )


from service.ops import metrics  # noqa: E402, F401  (adds /metrics to bp)
