"""The shipped artifacts load and score comments in the contract shape."""

from __future__ import annotations

import json

import pytest

from models.scoring import ModelLoadError, Scorer, load_scorer

SPAM = "Check out my channel http://bit.ly/free-money and SUBSCRIBE, win an iPhone now!!!"
TOXIC = "You are a stupid worthless idiot, shut up."
BENIGN = "Thanks for the article, the second chart explains the budget changes well."


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    """Load the shipped scorer once."""
    return load_scorer()


def test_results_follow_the_scoring_contract(scorer: Scorer) -> None:
    """Each result has exactly spam/toxicity/reasons/model_version with valid reasons."""
    texts = [SPAM, TOXIC, BENIGN]
    results = scorer.score([{"text": t, "name": None, "url": None} for t in texts])
    assert len(results) == 3
    for text, result in zip(texts, results, strict=True):
        assert set(result) == {"spam", "toxicity", "reasons", "model_version"}
        assert 0.0 <= result["spam"] <= 1.0 and 0.0 <= result["toxicity"] <= 1.0
        assert result["model_version"] == scorer.model_version
        for reason in result["reasons"]:
            assert set(reason) == {"model", "kind", "text", "weight", "span"}
            assert reason["model"] in {"spam", "toxicity"}
            assert reason["kind"] in {"token", "link", "pattern", "author", "rule"}
            assert isinstance(reason["weight"], float)
            if reason["span"] is not None:
                start, end = reason["span"]
                assert 0 <= start < end <= len(text)
        json.dumps(result)


def test_obvious_comments_rank_correctly(scorer: Scorer) -> None:
    """Obvious spam outranks benign text for spam; an insult outranks it for toxicity."""
    spam, toxic, benign = scorer.score([{"text": SPAM}, {"text": TOXIC}, {"text": BENIGN}])
    assert spam["spam"] > 0.9 > benign["spam"]
    assert toxic["toxicity"] > 0.9 > benign["toxicity"]
    assert spam["spam"] > toxic["spam"]


def test_missing_artifacts_raise_model_load_error(tmp_path) -> None:
    """Loading from an empty directory fails with ModelLoadError naming the file."""
    with pytest.raises(ModelLoadError, match="spam"):
        load_scorer(tmp_path)


def test_model_version_combines_both_models(scorer: Scorer) -> None:
    """The version string names the spam and toxicity artifacts."""
    assert scorer.model_version.startswith("spam-") and "+tox-" in scorer.model_version


def test_scoring_path_imports_neither_sklearn_nor_scipy() -> None:
    """Loading and scoring need only numpy: the web process stays light."""
    import subprocess
    import sys

    code = (
        "import sys; from models import load_scorer; s = load_scorer(); "
        "s.score([{'text': 'hello there'}]); "
        "print(sorted(m for m in ('sklearn', 'scipy', 'skops') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_news_comment_citing_a_source_is_not_rejected_as_spam(scorer: Scorer) -> None:
    """A reader citing a news article stays below the default reject threshold for spam."""
    texts = [
        "The council's own report is here: https://www.bbc.co.uk/news/uk-england-68123456"
        " - worth reading before commenting.",
        "Full text of the ruling: https://www.supremecourt.gov/opinions/22pdf/21-476_c185.pdf"
        " (page 12 is the key part).",
    ]
    for result in scorer.score([{"text": t} for t in texts]):
        assert result["spam"] < 0.95


def test_threat_without_profanity_is_held_for_review(scorer: Scorer) -> None:
    """'Watch your back' scores above publish_below for toxicity, with a pattern reason."""
    (result,) = scorer.score([{"text": "Watch your back. I know where you live."}])
    assert result["toxicity"] > 0.5
    assert any(r["model"] == "toxicity" and r["kind"] == "pattern" for r in result["reasons"])
