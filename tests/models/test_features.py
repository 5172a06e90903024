"""Feature extraction: hashed n-grams, structure signals and author signals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from models.author import author_reasons
from models.features import CommentFeatures, matrix
from models.signals import NAMES, SignalLists

LISTS = {
    "spam_domains": "01casino-x.ru\npowerigfaustralia",
    "shorteners": "bit.ly",
    "disposable": "mailinator.com",
    "phones": "18777788969",
}


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_obfuscated_and_clean_text_get_the_same_ngrams() -> None:
    """After normalisation, 'fr33 m0ney' and 'free money' hash to the same n-grams."""
    features = CommentFeatures(n_bits=16, lists=LISTS).fit([])
    X = features.transform(["fr33 m0ney", "free money", "totally different words"]).toarray()
    hashed = X[:, : 2**16]
    assert _cosine(hashed[0], hashed[1]) > 0.999
    assert _cosine(hashed[0], hashed[2]) < 0.3


def test_blocks_are_unit_norm_and_positions_are_kept() -> None:
    """Word and char blocks are l2-normalised and each n-gram keeps its text position."""
    features = CommentFeatures(n_bits=16, lists=LISTS).fit([])
    batch = features.analyze(["Hello world", "Second one"])
    X = matrix(batch).toarray()
    quarter = 2**14
    assert np.isclose(np.linalg.norm(X[0, :quarter]), 1.0)
    assert np.isclose(np.linalg.norm(X[0, quarter : 2**16]), 1.0)
    words = {
        batch.texts[0][s:e].lower()
        for s, e in zip(
            batch.norm.origin[batch.tok_start] - batch.norm.starts[0],
            batch.norm.origin[batch.tok_end - 1] - batch.norm.starts[0] + 1,
            strict=True,
        )
        if s >= 0
    }
    assert {"hello", "world"} <= words


def test_structure_signals_use_the_lists_as_features() -> None:
    """Links, shorteners, listed domains, phones and e-mails become feature columns."""
    features = CommentFeatures(n_bits=12, lists=LISTS).fit([])
    text = "Win at http://bit.ly/x or 01casino-x.ru!!! call +1 877-778-8969, bob@mailinator.com"
    batch = features.analyze([text, "A calm, ordinary remark about the match."])
    on = {NAMES[j] for j in np.flatnonzero(batch.dense[0])}
    assert {"has_link", "shortener", "listed_domain", "listed_phone", "disposable_email"} <= on
    assert not {"has_link", "phone", "email"} & {NAMES[j] for j in np.flatnonzero(batch.dense[1])}
    link = next(h for h in batch.hits[0] if h.feature == "shortener")
    assert link.span is not None
    assert text[link.span[0] : link.span[1]] == "http://bit.ly/x"


def test_author_fields_give_visible_author_reasons() -> None:
    """A spammy name, disposable e-mail and listed website each add an author reason."""
    item = {
        "text": "hi",
        "name": "best casino bonus",
        "email": "x@mailinator.com",
        "url": "https://01casino-x.ru/page",
    }
    kinds = [r["text"].split(":")[0] for r in author_reasons(item, SignalLists(LISTS))]
    assert kinds == ["name", "disposable e-mail", "website on spam list"]
    assert author_reasons({"text": "hi", "name": "Ann", "url": None}, SignalLists(LISTS)) == []


def test_a_batch_featurises_each_text_as_if_alone() -> None:
    """Joining a batch for speed does not leak n-grams, signals or counts between texts."""
    texts = [
        "FREE money at http://bit.ly/x!!!",
        "",
        "  s p a c e d  and fr33 w0rds  ",
        "Ｆｕｌｌ ｗｉｄｔｈ 😀😀😀 call +1 877 778 8969",
        "plain words words words words words words",
    ]
    features = CommentFeatures(n_bits=16, lists=LISTS).fit([])
    together = features.transform(texts).toarray()
    alone = np.vstack([features.transform([t]).toarray() for t in texts])
    assert np.allclose(together, alone)


def test_link_context_tells_a_bare_link_from_a_cited_one() -> None:
    """A bare link gets a high link share and 'few words'; a citation in prose does not."""
    features = CommentFeatures(n_bits=12, lists=LISTS).fit([])
    cited = (
        "I disagree with the second paragraph; the council's own figures, published last "
        "week at https://example.org/report, show spending went up, not down, in every ward."
    )
    batch = features.analyze(["http://flipagram.com/f/LUkA1QMrhF", cited, "no link here"])
    share, few = NAMES.index("link_share"), NAMES.index("link_few_words")
    assert batch.dense[0, share] == 1.0 and batch.dense[0, few] == 1.0
    assert batch.dense[1, share] < 0.2 and batch.dense[1, few] == 0.0
    assert batch.dense[2, share] == 0.0 and batch.dense[2, few] == 0.0


@pytest.mark.parametrize(
    "params", [{"word_ngrams": (1, 3)}, {"char_ngrams": (1, 5)}, {"word_ngrams": (2, 1)}]
)
def test_unsupported_ngram_ranges_are_refused_not_narrowed(params: dict[str, Any]) -> None:
    """Word 3-grams or character 1-grams would silently be left out: fitting refuses them."""
    with pytest.raises(ValueError, match="ngrams"):
        CommentFeatures(**params).fit(["a comment"])


def test_link_cross_copies_the_ngrams_of_comments_with_a_link_only() -> None:
    """With ``link_cross`` the hashed block is repeated, scaled, for linked comments only."""
    features = CommentFeatures(n_bits=12, lists=LISTS, link_cross=0.5).fit([])
    width = 2**12
    X = features.transform(["check out my channel http://bit.ly/x", "check out my channel"])
    assert X.shape[1] == features.n_features_out_ == 2 * width + len(NAMES)
    assert features.get_feature_names_out().shape == (X.shape[1],)
    hashed, copy = X[:, :width].toarray(), X[:, width + len(NAMES) :].toarray()
    assert np.allclose(copy[0], 0.5 * hashed[0]) and copy[0].any()
    assert not copy[1].any()
    plain = CommentFeatures(n_bits=12, lists=LISTS).fit([]).transform(["http://bit.ly/x"])
    assert plain.shape[1] == width + len(NAMES)


@pytest.mark.xfail(
    strict=True,
    reason="known gap: structure columns read the characters as typed, so a full-width "
    "link is not a link (its n-grams are normalised); a fix was tried and not shipped, "
    "see the model card, 'Contacts as a reader sees them'",
)
def test_a_full_width_link_is_seen_as_a_link() -> None:
    """'ｂｉｔ.ｌｙ/３ｘＱ９' reads as a shortened link to anyone who sees it."""
    features = CommentFeatures(n_bits=12, lists=LISTS).fit([])
    batch = features.analyze(["Free prizes at ｈｔｔｐ://ｂｉｔ.ｌｙ/３ｘＱ９ today"])
    on = {NAMES[j] for j in np.flatnonzero(batch.dense[0])}
    assert {"has_link", "shortener"} <= on
