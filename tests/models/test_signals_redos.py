"""The link and e-mail patterns stay linear on hostile text and find what they found before.

Review finding: ``(?:[a-z0-9-]+\\.)+`` scanned to the end of a dotted run from every word
start, so 5,000 characters of "a.a.a.…" took 0.8 s per comment (quadratic), and a 40 KB
Akismet check timed a web process out. The bounded patterns must match exactly what the
unbounded ones matched; their speed is measured in ``bench/bench_hostile.py``.
"""

from __future__ import annotations

import random
import re

import pytest

from models import data
from models.signals import EMAIL_RE, URL_RE

TLDS = (
    "com|net|org|info|biz|ru|co|ly|io|me|us|uk|xyz|top|site|online"
    "|club|tk|gl|be|in|de|fr|ws|cc|link|live|shop|store|app|gg"
)
#: The patterns as they were before the fix, kept here as the reference.
OLD_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    rf"|\b(?:[a-z0-9-]+\.)+(?:{TLDS})\b(?:/[^\s<>\"'()\[\]]*)?"
)
OLD_EMAIL = re.compile(r"(?i)\b[\w.+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)\b")
ATOMS = ["a", "b", "1", "-", ".", "_", "@", "+", " ", "com", "net", "co", "uk", "ly",
         "www.", "http://", "/", "é", "..", "A", "COM"]  # fmt: skip


def _same(old: re.Pattern[str], new: re.Pattern[str], text: str) -> bool:
    return [m.span() for m in old.finditer(text)] == [m.span() for m in new.finditer(text)]


def test_the_bounded_patterns_match_like_the_old_ones_on_random_strings() -> None:
    """60,000 random strings built from the characters and words the patterns care about."""
    rng = random.Random(0)
    for _ in range(60_000):
        text = "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 14)))
        assert _same(OLD_URL, URL_RE, text), text
        assert _same(OLD_EMAIL, EMAIL_RE, text), text


@pytest.mark.parametrize("corpus", ["youtube", "youtube_pilot", "sms", "link_ham", "janitr"])
def test_the_bounded_patterns_match_like_the_old_ones_on_real_comments(corpus: str) -> None:
    """Every comment of the link-rich datasets gets the same links and e-mail addresses."""
    texts = getattr(data, corpus)().texts
    assert texts
    for text in texts:
        assert _same(OLD_URL, URL_RE, text), text
        assert _same(OLD_EMAIL, EMAIL_RE, text), text


def test_hostile_runs_still_find_a_real_link_at_their_end() -> None:
    """The bound is on labels per host, not on the text: a link after a long run is found."""
    text = "a." * 2000 + " see example.com/x"
    assert [m.group() for m in URL_RE.finditer(text)] == ["example.com/x"]
