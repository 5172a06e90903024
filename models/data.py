"""Read the labelled datasets in place from the shared data directory.

Every loader returns a :class:`Corpus` (texts, 0/1 labels, optional groups) and records
the files it read, so training can hash exactly the bytes it used. Nothing is copied.
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

csv.field_size_limit(10_000_000)

REPO_ROOT = Path(__file__).resolve().parent.parent

YOUTUBE_VIDEOS = ("Psy", "KatyPerry", "LMFAO", "Eminem", "Shakira")
PILOT_FILES = (
    "Avengers_NPoHPNeU9fc.csv",
    "PlayStation4_x7QhUL8NUK4.csv",
    "PewDiePie-gRyPjRrjS34.original",
)
LICENCES = {
    "youtube-spam-collection": "none stated; authors request citation (UCI lists CC BY 4.0)",
    "youtube-spam-pilot": "none stated (evaluation only)",
    "sms-spam-collection": "free use, copyright by the authors, no warranty",
    "instagram-scam-comments": "MIT",
    "stackexchange-history-meta-comments": "CC BY-SA 3.0 / 4.0",
    "jigsaw-toxic-comment-subsets": "CC0 (text CC BY-SA 3.0)",
    "olid-offenseval2019": "none stated; citation requested",
    "davidson-hate-offensive": "MIT",
    "wikipedia-talk-context-toxicity": "Apache-2.0",
    "janitr-x-crypto-scam-posts": "MIT",
    "datacamp-blog-comment-spam": "none stated",
    "ethos": "GPL-3.0",
    "wordpress-comment-blocklist": "MIT",
    "tg-spam-samples": "MIT",
    "synthetic-term-spam": (
        "synthetic: WordPress blocklist terms (MIT) and SmokeDetector keywords "
        "(Apache-2.0/MIT), two thirds on Jigsaw train comments (CC0, text CC BY-SA 3.0)"
    ),
}
_WS = re.compile(r"\s+")


def data_dir() -> Path:
    """Return the data directory: ``$MODERATO_DATA_DIR`` or ``<repo>/../shared/data``."""
    env = os.environ.get("MODERATO_DATA_DIR")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "data").resolve()


@dataclass
class Corpus:
    """Texts with 0/1 labels, optional group ids, and the files they came from."""

    name: str
    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def __len__(self) -> int:
        """Return the number of rows."""
        return len(self.texts)

    def positives(self) -> int:
        """Return the number of positive rows."""
        return sum(self.labels)

    def extend(self, other: Corpus) -> Corpus:
        """Append another corpus in place and return self."""
        if self.texts and not self.groups:
            self.groups = [self.name] * len(self.texts)
        self.texts += other.texts
        self.labels += other.labels
        self.groups += other.groups or [other.name] * len(other)
        self.files += [f for f in other.files if f not in self.files]
        return self

    def subset(self, idx: Iterable[int], name: str | None = None) -> Corpus:
        """Return the rows at ``idx`` as a new corpus."""
        idx = list(idx)
        return Corpus(
            name or self.name,
            [self.texts[i] for i in idx],
            [self.labels[i] for i in idx],
            [self.groups[i] for i in idx] if self.groups else [],
            list(self.files),
        )


def dedup_key(text: str) -> str:
    """Return the case- and whitespace-insensitive de-duplication key of a text."""
    return _WS.sub(" ", text).strip().casefold()


def dedup(corpus: Corpus) -> Corpus:
    """Drop rows whose text (case/whitespace-insensitive) was already seen."""
    seen: set[str] = set()
    keep = []
    for i, text in enumerate(corpus.texts):
        key = dedup_key(text)
        if key and key not in seen:
            seen.add(key)
            keep.append(i)
    return corpus.subset(keep)


def files_hash(paths: Iterable[Path]) -> str:
    """Return a SHA-256 over the names and bytes of the given files."""
    digest = hashlib.sha256()
    for path in sorted(set(paths), key=lambda p: str(p.relative_to(p.parents[1]))):
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def _clean_youtube(text: str) -> str:
    text = html.unescape(text.replace("\ufeff", ""))
    return re.sub(r"<br\s*/?>", "\n", text)


def youtube() -> Corpus:
    """Load the five published YouTube videos (comment text only), grouped by video."""
    folder = data_dir() / "youtube-spam-collection"
    corpus = Corpus("youtube")
    for i, video in enumerate(YOUTUBE_VIDEOS, start=1):
        path = folder / f"Youtube0{i}-{video}.csv"
        for row in _read_csv(path):
            corpus.texts.append(_clean_youtube(row["CONTENT"]))
            corpus.labels.append(int(row["CLASS"]))
            corpus.groups.append(video)
        corpus.files.append(path)
    return corpus


def youtube_pilot() -> Corpus:
    """Load the authors' three unpublished pilot videos (evaluation only)."""
    folder = data_dir() / "youtube-spam-pilot"
    corpus = Corpus("youtube-pilot")
    for name in PILOT_FILES:
        path = folder / name
        for row in _read_csv(path):
            corpus.texts.append(_clean_youtube(row["CONTENT"]))
            corpus.labels.append(int(row["TAG"]))
            corpus.groups.append(name.split("_")[0].split("-")[0])
        corpus.files.append(path)
    return corpus


