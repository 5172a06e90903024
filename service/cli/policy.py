"""``moderato sites policy``: show, preview or change a site's decision policy."""

from __future__ import annotations

import json
from typing import Any

import click

from service.cli.common import app_session, site_named
from service.policy import MODES, NEW_AUTHORS, SCORES


def _scores(values: tuple[str, ...], option: str) -> dict[str, float]:
    """Parse ``spam=0.6`` pairs into thresholds; a bad pair is a usage error."""
    found: dict[str, float] = {}
    for value in values:
        score, _, number = value.partition("=")
        try:
            threshold = float(number)
        except ValueError:
            threshold = -1.0
        if score not in SCORES or not number.isascii() or not 0 <= threshold <= 1:
            raise click.BadParameter(
                f"{value!r}: use spam=N or toxicity=N with N from 0 to 1", param_hint=option
            )
        found[score] = threshold
    return found


@click.command("policy")
@click.option("--site", "slug", required=True, help="the site's slug")
@click.option("--mode", type=click.Choice(MODES), default=None)
@click.option("--publish-below", "publish", multiple=True, help="e.g. spam=0.6 (repeat)")
@click.option("--reject-above", "reject", multiple=True, help="e.g. toxicity=0.99 (repeat)")
@click.option("--form-token", type=click.Choice(["signal", "required"]), default=None)
@click.option("--new-authors", type=click.Choice(NEW_AUTHORS), default=None)
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True)
@click.option("--dry-run", is_flag=True, help="replay the last --days days; save nothing")
def policy(
    slug: str,
    mode: str | None,
    publish: tuple[str, ...],
    reject: tuple[str, ...],
    form_token: str | None,
    new_authors: str | None,
    days: int,
    dry_run: bool,
) -> None:
    """Show a site's decision policy, or change it (audited, actor cli); with --dry-run,
    print what the changed policy would have done to the last --days days' comments."""
    from service import site_policy
    from service.policy import PolicyError, normalise_policy

    with app_session() as session:
        site = site_named(session, slug)
        current = normalise_policy(site.policy)
        proposed: dict[str, Any] = {
            **current,
            "publish_below": {**current["publish_below"], **_scores(publish, "--publish-below")},
            "reject_above": {**current["reject_above"], **_scores(reject, "--reject-above")},
        }
        for key, value in (
            ("mode", mode),
            ("form_token", form_token),
            ("new_authors", new_authors),
        ):
            if value is not None:
                proposed[key] = value
        try:
            proposed = normalise_policy(proposed)
        except PolicyError as exc:
            raise click.ClickException(str(exc)) from exc
        if dry_run:
            _print_replay(site_policy.preview(session, site, proposed, days))
            click.echo(json.dumps(proposed, sort_keys=True))
            return
        changed = site_policy.change(session, site, proposed, "cli")
        click.echo(json.dumps(proposed, sort_keys=True))
        if changed:
            click.echo(f"{site.slug}: policy saved", err=True)


def _print_replay(replay: Any) -> None:
    """Print the replay as a small table: current policy against the proposed one."""
    click.echo(f"last {replay.days} days: {replay.replayed} scored comments replayed "
               f"({replay.labelled_bad} labelled spam or abusive, {replay.labelled_good} "
               "legitimate)")  # fmt: skip
    rows = [
        ("published automatically", "publish"),
        ("held for a moderator", "hold"),
        ("rejected automatically", "reject"),
    ]
    click.echo(f"{'':<40}{'current':>10}{'proposed':>10}")
    for text, action in rows:
        now, then = replay.current.counts[action], replay.proposed.counts[action]
        click.echo(f"{text:<40}{now:>10}{then:>10}")
    bad = (replay.current.bad_published, replay.proposed.bad_published)
    good = (replay.current.good_rejected, replay.proposed.good_rejected)
    click.echo(f"{'labelled spam or abusive, yet published':<40}{bad[0]:>10}{bad[1]:>10}")
    click.echo(f"{'labelled legitimate, yet rejected':<40}{good[0]:>10}{good[1]:>10}")
