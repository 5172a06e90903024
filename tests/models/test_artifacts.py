"""Artifacts are plain data in skops files: read safely, deterministically written."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from models import identity, registry
from models.featurize import DOC_SHIFT, analyze
from models.linear import LinearModel, sigmoid
from models.pipeline import build_pipeline, export
from models.signals import SignalLists

LISTS = {"spam_domains": "casino-x.example", "shorteners": "bit.ly", "disposable": "", "phones": ""}
TEXTS = [
    "free money at http://bit.ly/x call now!!!",
    "subscribe to my channel for free gifts",
    "WIN a FREE iphone, visit casino-x.example",
    "great song, I love the chorus",
    "thanks for the article, very clear",
    "the second chart explains the budget",
] * 3
LABELS = [1, 1, 1, 0, 0, 0] * 3


@pytest.fixture(scope="module")
def fitted() -> tuple[object, dict[str, object]]:
    """A tiny pipeline fitted on toy data, and its exported weights."""
    pipeline = build_pipeline("spam", LISTS, n_bits=16).fit(TEXTS, LABELS)
    return pipeline, export("spam", pipeline)


def test_fast_path_equals_the_pipeline(fitted) -> None:
    """Exported weights applied with numpy give the pipeline's predict_proba."""
    pipeline, model = fitted
    probes = [
        *TEXTS[:6],
        "fr33 m0ney c.a.s.i.n.o",
        "",
        "Ｆｕｌｌ ｗｉｄｔｈ 😀😀😀 +1 877 778 8969",
    ]
    linear = LinearModel(model)
    fast = sigmoid(linear.logits(analyze(probes, linear.features, SignalLists(LISTS))))
    assert np.allclose(fast, pipeline.predict_proba(probes)[:, 1], atol=1e-6)


def test_link_weights_apply_to_linked_comments_and_their_reasons(fitted) -> None:
    """The spam export carries the link-conditional weights; per-occurrence contributions
    (what the reasons sum) add up to the n-gram part of the log-odds, link or not."""
    _, model = fitted
    linear = LinearModel(model)
    assert linear.linked is not None and np.abs(linear.linked).sum() > 0
    texts = ["free money at http://bit.ly/x call now!!!", "great song, I love the chorus"]
    batch = analyze(texts, linear.features, SignalLists(LISTS))
    assert batch.linked.tolist() == [True, False]
    structure = batch.dense @ linear.dense + linear.intercept
    ngrams = linear.logits(batch) + (linear.a * structure + linear.b)
    occ, contrib = linear.contributions(batch, np.arange(len(texts)))
    per_doc = np.bincount(batch.occ_key[occ] >> DOC_SHIFT, contrib, minlength=len(texts))
    assert np.allclose(per_doc, ngrams, atol=1e-5)
    without = LinearModel({k: v for k, v in model.items() if k != "linked"})
    assert not np.isclose(without.logits(batch)[0], linear.logits(batch)[0])
    assert np.isclose(without.logits(batch)[1], linear.logits(batch)[1])


def test_save_is_deterministic_and_readable_by_skops(fitted, tmp_path) -> None:
    """Saving twice gives identical bytes; skops and our reader load the same data."""
    import skops.io as sio

    _, model = fitted
    a, _ = registry.save("spam", model, {"task": "spam"}, tmp_path / "a")
    b, _ = registry.save("spam", model, {"task": "spam"}, tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    assert sio.get_untrusted_types(data=data) == []
    ours, theirs = registry.read_skops(data), sio.loads(data, trusted=[])
    assert ours.keys() == theirs.keys()
    for key, value in ours.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, theirs[key]) and value.dtype == theirs[key].dtype
        else:
            assert value == theirs[key], key


def test_reader_refuses_anything_but_plain_data() -> None:
    """A skops file holding an estimator (or an object array) does not load."""
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(registry.ArtifactError, match="not plain data"):
        registry.read_skops(sio.dumps({"model": LogisticRegression()}))
    with pytest.raises(registry.ArtifactError):
        registry.read_skops(sio.dumps({"x": np.array(["a", None], dtype=object)}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("other.txt", "x")
    with pytest.raises(registry.ArtifactError, match="not a skops archive"):
        registry.read_skops(buffer.getvalue())


def test_shipped_artifacts_are_small_plain_and_checked() -> None:
    """Each shipped artifact is under 10 MB, plain data, and matches its receipt."""
    for task in registry.TASKS:
        path, _ = registry.artifact_paths(task)
        assert path.stat().st_size < 10_000_000
        model, receipt = registry.load(task)
        assert model["task"] == task and receipt["sha256"] == registry.sha256_file(path)
        assert receipt["datasets"] and all(d["licence"] for d in receipt["datasets"])


def test_profanity_port_matches_the_package() -> None:
    """The ported alt-profanity-check gives the package's own probabilities."""
    from models import profanity
    from models.apc import ProfanityPort

    if not profanity.available():
        pytest.skip("alt-profanity-check's environment (.venv-profanity) is not installed")
    texts = [
        "you are a stupid idiot",
        "thanks for the clear explanation of the budget",
        "what the hell is this shit",
        "i respectfully disagree with the second point",
        "",
    ]
    model, _ = registry.load("toxicity")
    port = ProfanityPort(model["profanity"])
    batch = analyze(texts, model["features"], SignalLists(model["lists"]))
    ours = sigmoid(port.logits(batch)[0])
    assert np.allclose(ours, profanity.scores(texts), atol=1e-6)
    # With identity words, it gives the package's probability for the text without them.
    texts = ["I am gay.", "you stupid muslim idiot", "Being transgender is normal"]
    batch = analyze(texts, model["features"], SignalLists(model["lists"]))
    ours = sigmoid(port.logits(batch)[0])
    assert np.allclose(ours, profanity.scores(identity.mask(texts)), atol=1e-6)


def test_profanity_port_skips_identity_words() -> None:
    """An identity word adds nothing to the port's score: it is not profanity."""
    from models.apc import ProfanityPort

    model, _ = registry.load("toxicity")
    assert "gay" in model["profanity"]["ignore"].split("\n")
    port = ProfanityPort(model["profanity"])
    texts = ["I am gay.", "I am .", "you stupid gay idiot", "you stupid idiot"]
    logits = port.logits(analyze(texts, model["features"], SignalLists(model["lists"])))[0]
    assert logits[0] == pytest.approx(logits[1])
    assert logits[2] == pytest.approx(logits[3])
    assert logits[3] > logits[1] + 2  # profanity still counts


def test_the_shipped_artifacts_were_trained_by_this_code() -> None:
    """Each receipt's code hash is the hash of today's model code: edit it, retrain."""
    from models.train import code_hash

    for task in registry.TASKS:
        _, receipt = registry.load(task)
        assert receipt["code_sha256"] == code_hash(), f"{task}: run `python -m models train`"


def test_the_code_hash_covers_every_model_module_the_features_import() -> None:
    """A module the featurisation imports (a phrase column, the term lists) changes the
    model when edited, so it must be part of the receipt's code hash."""
    import ast
    from pathlib import Path

    from models.train import CODE_FILES

    root = Path(registry.__file__).resolve().parent
    for name in ("signals.py", "featurize.py", "features.py"):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "models":
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("models."):
                modules = [node.module.split(".", 1)[1]]
            else:
                continue
            for module in modules:
                assert f"{module}.py" in CODE_FILES, f"{name} imports models.{module}"
