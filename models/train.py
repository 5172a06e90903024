"""Train both shipped models from the shared datasets with a fixed seed."""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models import data, identity, profanity, registry, spam_extras
from models.apc import ProfanityPort
from models.pipeline import SEED, build_pipeline, export
from models.scoring import PROBES
from models.signals import LIST_FILES, read_lists
from models.terms import TERM_FILES

CODE_FILES = (
    "data.py", "text.py", "threats.py", "signals.py", "featurize.py", "features.py",
    "pipeline.py", "apc.py", "profanity.py", "train.py", "terms.py", "identity.py",
    "dehumanising.py", "promotion.py", "disguised.py", "spam_extras.py",
)  # fmt: skip


# Per-source sample weights, fixed on the training side (MODEL_CARD.md): web comments
# (YouTube, legitimate comments with links) count three times SMS, Instagram and X posts.
SOURCE_WEIGHTS = {
    "youtube-spam-collection": 3.0,
    "links": 3.0,
    "olid-offenseval2019": 2.0,
    "wordpress-comment-blocklist": 1.0,
    "tg-spam-samples": 1.0,
    "synthetic-term-spam": 1.0,
}
BALANCED = {"spam": True, "toxicity": False}  # spam: both classes weigh the same in total
# toxicity: non-toxic rows that mention an over-toxic identity term weigh more (identity.py)
IDENTITY_BALANCED = {"spam": False, "toxicity": True}
OLID_THRESHOLD_SLICE = 0.2  # the train-side holdout's threshold slice (bench/model_choices.py)
OLID_THRESHOLD_FOLDS = 5  # the OLID threshold: picked on out-of-fold scores of all OLID train
PORT = {"weight": 0.5, "offset": -2.0}  # how the alt-profanity-check port joins toxicity
SUGGESTED = {
    "spam": {"publish_below": 0.5, "reject_above": 0.95},
    "toxicity": {"publish_below": 0.5, "reject_above": 0.98},
}


def _named(corpus: data.Corpus, group: str) -> data.Corpus:
    corpus.groups = [group] * len(corpus)
    return corpus


def spam_corpus(exclude_video: str | None = None) -> data.Corpus:
    """Return the spam training data.

    YouTube (de-duplicated, grouped by video), the SMS train split, the training part of
    the legitimate comments with links (ham), Instagram scam comments and Janitr X posts
    (MIT), the WordPress spam-bot templates expanded (MIT), the English tg-spam spam
    lines (MIT) and synthetic keyword spam from the term lists (``spam_extras.term_spam``);
    texts already seen earlier in that order are dropped, and so are Instagram rows that
    belong to the held-out link comments.
    """
    youtube = data.dedup(data.youtube())
    if exclude_video is not None:
        youtube = youtube.subset(i for i, g in enumerate(youtube.groups) if g != exclude_video)
    sms_train, _ = data.sms_split()
    links_train, links_test = data.link_ham_split()
    held_out = {data.dedup_key(t) for t in links_test.texts}
    instagram = data.instagram()
    instagram = instagram.subset(
        i for i, t in enumerate(instagram.texts) if data.dedup_key(t) not in held_out
    )
    links_train.groups = [f"links:{g}" for g in links_train.groups]
    corpus = youtube.extend(_named(sms_train, "sms-spam-collection"))
    corpus.extend(links_train)
    corpus.extend(_named(instagram, "instagram-scam-comments"))
    corpus.extend(_named(data.janitr(), "janitr-x-crypto-scam-posts"))
    corpus.extend(spam_extras.wordpress_spam())
    corpus.extend(_named(spam_extras.tg_spam(), "tg-spam-samples"))
    corpus.extend(spam_extras.term_spam(read_lists(data.data_dir())))
    return data.dedup(corpus)


def olid_split() -> tuple[data.Corpus, data.Corpus]:
    """Return OLID train minus a seeded slice, and that slice (the train-side holdout's)."""
    return data.stratified_split(data.olid_train(), OLID_THRESHOLD_SLICE, seed=SEED)