def sms() -> Corpus:
    """Load the SMS Spam Collection, de-duplicated."""
    path = data_dir() / "sms-spam-collection" / "SMSSpamCollection"
    corpus = Corpus("sms", files=[path])
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, text = line.partition("\t")
        corpus.texts.append(text)
        corpus.labels.append(int(label == "spam"))
    return dedup(corpus)


def split_within(
    corpus: Corpus,
    keys: Sequence[Any],
    strata: Sequence[Any],
    test_size: float,
    seed: int,
    name: str,
) -> tuple[Corpus, Corpus]:
    """Split ``corpus`` into ``name``-train/-test, holding out ``test_size`` of each stratum.

    ``keys[i]`` is row i's stratum; strata are shuffled in the order given, from one
    seeded generator, so a split is fixed by its arguments.
    """
    rng = random.Random(seed)
    train_idx: list[int] = []
    test_idx: list[int] = []
    for stratum in strata:
        idx = [i for i, key in enumerate(keys) if key == stratum]
        rng.shuffle(idx)
        cut = round(len(idx) * test_size)
        test_idx += idx[:cut]
        train_idx += idx[cut:]
    return (
        corpus.subset(sorted(train_idx), f"{name}-train"),
        corpus.subset(sorted(test_idx), f"{name}-test"),
    )


def stratified_split(corpus: Corpus, test_size: float, seed: int) -> tuple[Corpus, Corpus]:
    """Split a corpus into train/test keeping the class ratio, with a fixed seed."""
    return split_within(corpus, corpus.labels, (0, 1), test_size, seed, corpus.name)


def sms_split() -> tuple[Corpus, Corpus]:
    """Return the SMS train/test split: stratified 80/20, seed 0, after de-duplication."""
    return stratified_split(sms(), test_size=0.2, seed=0)


def _jigsaw_rows(paths: Iterable[Path], name: str, label: str) -> Corpus:
    corpus = Corpus(name)
    seen: set[str] = set()
    for path in paths:
        for row in _read_csv(path):
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            corpus.texts.append(row["comment_text"])
            corpus.labels.append(int(row[label] in ("1", "True")))
        corpus.files.append(path)
    return corpus


def jigsaw_train(label: str = "is_bad") -> Corpus:
    """Load the Jigsaw train-derived pools plus the natural-prevalence 5k file."""
    root = data_dir() / "jigsaw-toxic-comment-subsets"
    pools = sorted((root / "data_pools").glob("train.*.csv"))
    return _jigsaw_rows([*pools, root / "dataset_subsets" / "train.5k.csv"], "jigsaw", label)


