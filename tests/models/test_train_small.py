"""``moderato train`` on a small sample of the real data produces a working model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from models.cli import train
from models.data import data_dir
from models.scoring import load_scorer

pytestmark = pytest.mark.skipif(
    not (data_dir() / "youtube-spam-collection").is_dir(), reason="shared data not present"
)


def test_train_on_a_sample_writes_loadable_artifacts(tmp_path) -> None:
    """Training both tasks on 600 real rows writes artifacts that load and rank sensibly."""
    args = ["--limit", "600", "--out", str(tmp_path), "--no-profanity-port"]
    result = CliRunner().invoke(train, args)
    assert result.exit_code == 0, result.output
    assert "training on 600 rows" in result.output
    receipt = json.loads((tmp_path / "spam.json").read_text())
    assert receipt["rows"] == 600 and receipt["seed"] == 0 and receipt["data_sha256"]
    scorer = load_scorer(tmp_path)
    spam, ham = scorer.score(
        [{"text": "subscribe to my channel http://bit.ly/x free iphone"}, {"text": "good song"}]
    )
    assert spam["spam"] > ham["spam"]