def toxicity_corpus() -> data.Corpus:
    """Return the toxicity training data: Jigsaw train subsets (any label) + OLID train."""
    corpus = _named(data.jigsaw_train("is_bad"), "jigsaw-toxic-comment-subsets")
    return corpus.extend(_named(data.olid_train(), "olid-offenseval2019"))


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


PORT_RECEIPT = {
    "dataset": "alt-profanity-check model (ported weights, not data)",
    "licence": "MIT; itself trained on Davidson et al. (MIT) and the Kaggle Jigsaw train file",
    "rows": 0,
    "positives": 0,
}


def describe(corpus: data.Corpus) -> list[dict[str, Any]]:
    """Return per-source row and positive counts with licences."""
    sources: dict[str, dict[str, Any]] = {}
    groups = corpus.groups or [corpus.name] * len(corpus)
    for group, label in zip(groups, corpus.labels, strict=True):
        folder = _folder_of(group)
        part = " (legitimate comments with links)" if group.startswith("links:") else ""
        entry = sources.setdefault(
            folder + part,
            {"dataset": folder + part, "licence": data.LICENCES.get(folder, "?"), "rows": 0},
        )
        entry["rows"] += 1
        entry["positives"] = entry.get("positives", 0) + label
    return list(sources.values())


def _weight_key(group: str) -> str:
    return "links" if group.startswith("links:") else _folder_of(group)


def _folder_of(group: str) -> str:
    group = group.removeprefix("links:").split(":")[0]
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
    """Fit the shipped pipeline of ``task`` on ``corpus`` with the source weights."""
    import numpy as np

    if lists is None:
        lists = read_lists(data.data_dir())
    model = build_pipeline(task, lists)
    groups = corpus.groups or [corpus.name] * len(corpus)
    weights = np.array([SOURCE_WEIGHTS.get(_weight_key(g), 1.0) for g in groups])
    if BALANCED[task]:
        labels = np.asarray(corpus.labels)
        for cls in (0, 1):
            weights[labels == cls] *= 0.5 * weights.sum() / weights[labels == cls].sum()
    if IDENTITY_BALANCED[task]:
        weights = identity.balance_weights(corpus.texts, corpus.labels, weights)
    model.fit(corpus.texts, corpus.labels, clf__sample_weight=weights)
    return model


def train(
    tasks: tuple[str, ...] = registry.TASKS,
    out_dir: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    echo: Callable[[str], None] = print,
    profanity_port: bool = True,
) -> dict[str, Path]:
    """Train ``tasks`` on the real data (optionally a sample of ``limit`` rows) and save them.

    The toxicity model includes the alt-profanity-check port unless ``profanity_port``
    is false (the small training test skips it: it needs the package's environment).
    """
    import numpy
    import numpy as np
    import scipy
    import sklearn
    import skops

    written: dict[str, Path] = {}
    for task in tasks:
        corpus = TRAINING[task]()
        if limit is not None:
            corpus = _sample(corpus, limit)
        list_files = [data.data_dir() / f for files in LIST_FILES.values() for f in files]
        list_files += [data.data_dir() / f for f in TERM_FILES.values()]
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
        exported = export(task, model)
        datasets = describe(corpus)
        if task == "toxicity" and profanity_port:
            port = profanity.export_model()
            exported["profanity"] = {
                "words": port["words"],
                "idf": np.asarray(port["idf"]),
                "coef": np.asarray(port["coef"]),
                "intercept": port["intercept"],
                "a": port["a"],
                "b": port["b"],
                "ignore": "\n".join(identity.port_ignores()),
                **PORT,
            }
            datasets.append(PORT_RECEIPT | {"version": port["version"]})
            echo(f"  + alt-profanity-check {port['version']} port (MIT), {PORT}")
        sources = sorted(
            {f.split("/")[0] for fs in [*LIST_FILES.values(), TERM_FILES.values()] for f in fs}
        )
        echo(f"  signal lists: {', '.join(sources)}")
        threshold = 0.5
        if task == "toxicity":
            threshold = olid_threshold(corpus, exported.get("profanity"))
            echo(f"  OLID macro-F1 threshold {threshold:.3f} ({OLID_THRESHOLD_FOLDS}-fold OOF)")
        receipt = {
            "task": task,
            "version": f"{version_hash[:12]}",
            "data_sha256": data_hash,
            "code_sha256": code_hash(),
            "seed": SEED,
            "rows": len(corpus),
            "positives": corpus.positives(),
            "datasets": datasets,
            "files": sorted(str(p.relative_to(data.data_dir())) for p in corpus.files),
            "versions": {
                "python": platform.python_version(),
                "scikit-learn": sklearn.__version__,
                "numpy": numpy.__version__,
                "scipy": scipy.__version__,
                "skops": skops.__version__,
            },
            "shipped_threshold": threshold,
            "probe_scores": probe_scores(model, exported),
            "suggested_thresholds": SUGGESTED[task],
            "metrics": {},
        }
        path, _ = registry.save(task, exported, receipt, out_dir)
        echo(f"  wrote {path} ({path.stat().st_size / 1e6:.2f} MB), version {receipt['version']}")
        written[task] = path
    return written