def jigsaw_train5k(label: str = "is_bad") -> Corpus:
    """Load the natural-prevalence (~10% toxic) Jigsaw train subset."""
    root = data_dir() / "jigsaw-toxic-comment-subsets" / "dataset_subsets"
    return _jigsaw_rows([root / "train.5k.csv"], "jigsaw-5k", label)


def jigsaw_test(label: str = "toxic") -> Corpus:
    """Load the 1,200 official-test Jigsaw comments (evaluation only)."""
    pools = data_dir() / "jigsaw-toxic-comment-subsets" / "data_pools"
    return _jigsaw_rows(sorted(pools.glob("test.*.csv")), "jigsaw-test", label)


def olid_train() -> Corpus:
    """Load OLID (OffensEval 2019) sub-task A training tweets."""
    path = data_dir() / "olid-offenseval2019" / "olid-training-v1.0.tsv"
    corpus = Corpus("olid-train", files=[path])
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        corpus.texts.append(parts[1])
        corpus.labels.append(int(parts[2] == "OFF"))
    return corpus


def olid_test() -> Corpus:
    """Load OLID sub-task A test tweets with gold labels (evaluation only)."""
    folder = data_dir() / "olid-offenseval2019"
    tweets, labels = folder / "testset-levela.tsv", folder / "labels-levela.csv"
    gold = {r["id"]: r["label"] for r in _read_csv(labels)}
    corpus = Corpus("olid-test", files=[tweets, labels])
    for line in tweets.read_text(encoding="utf-8").splitlines()[1:]:
        tid, text = line.split("\t", 1)
        corpus.texts.append(text)
        corpus.labels.append(int(gold[tid] == "OFF"))
    return corpus


def instagram() -> Corpus:
    """Load the ScamSpot Instagram scam comments (with reported scams), de-duplicated."""
    path = data_dir() / "instagram-scam-comments" / "comments-rated-plus-reported.csv"
    corpus = Corpus("instagram-scam-comments", files=[path])
    for row in _read_csv(path):
        corpus.texts.append(row["msg"])
        corpus.labels.append(int(row["scam"]))
    return dedup(corpus)


def stackexchange() -> Corpus:
    """Load the History Stack Exchange Meta comments as legitimate (ham) examples."""
    import xml.etree.ElementTree as ET

    path = data_dir() / "stackexchange-history-meta-comments" / "Comments.xml"
    corpus = Corpus("stackexchange-history-meta-comments", files=[path])
    for row in ET.parse(path).getroot().iter("row"):
        corpus.texts.append(html.unescape(row.get("Text", "")))
        corpus.labels.append(0)
    return dedup(corpus)


def davidson() -> Corpus:
    """Load Davidson et al. tweets: hate or offensive = 1, neither = 0."""
    path = data_dir() / "davidson-hate-offensive" / "labeled_data.csv"
    corpus = Corpus("davidson-hate-offensive", files=[path])
    for row in _read_csv(path):
        corpus.texts.append(html.unescape(row["tweet"]))
        corpus.labels.append(int(row["class"] != "2"))
    return corpus


def wikipedia_context() -> Corpus:
    """Load the CAT-LARGE Wikipedia talk comments (gc + gn; label = toxic)."""
    folder = data_dir() / "wikipedia-talk-context-toxicity" / "CAT_LARGE"
    corpus = Corpus("wikipedia-talk-context-toxicity")
    for name in ("gc.csv", "gn.csv"):
        path = folder / name
        for row in _read_csv(path):
            corpus.texts.append(row["text"])
            corpus.labels.append(int(float(row["label"]) >= 0.5))
        corpus.files.append(path)
    return corpus


def ethos() -> Corpus:
    """Load ETHOS binary hate labels (isHate >= 0.5 = 1); GPL-3.0, evaluation only."""
    path = data_dir() / "ethos" / "Ethos_Dataset_Binary.csv"
    corpus = Corpus("ethos", files=[path])
    for row in _read_csv(path, delimiter=";"):
        corpus.texts.append(row["comment"])
        corpus.labels.append(int(float(row["isHate"]) >= 0.5))
    return corpus


