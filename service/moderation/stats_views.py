"""The stats page: charts (server-side SVG) and the classifier-vs-moderator agreement table."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from service.clock import utcnow
from service.extensions import db
from service.moderation import access, bp, charts, stats
from service.moderation.nav import add_nav_item

#: Each tone's colour in light mode; moderation.css has them as ``--tone-<name>`` and
#: changes them in dark mode.
COLORS = {
    "published": "#1a7f37",
    "held": "#d4a72c",
    "pending": "#8c959f",
    "spam": "#b42318",
    "rejected": "#8250df",
    "accent": "#0b5cad",
}


def series(name: str, tone: str, values: list[float | None]) -> charts.Series:
    """Return a chart series drawn in one of the dashboard's tones."""
    return charts.Series(name, COLORS[tone], values, tone)


add_nav_item("Stats", "moderation.stats_page", order=30)


@bp.get("/stats")
@access.login_required
def stats_page() -> Any:
    """Show submissions by outcome, hold/spam/toxicity rates, time to decision and agreement."""
    range_key = request.args.get("range", "30d")
    errors: dict[str, dict[str, str]] = {}
    if range_key not in stats.RANGES:
        errors["range"] = {"code": "invalid_choice", "message": "Choose 48h, 7d, 30d or 90d."}
        range_key = "30d"
    slug = (request.args.get("site") or "").strip()
    with db().session() as dbs:
        sites = access.visible_sites(dbs)
        site = next((s for s in sites if s.slug == slug), None) if slug else None
        if slug and site is None:
            errors["site"] = {
                "code": "unknown_site",
                "message": "You moderate no site by that name.",
            }
        numbers = stats.compute(
            dbs, access.site_scope(dbs), site.id if site else None, range_key, utcnow()
        )
    per = "hour" if stats.RANGES[range_key][1] == "hour" else "day"
    outcomes = [series(o.capitalize(), o, numbers.outcomes[o]) for o in stats.OUTCOMES]
    rates = [
        series("Hold rate", "held", numbers.hold_rate),
        series("Spam rate", "spam", numbers.spam_rate),
        series("Toxicity rate", "rejected", numbers.toxicity_rate),
    ]
    median = [series("Median time to decision", "accent", numbers.median_minutes)]
    titles = {
        "outcomes": f"Submissions per {per} by outcome",
        "rates": f"Hold, spam and toxicity rates per {per}",
        "decision": f"Median time to decision for held comments, per {per} held",
    }
    figures = {
        "outcomes": charts.stacked_bars(titles["outcomes"], numbers.labels, outcomes),
        "rates": charts.lines(titles["rates"], numbers.labels, rates, fmt=charts.percent, top=1.0),
        "decision": charts.lines(
            titles["decision"],
            numbers.labels,
            median,
            fmt=charts.minutes,
            top=charts.minutes_top(max((v for v in numbers.median_minutes if v), default=0.0)),
        ),
    }
    # The charts' values as tables, for screen readers (an SVG image has only its title).
    first = per.capitalize()
    tables = {  # each captioned "<key>-numbers", the name of the region it scrolls in
        "outcomes": charts.table(
            titles["outcomes"],
            first,
            numbers.labels,
            outcomes,
            missing="0",
            caption_id="outcomes-numbers",
        ),
        "rates": charts.table(
            titles["rates"],
            first,
            numbers.labels,
            rates,
            charts.percent,
            caption_id="rates-numbers",
        ),
        "decision": charts.table(
            titles["decision"],
            first,
            numbers.labels,
            median,
            charts.minutes,
            caption_id="decision-numbers",
        ),
    }
    page = render_template(
        "moderation/stats.html",
        s=numbers,
        figures=figures,
        tables=tables,
        ranges=list(stats.RANGES),
        range_key=range_key,
        sites=sites,
        site=site,
        errors=errors,
        pct=lambda v: "–" if v is None else charts.percent(v),
        mins=lambda v: "–" if v is None else charts.minutes(v),
    )
    return page, 422 if errors else 200
