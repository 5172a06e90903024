"""Identity terms: found as whole words; their non-toxic rows weighted to the corpus share."""

from __future__ import annotations

import numpy as np
import pytest

from models import identity


def test_terms_are_found_as_whole_words_case_insensitively() -> None:
    """'Gay' and 'African American' count; 'Gayle' and 'blackboard' do not."""
    found = identity.mentions(["Gay rights", "Gayle wrote on the blackboard", "African American"])
    assert found[0] == {"gay"}
    assert found[1] == set()
    assert "african american" in found[2]


def test_mask_removes_identity_words_only() -> None:
    """The port's view of a comment: identity words gone, everything else kept."""
    assert identity.mask(["You stupid Muslim idiot"]) == ["You stupid   idiot"]


def test_non_toxic_rows_of_an_over_toxic_term_are_weighted_to_the_corpus_share() -> None:
    """A term used mostly in abuse gets its non-toxic rows scaled; other rows stay as they are."""
    texts = ["gay slur"] * 6 + ["i am gay"] * 2 + ["you idiot"] * 2 + ["nice article"] * 14
    labels = [1] * 6 + [0] * 2 + [1] * 2 + [0] * 14
    w = identity.balance_weights(texts, labels, np.ones(len(texts)))
    share = 8 / 24  # the corpus's toxic share (weights 1)
    y, gay = np.array(labels), np.array(["gay" in t for t in texts])
    assert w[gay & (y == 0)] == pytest.approx([6 * (1 - share) / (share * 2)] * 2)
    assert (w[~gay] == 1).all() and (w[gay & (y == 1)] == 1).all()
    weighted = w[gay & (y == 1)].sum() / w[gay].sum()
    assert weighted == pytest.approx(share)


def test_the_factor_is_capped_and_never_below_one() -> None:
    """A term in 99 abusive rows and 1 clean one gets at most MAX_FACTOR; a mild term 1."""
    texts = ["gay insult"] * 99 + ["gay pride"] + ["christian"] * 2 + ["hello"] * 200
    labels = [1] * 99 + [0] + [0, 0] + [0] * 200
    w = identity.balance_weights(texts, labels, np.ones(len(texts)))
    assert w[99] == identity.MAX_FACTOR
    assert w[100] == w[101] == 1.0
