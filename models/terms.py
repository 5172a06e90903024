"""Spam terms from curated lists, matched as whole normalised words or phrases.

Sources: the Comment Blocklist for WordPress (``blacklist.txt``, MIT; words, phrases and
domain fragments spam bots use) and SmokeDetector's ``bad_keywords.txt`` (Apache-2.0 or
MIT; regexes, of which the literal ones and small alternations are expanded here).

WordPress itself matches every entry as a substring, which over-matches (``cialis`` in
``specialist``). Here an entry matches only as a run of whole tokens of the normalised
text (the same normalisation as the n-grams, so ``v1agra`` and ``c.i.a.l.i.s`` count):
each entry of ``k`` tokens (1 ≤ k ≤ ``MAX_TOKENS``) becomes one 64-bit hash, and a batch
is matched with one ``searchsorted`` per ``k`` over the hashes of its token runs. Matches
are model features (distinct terms per kind, log-scaled) with learned weights, never
verdicts, and the reasons point at the matched words in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.text import normalize_batch

MAX_TOKENS = 4
MIN_CHARS = 4  # entries shorter than this (letters and digits) over-match
PRUNE_DOCS = 3  # terms in this many ordinary (reference) comments are dropped
MAX_VARIANTS = 16  # a SmokeDetector pattern expands to at most this many literals
KINDS = ("spam_term", "spam_phrase", "spam_keyword")
TERM_FILES = {
    "spam_term": "wordpress-comment-blocklist/blacklist.txt",
    "spam_keyword": "smokedetector-spam-patterns/bad_keywords.txt",
}
BLOOM_BITS = 22
_BLOOM_SHIFT = np.uint64(64 - BLOOM_BITS)
_P = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = re.compile(
    r"\[\\W_\][*+?]?\+?|\\W[*+?]?\+?|\\s[*+?]?\+?|\\b|\\-|\[ -\][*+?]?|\[- \][*+?]?| \?"
)
_GROUP = re.compile(r"\((?:\?:)?([^()]*)\)(\?)?")
_OPTIONAL_CHAR = re.compile(r"([a-z0-9])\?")
_LITERAL = re.compile(r"^[a-z0-9' ]+$")
# Blocklist entries kept: clean words, phrases of words, and domains. Entries with other
# punctuation (``-lesbo-``, ``?sex``, ``http:``) are substring fragments, not terms.
_WP_WORD = re.compile(r"^[a-z0-9]+$")
_WP_PHRASE = re.compile(r"^[a-z0-9]+(?:[ -][a-z0-9]+)+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")


def expand_pattern(pattern: str) -> list[str]:
    """Return the literal strings a simple SmokeDetector regex matches ([] if not simple).

    Separators (``\\W?``, ``[\\W_]*+``, ``\\s``) become a space; ``(?:a|b)``, an optional
    group and an optional character are expanded, innermost first, up to
    ``MAX_VARIANTS``; anything else (wildcards, classes, look-arounds) is skipped.
    """
    text = _SEPARATOR.sub(" ", pattern.strip()).lower()
    if not text or text.startswith("#") or "(?<" in text or "(?=" in text or "(?!" in text:
        return []
    variants = [f"({text})"]
    for _ in range(8):
        out: list[str] = []
        changed = False
        for v in variants:
            m = _GROUP.search(v)
            if m is None:
                out.append(v)
                continue
            changed = True
            options = m.group(1).split("|") + ([""] if m.group(2) else [])
            out += [v[: m.start()] + o + v[m.end() :] for o in options]
        variants = out
        if not changed or len(variants) > MAX_VARIANTS:
            break
    if len(variants) > MAX_VARIANTS:
        return []
    literals: list[str] = []
    for v in variants:
        m = _OPTIONAL_CHAR.search(v)
        pair = (
            [v[: m.start()] + m.group(1) + v[m.end() :], v[: m.start()] + v[m.end() :]]
            if m
            else [v]
        )
        literals += [p for p in pair if _LITERAL.match(p) and "?" not in p]
    return literals


def _tokens(strings: list[str]) -> list[str]:
    """Return each string normalised and reduced to its space-joined word tokens."""
    if not strings:
        return []
    from models.featurize import plain_tokens

    norm = normalize_batch(strings)
    start, end = plain_tokens(norm.codes)
    doc = norm.doc[start]
    words: list[list[str]] = [[] for _ in strings]
    text = norm.codes.tobytes().decode("utf-32-le")
    for d, s, e in zip(doc.tolist(), start.tolist(), end.tolist(), strict=True):
        words[d].append(text[s:e])
    return [" ".join(w) for w in words]


def read_terms(root: Path) -> dict[str, str]:
    """Read the term lists into newline-joined normalised terms, one key per kind.

    WordPress entries that are one word are terms; phrases and domains (``a-b.tld``) are
    phrases. Only entries with a letter, ``MIN_CHARS``+ letters and digits and at most
    ``MAX_TOKENS`` tokens are kept.
    """
    wordpress = (root / TERM_FILES["spam_term"]).read_text(encoding="utf-8").splitlines()
    keywords = (root / TERM_FILES["spam_keyword"]).read_text(encoding="utf-8").splitlines()
    raw_wp = [
        entry
        for entry in (line.strip().lower() for line in wordpress)
        if _WP_WORD.match(entry) or _WP_PHRASE.match(entry)
    ]
    raw_kw = sorted({v for line in keywords for v in expand_pattern(line)})
    out: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for raw, term in zip(raw_wp, _tokens(raw_wp), strict=True):
        # Entries the normaliser changes (``he11o`` → ``hello``) would match plain words.
        if _keep(term) and term == re.sub(r"[-. ]+", " ", raw).strip():
            out["spam_term" if " " not in term else "spam_phrase"].add(term)
    for raw, term in zip(raw_kw, _tokens(raw_kw), strict=True):
        if _keep(term) and term == " ".join(raw.replace("'", " ").split()):
            out["spam_keyword"].add(term)
    lists = {kind: "\n".join(sorted(terms)) for kind, terms in out.items()}
    return prune(lists, reference_texts())


def reference_texts() -> list[str]:
    """Return ordinary comments that are not spam, to find over-general terms.

    The Jigsaw train subsets and OLID train without links (the toxicity training data:
    Wikipedia talk comments and tweets, toxic or not, none of them spam) and the training
    part of the legitimate comments with links. No evaluation split is read (the held-out
    link comments are left out).
    """
    from models import data

    texts = data.jigsaw_train().texts + data.olid_train().texts
    return [t for t in texts if not data.has_link(t)] + data.link_ham_split()[0].texts


def prune(lists: dict[str, str], reference: list[str]) -> dict[str, str]:
    """Drop terms found in ``PRUNE_DOCS`` or more reference comments (``didnt``, ``to me``)."""
    from models.featurize import plain_tokens, span_hashes

    norm = normalize_batch(reference)
    start, end = plain_tokens(norm.codes)
    tok_hash = span_hashes(norm.codes, start, end)
    tok_doc = norm.doc[start]
    index = TermIndex.build(lists)
    _, matches = match_terms(index, tok_doc, tok_hash, len(reference))
    seen: dict[int, set[int]] = {}
    for doc, first, last in zip(
        matches.doc.tolist(), matches.first.tolist(), matches.last.tolist(), strict=True
    ):
        key = int(_run_hashes(tok_hash[first : last + 1], last - first + 1)[0])
        seen.setdefault(key, set()).add(doc)
    common = {key for key, docs in seen.items() if len(docs) >= PRUNE_DOCS}
    out: dict[str, str] = {}
    for kind in KINDS:
        terms = [t for t in lists[kind].split("\n") if t]
        h, _ = term_hashes(terms)
        out[kind] = "\n".join(t for t, x in zip(terms, h.tolist(), strict=True) if x not in common)
    return out


def _keep(term: str) -> bool:
    return (
        term.isascii()
        and sum(c.isalnum() for c in term) >= MIN_CHARS
        and any(c.isalpha() for c in term)
        and 1 <= term.count(" ") + 1 <= MAX_TOKENS
    )


def _run_hashes(h: np.ndarray, k: int) -> np.ndarray:
    """Return the hash of every run of ``k`` consecutive tokens (``len(h) - k + 1``)."""
    c = h.copy()
    for j in range(1, k):
        c = c[:-1] * _P + h[j:]
    return (c + np.uint64(k)) * _MIX


def term_hashes(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return each normalised term's run hash and token count (aligned with ``terms``)."""
    from models.featurize import plain_tokens, span_hashes

    joined = "".join(f"\n{t}" for t in terms)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    start, end = plain_tokens(codes)
    h = span_hashes(codes, start, end)
    entry = np.cumsum(codes == 10)[start] - 1
    count = np.bincount(entry, minlength=len(terms))
    first = np.flatnonzero(np.concatenate(([True], entry[1:] != entry[:-1])))
    out = np.zeros(len(terms), dtype=np.uint64)
    for k in range(1, MAX_TOKENS + 1):
        at = first[count[entry[first]] == k]
        if len(at):
            out[entry[at]] = _run_hashes(h, k)[at]
    return out, count


