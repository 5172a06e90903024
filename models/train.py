"""Train both shipped models from the shared datasets with a fixed seed."""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models import data, registry
from models.pipeline import SEED, build_pipeline, export
from models.scoring import PROBES
from models.signals import LIST_FILES, read_lists

CODE_FILES = (
    "data.py", "text.py", "signals.py", "featurize.py", "features.py", "pipeline.py", "train.py",
)  # fmt: skip


# Rows from sources far from web comments count less (see MODEL_CARD.md).
SOURCE_WEIGHTS = {"sms-train": 0.5}
OLID_THRESHOLD_SLICE = 0.2  # share of OLID train held out to pick the OLID threshold


def spam_corpus(exclude_video: str | None = None) -> data.Corpus:
    """Return the spam training data: YouTube (deduplicated) + the SMS train split."""
    youtube = data.dedup(data.youtube())
    if exclude_video is not None:
        youtube = youtube.subset(i for i, g in enumerate(youtube.groups) if g != exclude_video)
    sms_train, _ = data.sms_split()
    return youtube.extend(sms_train)


def olid_split() -> tuple[data.Corpus, data.Corpus]:
    """Return OLID train minus a seeded slice, and that slice (for threshold picking)."""
    return data.stratified_split(data.olid_train(), OLID_THRESHOLD_SLICE, seed=SEED)


def toxicity_corpus() -> data.Corpus:
    """Return the toxicity training data: Jigsaw train subsets (any label) + OLID train."""
    corpus = data.jigsaw_train("is_bad")
    corpus.groups = ["jigsaw-toxic-comment-subsets"] * len(corpus)
    olid, _ = olid_split()
    return corpus.extend(olid)


TRAINING: dict[str, Callable[[], data.Corpus]] = {
    "spam": spam_corpus,
    "toxicity": toxicity_corpus,
}


def code_hash() -> str:
    """Return a SHA-256 over the source files that define the model."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for name in CODE_FILES:
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


def describe(corpus: data.Corpus) -> list[dict[str, Any]]:
    """Return per-source row and positive counts with licences."""
    sources: dict[str, dict[str, Any]] = {}
    groups = corpus.groups or [corpus.name] * len(corpus)
    for group, label in zip(groups, corpus.labels, strict=True):
        folder = group if group in data.LICENCES else _folder_of(group)
        entry = sources.setdefault(
            folder, {"dataset": folder, "licence": data.LICENCES.get(folder, "?"), "rows": 0}
        )
        entry["rows"] += 1
        entry["positives"] = entry.get("positives", 0) + label
    return list(sources.values())


def _folder_of(group: str) -> str:
    if group in data.YOUTUBE_VIDEOS:
        return "youtube-spam-collection"
    if group.startswith("sms"):
        return "sms-spam-collection"
    if group.startswith("olid"):
        return "olid-offenseval2019"
    if group.startswith("jigsaw"):
        return "jigsaw-toxic-comment-subsets"
    return group


def fit(task: str, corpus: data.Corpus, lists: dict[str, str] | None = None) -> Any:
    """Fit the shipped recipe for ``task`` on ``corpus`` (float32 weights)."""
    import numpy as np

    if lists is None:
        lists = read_lists(data.data_dir())
    model = build_pipeline(task, lists)
    groups = corpus.groups or [corpus.name] * len(corpus)
    weights = [SOURCE_WEIGHTS.get(g, 1.0) for g in groups]
    model.fit(corpus.texts, corpus.labels, clf__sample_weight=weights)
    for calibrated in model.named_steps["clf"].calibrated_classifiers_:
        calibrated.estimator.coef_ = calibrated.estimator.coef_.astype(np.float32)
    return model


def train(
    tasks: tuple[str, ...] = registry.TASKS,
    out_dir: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Path]:
    """Train ``tasks`` on the real data (optionally the first ``limit`` rows) and save them."""
    import numpy
    import scipy
    import sklearn
    import skops

    written: dict[str, Path] = {}
    for task in tasks:
        corpus = TRAINING[task]()
        if limit is not None:
            corpus = _sample(corpus, limit)
        list_files = [data.data_dir() / f for files in LIST_FILES.values() for f in files]
        data_hash = data.files_hash([*corpus.files, *list_files])
        version_hash = hashlib.sha256((data_hash + code_hash()).encode()).hexdigest()
        echo(
            f"[{task}] training on {len(corpus)} rows ({corpus.positives()} positive), seed {SEED}"
        )
        for src in describe(corpus):
            echo(
                f"  {src['dataset']}: {src['rows']} rows, "
                f"{src['positives']} positive ({src['licence']})"
            )
        model = fit(task, corpus)
        sources = sorted({f.split("/")[0] for fs in LIST_FILES.values() for f in fs})
        echo(f"  signal lists: {', '.join(sources)}")
        receipt = {
            "task": task,
            "version": f"{version_hash[:12]}",
            "data_sha256": data_hash,
            "code_sha256": code_hash(),
            "seed": SEED,
            "rows": len(corpus),
            "positives": corpus.positives(),
            "datasets": describe(corpus),
            "files": sorted(str(p.relative_to(data.data_dir())) for p in corpus.files),
            "versions": {
                "python": platform.python_version(),
                "scikit-learn": sklearn.__version__,
                "numpy": numpy.__version__,
                "scipy": scipy.__version__,
                "skops": skops.__version__,
            },
            "shipped_threshold": shipped_threshold(task, model),
            "probe_scores": [round(float(p), 6) for p in model.predict_proba(PROBES)[:, 1]],
            "suggested_thresholds": {"publish_below": 0.5, "reject_above": 0.95},
            "metrics": {},
        }
        path, _ = registry.save(task, export(task, model), receipt, out_dir)
        echo(f"  wrote {path} ({path.stat().st_size / 1e6:.2f} MB), version {receipt['version']}")
        written[task] = path
    return written


def shipped_threshold(task: str, model: Any) -> float:
    """Return the decision threshold quoted for F1: 0.5, or OLID-tuned for toxicity."""
    if task != "toxicity":
        return 0.5
    from models.evaluate import best_threshold

    _, tune = olid_split()
    return best_threshold(tune.labels, model.predict_proba(tune.texts)[:, 1], macro=True)


def _sample(corpus: data.Corpus, limit: int) -> data.Corpus:
    """Return a stratified, seeded sample of at most ``limit`` rows."""
    if len(corpus) <= limit:
        return corpus
    _, sample = data.stratified_split(corpus, test_size=limit / len(corpus), seed=SEED)
    return sample
