"""Command-line interface of the models: ``score``, ``train`` and ``evaluate``.

None of these open a database or the Flask app.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import click

BATCH = 256


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def parse_line(line: str) -> dict[str, Any]:
    """Parse one JSON Lines input into a scoring item, or an ``{"error": ...}`` dict."""
    try:
        item = json.loads(line)
    except ValueError as exc:
        return _error("invalid_json", f"line is not valid JSON: {exc}")
    if not isinstance(item, dict):
        return _error("invalid_item", "line must be a JSON object")
    if "text" not in item or item["text"] is None:
        return _error("missing_text", "'text' is required")
    if not isinstance(item["text"], str):
        return _error("invalid_text", "'text' must be a string")
    for key in ("name", "email", "url"):
        if item.get(key) is not None and not isinstance(item[key], str):
            return _error(f"invalid_{key}", f"'{key}' must be a string or null")
    return {k: item.get(k) for k in ("text", "name", "email", "url")}


def score_stream(scorer: Any, lines: TextIO, out: TextIO) -> None:
    """Score JSON Lines from ``lines`` to ``out``, one output line per input line, in order."""
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        items = [p for p in pending if "error" not in p]
        results = iter(scorer.score(items)) if items else iter(())
        for parsed in pending:
            result = parsed if "error" in parsed else next(results)
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
        pending.clear()

    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            pending.append(_error("empty_line", "line is empty"))
        else:
            pending.append(parse_line(line))
        if len(pending) >= BATCH:
            flush()
    flush()


@click.command()
@click.argument("input_file", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--artifacts",
    type=click.Path(file_okay=False),
    default=None,
    help="Directory with spam.skops/toxicity.skops (default: the shipped ones).",
)
def score(input_file: TextIO, artifacts: str | None) -> None:
    """Score JSON Lines ({"text", "name"?, "email"?, "url"?}) from a file or stdin."""
    from models.scoring import ModelLoadError, load_scorer

    try:
        scorer = load_scorer(artifacts)
    except ModelLoadError as exc:
        raise click.ClickException(str(exc)) from exc
    score_stream(scorer, input_file, sys.stdout)


@click.command()
@click.option(
    "--task",
    "tasks",
    multiple=True,
    type=click.Choice(["spam", "toxicity"]),
    help="Train only this model (repeatable; default: both).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Write artifacts here instead of models/artifacts/.",
)
@click.option(
    "--limit",
    type=int,
    default=None,
    help="Train on a stratified sample of at most this many rows (for tests).",
)
@click.option(
    "--profanity-port/--no-profanity-port",
    default=True,
    help="Include the ported alt-profanity-check model in toxicity (default: yes).",
)
def train(tasks: tuple[str, ...], out: str | None, limit: int | None, profanity_port: bool) -> None:
    """Train the shipped models from the shared datasets (fixed seed)."""
    from models.train import train as run_train

    run_train(
        tasks or ("spam", "toxicity"), out, limit, echo=click.echo, profanity_port=profanity_port
    )


@click.command()
@click.option("--artifacts", type=click.Path(file_okay=False), default=None)
def evaluate(artifacts: str | None) -> None:
    """Evaluate our models and the baselines on every evaluation split."""
    from models.evaluate import run

    run(artifacts, echo=click.echo)


@click.group()
def main() -> None:
    """Moderato's spam and toxicity models."""


main.add_command(score)
main.add_command(train)
main.add_command(evaluate)