def olid_threshold(corpus: data.Corpus, port: dict[str, Any] | None) -> float:
    """Return the macro-F1-best threshold on out-of-fold scores of the OLID rows.

    The OLID rows of ``corpus`` are split into seeded folds; for each, the recipe is
    trained on everything else (Jigsaw included) and scores the fold through the serving
    path, with the alt-profanity-check port's term when ``port`` is given.
    """
    import random

    import numpy as np

    from models.evaluate import artifact_scores, best_threshold

    olid = [i for i, g in enumerate(corpus.groups) if _folder_of(g) == "olid-offenseval2019"]
    order = list(range(len(olid)))
    random.Random(SEED).shuffle(order)
    folds = np.empty(len(olid), dtype=int)
    folds[order] = np.arange(len(olid)) % OLID_THRESHOLD_FOLDS
    scores = np.zeros(len(olid))
    for k in range(OLID_THRESHOLD_FOLDS):
        held = {olid[i] for i in np.flatnonzero(folds == k)}
        rest = corpus.subset(i for i in range(len(corpus)) if i not in held)
        model = export("toxicity", fit("toxicity", rest))
        if port is not None:
            model["profanity"] = port
        idx = np.flatnonzero(folds == k)
        scores[idx] = artifact_scores(model)([corpus.texts[olid[i]] for i in idx])
    return best_threshold([corpus.labels[i] for i in olid], list(scores), macro=True)


def probe_scores(pipeline: Any, exported: dict[str, Any]) -> list[float]:
    """Return the probes' scores: the pipeline's log-odds plus the port's term, if any.

    The pipeline (scikit-learn, sparse matrices) is the reference the serving fast path
    is checked against at every load.
    """
    import numpy as np

    logits = pipeline.decision_function(PROBES)
    if "profanity" in exported:
        from models.featurize import analyze
        from models.signals import SignalLists

        port = ProfanityPort(exported["profanity"])
        batch = analyze(PROBES, exported["features"], SignalLists(exported["lists"]))
        logits = logits + port.term(port.logits(batch)[0])
    return [round(float(p), 6) for p in 1.0 / (1.0 + np.exp(-np.asarray(logits)))]


def _sample(corpus: data.Corpus, limit: int) -> data.Corpus:
    """Return a stratified, seeded sample of at most ``limit`` rows."""
    if len(corpus) <= limit:
        return corpus
    _, sample = data.stratified_split(corpus, test_size=limit / len(corpus), seed=SEED)
    return sample
