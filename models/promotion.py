"""Self-promotion phrasing: "check out my channel", "sub to me", "like 4 like".

Comment spam on videos and articles is often an appeal to visit the poster's own page,
channel or music, with no link and no listed word ("Check me out! I'm kyle. I rap").
``PROMOTION_RE`` marks the common constructions on the normalised text: an invitation to
look at *my/our* channel, page, music or site; "check me out", "sub to me"; a plea
("please subscribe", "pls like"); "follow 4 follow"; "I'm a new youtuber / rapper". The
match is one structure column whose weight the spam model learns from the labelled
data, never a verdict on its own. ``TRIGGERS`` lists words one of which every
alternative contains: the expression only runs on comments that have one.
"""

from __future__ import annotations

import re

_OWN = (
    r"(?:channel|videos?|vids?|vlogs?|music|songs?|tracks?|page|blog|website|site|covers?"
    r"|playlist|mixtape|album|beats|stuff|art|shop|store|profile|account|insta|instagram"
    r"|twitter|facebook|stream|podcast|youtube)"
)
PROMOTION_RE = re.compile(
    r"\b(?:"
    rf"(?:check|checkout|look|listen|visit|watch)\s+(?:out\s+|at\s+|to\s+)?(?:my|our)\s+"
    rf"(?:\w+\s+){{0,2}}{_OWN}\b"
    r"|(?:check|look)\s+(?:me|us)\s+(?:out|up)\b"
    r"|(?:sub|subscribe|subscribing)\s+(?:to\s+)?(?:me|my|us|our)\b"
    r"|(?:please|plz|pls|plez|plzz)\s+(?:\w+\s+)?(?:subscribe|sub|follow|check\s+out|visit"
    r"|support\s+me|share\s+my)"
    # "like4like" is "likealike" once leetspeak inside a word is folded
    r"|(?:follow|like|sub|f)(?:\s*(?:4|for)\s*|a)(?:follow|like|sub|f)\b"
    rf"|(?:search|google|look\s+up|find)\s+(?:for\s+)?(?:my|our)\s+(?:\w+\s+)?{_OWN}\b"
    r"|(?:i'm|i’m|i\s+am|im)\s+(?:a\s+|an\s+)?(?:new|small|young|upcoming|up\s+and\s+coming"
    r"|aspiring|beginning|starting|\d+\s*(?:year|yr)s?\s*old)\s+(?:\w+\s+)?(?:youtuber|rapper"
    r"|singer|artist|musician|producer|gamer|vlogger|songwriter|dj)"
    r")"
)
# Every alternative above contains one of these words (tokens: runs of word characters).
TRIGGERS = (
    "check", "checkout", "look", "listen", "visit", "watch", "sub", "subscribe", "subscribing",
    "please", "plz", "pls", "plez", "plzz", "follow", "like", "f", "search", "google", "find",
    "youtuber", "rapper", "singer", "artist", "musician", "producer", "gamer", "vlogger",
    "songwriter", "dj",
    *(f"{a}a{b}" for a in ("follow", "like", "sub", "f") for b in ("follow", "like", "sub", "f")),
)  # fmt: skip
