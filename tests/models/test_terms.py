"""Spam terms from the curated lists: parsing, whole-token matching, spans, speed."""

from __future__ import annotations

import random
import time

import numpy as np

from models import data, spam_extras
from models.featurize import analyze
from models.signals import NAMES, SignalLists
from models.terms import KINDS, expand_pattern, prune

LISTS = {
    "spam_domains": "",
    "shorteners": "bit.ly",
    "disposable": "",
    "phones": "",
    "spam_term": "cialis\nviagra\nreplica",
    "spam_phrase": "cheap pills com\nnice post\nreplica watches",
    "spam_keyword": "we offer loans\nviagra",
}


def _cols(batch, doc: int) -> dict[str, float]:
    return {kind: float(batch.dense[doc, NAMES.index(kind)]) for kind in KINDS}


def test_smokedetector_patterns_expand_to_literals() -> None:
    assert expand_pattern(r"cheap\W?wigs?") == ["cheap wigs", "cheap wig"]
    assert "we give out funding" in expand_pattern(
        r"we (?:offer|give out) (?:loans?|funds?|funding)"
    )
    assert expand_pattern(r"fifa.{0,20}?coins?") == []  # wildcards are skipped
    assert expand_pattern("# a comment line") == []


def test_terms_match_whole_normalised_tokens_only() -> None:
    lists = SignalLists(LISTS)
    texts = [
        "Buy V1AGRA and c.i.a.l.i.s at http://cheap-pills.com",
        "The specialist said the replicas were fine.",  # no 'cialis' in 'specialist'
        "viagra viagra viagra",
    ]
    batch = analyze(texts, {}, lists)
    first = _cols(batch, 0)
    assert first["spam_term"] == np.log1p(2)  # viagra, cialis
    assert first["spam_phrase"] == np.log1p(1)  # cheap pills com
    assert first["spam_keyword"] == np.log1p(1)
    assert _cols(batch, 1) == dict.fromkeys(KINDS, 0.0)
    assert _cols(batch, 2)["spam_term"] == np.log1p(1)  # distinct terms are counted


def test_term_hits_point_at_the_original_text() -> None:
    text = "Nice post!! Get v1agra here"
    batch = analyze([text], {}, SignalLists(LISTS))
    spans = {(h.feature, text[h.span[0] : h.span[1]]) for h in batch.hits[0] if h.span}
    assert ("spam_term", "v1agra") in spans
    assert ("spam_phrase", "Nice post") in spans


def test_prune_drops_terms_common_in_ordinary_comments() -> None:
    reference = ["a nice post indeed"] * 3 + ["viagra is a drug"]
    pruned = prune(LISTS, reference)
    assert "nice post" not in pruned["spam_phrase"].split("\n")
    assert "viagra" in pruned["spam_term"].split("\n")


def test_templates_expand_deterministically() -> None:
    templates = spam_extras.spam_templates("{Hi|Hello} {there|friend}, great {post|article}!|x" * 1)
    assert len(templates) == 1
    a = [spam_extras.spin(templates[0], random.Random(0)) for _ in range(3)]
    b = [spam_extras.spin(templates[0], random.Random(0)) for _ in range(3)]
    assert a == b
    assert all("{" not in t and "|" not in t for t in a)


def test_matching_the_real_lists_is_fast() -> None:
    from models.signals import read_lists

    lists = SignalLists(read_lists(data.data_dir()))
    texts = ["Nice post, I like it. Visit my site for cheap replica watches."] * 1000
    analyze(texts[:10], {}, lists)
    start = time.perf_counter()
    batch = analyze(texts, {}, lists)
    assert time.perf_counter() - start < 1.0  # the whole featurisation, generous bound
    assert batch.dense[:, NAMES.index("spam_phrase")].min() > 0
