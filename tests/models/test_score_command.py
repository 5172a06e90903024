"""``moderato score`` reads JSON Lines and writes one result line per input line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from models.cli import score


def test_score_round_trip_keeps_order_and_reports_bad_lines() -> None:
    """Good lines get results, bad lines get stable error codes, in input order."""
    lines = [
        json.dumps({"text": "Great match yesterday, well played."}),
        "{not json",
        json.dumps({"name": "bob"}),
        json.dumps({"text": "FREE followers, visit cheap-followers.example now", "url": None}),
        "",
    ]
    result = CliRunner().invoke(score, input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == len(lines)
    assert "spam" in out[0] and "spam" in out[3]
    assert out[1]["error"]["code"] == "invalid_json"
    assert out[2]["error"]["code"] == "missing_text"
    assert out[4]["error"]["code"] == "empty_line"
    assert out[3]["spam"] > out[0]["spam"]
