"""Threat and harassment phrasing that needs no profanity ("watch your back").

Profanity-driven models miss threats written in plain words. ``THREAT_RE`` marks the
common constructions (a first-person future with a violent verb aimed at "you",
"I know where you live", "you will regret this", "should be dealt with", …) on the
normalised text; the match is one structure column whose weight the models learn
from the labelled data like any other feature (Jigsaw threat rows carry it), never a
verdict on its own. ``TRIGGERS`` lists words at least one of which every construction
contains; ``TARGETS`` (you, your, …) appear in all but the constructions that contain a
``STANDALONE`` word. The expression only runs on comments that pass those word tests.
"""

from __future__ import annotations

import re

_WILL = (
    r"(?:i\s*(?:will|'ll|’ll|am going to|'m going to|’m going to|am gonna|'m gonna|’m gonna"
    r"|gonna|shall)|we\s*(?:will|'ll|’ll|are going to|'re going to|are gonna|'re gonna))"
)
_YOU = r"(?:you|u|ya|your|ur|yourself|him|her|them)"
_VIOLENT = (
    r"(?:kill|murder|hurt|hunt|track|beat|smash|stab|shoot|strangle|choke|destroy|bury"
    r"|slit|rape|come\s+for|come\s+after)"
)
THREAT_RE = re.compile(
    r"\b(?:"
    rf"{_WILL}\s+{_VIOLENT}\s+(?:\w+\s+)?{_YOU}\b"
    rf"|{_WILL}\s+find\s+(?:you|u|ya)\s*(?:[.!,;]|$|and\b)"
    rf"|{_WILL}\s+make\s+(?:you|u)\s+(?:pay|regret|suffer|bleed|sorry)"
    r"|(?:watch|cover|mind)\s+(?:your|ur)\s+back"
    r"|(?:i|we)\s+know\s+where\s+(?:you|u|your\s+\w+)\s+(?:live|work|sleep|go\s+to\s+school)"
    r"|(?:i'm|i’m|i\s+am|we're|we\s+are)\s+coming\s+(?:for|after)\s+(?:you|u)\b"
    r"|sleep\s+with\s+one\s+eye\s+open"
    r"|(?:you|u)\s*(?:will|'ll|’ll|are going to|'re going to|are gonna|'re gonna|gonna)\s+"
    r"(?:\w+\s+)?(?:regret|pay\s+for|be\s+sorry|die|suffer|bleed|get\s+hurt|disappear)"
    r"|(?:you're|you’re|you\s+are|ur)\s+(?:a\s+)?(?:dead|finished|done\s+for)(?:\s+(?:man|meat))?\b"
    r"|(?:your|ur)\s+days\s+are\s+numbered"
    r"|(?:see|wait\s+and\s+see)\s+what\s+happens\s+(?:to|when|if)"
    r"|teach\s+(?:you|u)\s+a\s+lesson"
    r"|(?:hunt|track)\s+(?:you|u)\s+down"
    r"|(?:show|turn)\s+up\s+at\s+(?:your|ur)\s+(?:door|house|home|work|place)"
    r"|(?:should|must|will|deserve\s+to|ought\s+to)\s+be\s+(?:shot|hanged|hung|killed|executed"
    r"|dealt\s+with|eliminated|exterminated|beaten|lynched|put\s+down)"
    r"|(?:put|send)\s+(?:you|u)\s+(?:in|to)\s+(?:the\s+)?(?:hospital|ground|grave|morgue)"
    r"|hope\s+(?:you|u)\s+(?:die|get\s+(?:killed|raped|hurt|shot|cancer))"
    r"|kill\s+(?:yourself|urself|your\s+self)|kys\b"
    r")"
)
# Every alternative above contains one of these words, and one of TARGETS unless it
# contains one of STANDALONE.
TRIGGERS = (
    "kill", "murder", "hurt", "hunt", "track", "beat", "smash", "stab", "shoot", "strangle",
    "choke", "destroy", "bury", "slit", "rape", "come", "find", "make", "back", "where",
    "coming", "eye", "regret", "pay", "sorry", "die", "suffer", "bleed", "disappear", "dead",
    "finished", "done", "numbered", "happens", "lesson", "door", "house", "home", "work",
    "place", "shot", "hanged", "hung", "killed", "executed", "dealt", "eliminated",
    "exterminated", "beaten", "lynched", "put", "hospital", "ground", "grave", "morgue",
    "kys", "hope",
)  # fmt: skip
TARGETS = ("you", "u", "ya", "your", "ur", "yourself", "urself", "him", "her", "them")
STANDALONE = (
    "eye", "happens", "kys", "shot", "hanged", "hung", "killed", "executed", "dealt",
    "eliminated", "exterminated", "beaten", "lynched", "down",
)  # fmt: skip
