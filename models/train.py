"""Train both shipped models from the shared datasets with a fixed seed."""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models import data, registry
from models.pipeline import SEED, build_pipeline

CODE_FILES = ("data.py", "text.py", "features.py", "pipeline.py", "train.py")


def spam_corpus() -> data.Corpus:
    """Return the spam training data: all YouTube videos + the SMS train split."""
    corpus = data.dedup(data.youtube())
    sms_train, _ = data.sms_split()
    return corpus.extend(sms_train)


def toxicity_corpus() -> data.Corpus:
    """Return the toxicity training data: the Jigsaw train subsets (any label = toxic)."""
    return data.jigsaw_train("is_bad")


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
    if group.startswith("jigsaw"):
        return "jigsaw-toxic-comment-subsets"
    return group


def fit(task: str, corpus: data.Corpus) -> Any:
    """Fit the shipped recipe for ``task`` on ``corpus``."""
    model = build_pipeline(task)
    model.fit(corpus.texts, corpus.labels)
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
        data_hash = data.files_hash(corpus.files)
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
            "suggested_thresholds": {"publish_below": 0.5, "reject_above": 0.95},
            "metrics": {},
        }
        path, _ = registry.save(task, model, receipt, out_dir)
        echo(f"  wrote {path} ({path.stat().st_size / 1e6:.2f} MB), version {receipt['version']}")
        written[task] = path
    return written


def _sample(corpus: data.Corpus, limit: int) -> data.Corpus:
    """Return a stratified, seeded sample of at most ``limit`` rows."""
    if len(corpus) <= limit:
        return corpus
    _, sample = data.stratified_split(corpus, test_size=limit / len(corpus), seed=SEED)
    return sample