@dataclass
class TermIndex:
    """Sorted term hashes per token count, each with a bit mask of its kinds."""

    hashes: dict[int, np.ndarray]
    kinds: dict[int, np.ndarray]
    bloom: np.ndarray  # one flag per top ``BLOOM_BITS`` bits of any term hash

    @classmethod
    def build(cls, lists: dict[str, str]) -> TermIndex:
        """Hash the (already normalised) terms of ``lists``; missing kinds match nothing."""
        parts: dict[int, list[tuple[np.ndarray, int]]] = {}
        for j, kind in enumerate(KINDS):
            terms = [t for t in lists.get(kind, "").split("\n") if t]
            if not terms:
                continue
            h, count = term_hashes(terms)
            for k in range(1, MAX_TOKENS + 1):
                if (count == k).any():
                    parts.setdefault(k, []).append((h[count == k], 1 << j))
        hashes, kinds = {}, {}
        for k, found in parts.items():
            h = np.concatenate([x for x, _ in found])
            bits = np.concatenate([np.full(len(x), b, dtype=np.uint8) for x, b in found])
            uniq, inverse = np.unique(h, return_inverse=True)
            mask = np.zeros(len(uniq), dtype=np.uint8)
            np.bitwise_or.at(mask, inverse, bits)
            hashes[k], kinds[k] = uniq, mask
        bloom = np.zeros(1 << BLOOM_BITS, dtype=bool)
        for h in hashes.values():
            bloom[h >> _BLOOM_SHIFT] = True
        return cls(hashes, kinds, bloom)