DATACAMP_FILE = "final_data_extended_labeledPhase1 - final_data_extended_labeledPhase2.csv"
LINK_HAM_TEST = 1 / 3  # share of each source's legitimate link comments held out
# Sources of legitimate comments that contain links (ham for spam), in split order.
LINK_HAM_SOURCES = (
    "stackexchange-history-meta-comments",
    "wikipedia-talk-context-toxicity",
    "jigsaw-toxic-comment-subsets",
    "instagram-scam-comments",
)


def has_link(text: str) -> bool:
    """Return whether a text contains a URL or bare domain (the ``has_link`` signal)."""
    from models.signals import URL_RE

    return "." in text and URL_RE.search(text) is not None


def datacamp() -> Corpus:
    """Load the 608 labelled DataCamp blog comments (no licence: evaluation only)."""
    path = data_dir() / "datacamp-blog-comment-spam" / DATACAMP_FILE
    corpus = Corpus("datacamp-blog-comment-spam", files=[path])
    for row in _read_csv(path):
        if row["label"].strip() in ("0", "1"):
            corpus.texts.append(row["comment"].replace("\xa0", " "))
            corpus.labels.append(int(row["label"]))
    return corpus


def janitr() -> Corpus:
    """Load Janitr X posts: scam/phishing/recovery scam/spam/promo = 1, clean = 0."""
    import json

    path = data_dir() / "janitr-x-crypto-scam-posts" / "sample.jsonl"
    corpus = Corpus("janitr-x-crypto-scam-posts", files=[path])
    spam = {"scam", "phishing", "recovery_scam", "spam", "reply_spam", "promo", "affiliate"}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels = set(row.get("labels") or [])
        if "mock" in str(row.get("source_id", "")) or not (labels & spam or "clean" in labels):
            continue
        corpus.texts.append(row["text"])
        corpus.labels.append(int(bool(labels & spam)))
    return dedup(corpus)


def link_ham() -> Corpus:
    """Return legitimate comments with links from every trainable source, de-duplicated.

    Stack Exchange meta comments (all), Wikipedia talk comments (CAT-LARGE, any toxicity:
    they are not spam), Jigsaw train comments (any label) and Instagram non-scam
    comments; each row's group is its source folder.
    """
    sources = {
        "stackexchange-history-meta-comments": stackexchange(),
        "wikipedia-talk-context-toxicity": wikipedia_context(),
        "jigsaw-toxic-comment-subsets": jigsaw_train(),
        "instagram-scam-comments": instagram(),
    }
    out = Corpus("link-ham")
    seen: set[str] = set()
    for name in LINK_HAM_SOURCES:
        corpus = sources[name]
        out.files += corpus.files
        for text, label in zip(corpus.texts, corpus.labels, strict=True):
            key = dedup_key(text)
            if (name == "instagram-scam-comments" and label) or key in seen or not has_link(text):
                continue
            seen.add(key)
            out.texts.append(text)
            out.labels.append(0)
            out.groups.append(name)
    return out


def link_ham_split() -> tuple[Corpus, Corpus]:
    """Split the legitimate link comments: a third of each source held out (seed 0)."""
    corpus = link_ham()
    return split_within(corpus, corpus.groups, LINK_HAM_SOURCES, LINK_HAM_TEST, 0, "link-ham")


def stormfront() -> Corpus:
    """Load Stormfront forum sentences: hate = 1, noHate = 0 (relation/idk dropped)."""
    folder = data_dir() / "stormfront-hate-speech"
    meta = folder / "annotations_metadata.csv"
    corpus = Corpus("stormfront-hate-speech", files=[meta])
    for row in _read_csv(meta):
        if row["label"] not in ("hate", "noHate"):
            continue
        path = folder / "all_files" / f"{row['file_id']}.txt"
        corpus.texts.append(path.read_text(encoding="utf-8"))
        corpus.labels.append(int(row["label"] == "hate"))
        corpus.groups.append(row["file_id"].split("_")[0])
    corpus.files.append(folder / "all_files")
    return corpus