@dataclass
class TermMatches:
    """Matched terms: document, kind (index into ``KINDS``) and token range, per match."""

    doc: np.ndarray
    kind: np.ndarray
    first: np.ndarray  # first token (index into the plain tokens)
    last: np.ndarray  # last token


def match_terms(
    index: TermIndex, tok_doc: np.ndarray, tok_hash: np.ndarray, n_docs: int
) -> tuple[np.ndarray, TermMatches]:
    """Return the term columns (log1p of distinct terms per kind) and every match."""
    dense = np.zeros((n_docs, len(KINDS)))
    docs, kinds, firsts, lengths, keys = [], [], [], [], []
    for k, table in index.hashes.items():
        if len(tok_hash) < k:
            continue
        runs = _run_hashes(tok_hash, k)
        at = np.flatnonzero(index.bloom[runs >> _BLOOM_SHIFT])  # cheap prefilter
        if k > 1:
            at = at[tok_doc[at] == tok_doc[at + k - 1]]
        pos = np.minimum(np.searchsorted(table, runs[at]), len(table) - 1)
        found = table[pos] == runs[at]
        at, pos = at[found], pos[found]
        if len(at) == 0:
            continue
        mask = index.kinds[k][pos]
        for j in range(len(KINDS)):
            on = at[(mask >> j) & 1 == 1]
            docs.append(tok_doc[on])
            kinds.append(np.full(len(on), j))
            firsts.append(on)
            lengths.append(np.full(len(on), k))
            keys.append(runs[on])
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return dense, TermMatches(empty, empty, empty, empty)
    doc, kind, first = np.concatenate(docs), np.concatenate(kinds), np.concatenate(firsts)
    last = first + np.concatenate(lengths) - 1
    key = np.concatenate(keys)
    order = np.lexsort((first, key, kind, doc))
    d, c, h = doc[order], kind[order], key[order]
    change = (d[1:] != d[:-1]) | (c[1:] != c[:-1]) | (h[1:] != h[:-1])
    distinct = np.concatenate((np.ones(1, dtype=bool), change))
    counts = np.zeros((n_docs, len(KINDS)))
    np.add.at(counts, (d[distinct], c[distinct]), 1.0)
    dense[:] = np.log1p(counts)
    return dense, TermMatches(doc[order], kind[order], first[order], last[order])
