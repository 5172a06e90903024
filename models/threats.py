"""Threat and harassment phrasing that needs no profanity ("watch your back").

Profanity-driven models miss threats written in plain words. ``THREAT_RE`` marks the
common constructions (a first-person future with a violent verb aimed at "you",
"I know where you live", "you will regret this", "should be dealt with", …) and their
third-person forms, the threats a news comment makes against someone it names ("I will
find the mayor and hurt him", "I know where the planner lives", "someone should pay him
a visit", "I hope he dies") on the normalised text; the match is one structure column
whose weight the models learn from the labelled data like any other feature (Jigsaw
threat rows carry it), never a verdict on its own. ``TRIGGERS`` lists words at least one
of which every construction contains; ``TARGETS`` (you, your, him, he, a word for a
person in ``NOUNS``, …) appear in all but the constructions that contain a
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
# Third-person objects: a pronoun, or a determiner and a word for a person ("that
# judge", "the mayor"), so "kill the bill" or "take out the trash" are not threats.
NOUNS = (
    "man", "men", "woman", "women", "guy", "guys", "girl", "boy", "kid", "kids", "child",
    "children", "family", "wife", "husband", "mayor", "judge", "reporter", "journalist",
    "author", "writer", "editor", "politician", "president", "minister", "senator",
    "councillor", "councilor", "planner", "officer", "cop", "cops", "teacher", "doctor",
    "nurse", "lawyer", "neighbour", "neighbor", "bitch", "bastard", "idiot", "traitor",
    "traitors", "scum", "pig", "pigs", "person", "people", "bloke", "dude", "liberal",
    "liberals", "leftist", "leftists",
)  # fmt: skip
_NAMED = rf"(?:the|that|this|those|these|his|her|their)\s+(?:\w+\s+)?(?:{'|'.join(NOUNS)})\b"
_PERSON = rf"(?:him|her|them|{_NAMED})\b"
# Violence that reads as a threat against any person ("I will kill that judge").
_STRONG = r"(?:kill|murder|stab|strangle|lynch|rape)"
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
    # Third person: the same intent against someone the comment names.
    rf"|{_WILL}\s+(?:find|get|catch|visit|track\s+down|hunt\s+down)\s+(?:\w+\s+){{1,3}}?"
    rf"and\s+(?:{_VIOLENT}|make)\s+{_PERSON}"
    rf"|{_WILL}\s+{_STRONG}\s+{_PERSON}"
    rf"|(?:i|we)\s+know\s+where\s+(?:he|she|they|{_NAMED})"
    r"\s+(?:lives|live|sleeps|sleep|works|parks|goes\s+to\s+school)"
    r"|(?:someone|somebody|people|we|they)\s+(?:should|ought\s+to|needs?\s+to|has\s+to|must)"
    r"\s+(?:go\s+(?:and\s+)?)?(?:pay\s+(?:him|her|them)\s+a\s+(?:little\s+)?visit"
    rf"|(?:{_STRONG}|hurt|shoot|hang|beat\s+up|string\s+up|take\s+out)\s+{_PERSON})"
    r"|(?:hope|wish)\s+(?:he|she|they|someone|somebody)\s+(?:dies|die|gets?\s+(?:killed|shot|hurt"
    r"|stabbed|murdered|lynched|hanged|raped|what's\s+coming)"
    r"|(?:kills|shoots|stabs|beats|murders|hurts)\s+(?:him|her|them|the|that|this|those|his|their))"
    rf"|(?:he|she|they|{_NAMED})\s+(?:deserves?\s+to|should|needs?\s+to|ought\s+to|must)\s+die\b"
    rf"|(?:he|she|they|you|u|{_NAMED})\s+(?:won't|wont|will\s+not)\s+be\s+safe\s*(?:[.!,;]|$|"
    r"walking|at\s+home|in\s+(?:his|her|their|your)|anywhere|for\s+long|much\s+longer)"
    r"|break\s+(?:his|her|their|your|ur)\s+(?:\w+\s+)?(?:legs?|neck|arms?|face|jaw|bones|skull"
    r"|knees?|fingers|teeth)"
    r"|(?:put|deserves?|needs?)\s+a\s+bullet\s+(?:in|through|between)"
    r"|bullet\s+(?:in|through|between)\s+(?:his|her|their|your|ur|the)\s+(?:head|brain|skull|eyes)"
    r"|line\s+(?:them|'em|em|those\s+\w+|these\s+\w+|the\s+\w+)\s+up\s+(?:against|and\s+shoot)"
    r"|deserves?\s+a\s+(?:good\s+)?(?:beating|bullet|rope|noose|kicking)"
    rf"|(?:put|send)\s+{_PERSON}\s+(?:in|to|into)\s+(?:the\s+)?(?:hospital|ground|grave|morgue)"
    r"|swing(?:ing)?\s+from\s+(?:a|the)\s+(?:lamp\s*post|tree|rope|gallows)"
    r"|what's\s+coming\s+to\s+(?:him|her|them|you|u)\b"
    r"|(?:burn|torch)\s+(?:his|her|their|your|ur)\s+(?:house|home|office|car|shop)"
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
    "kys", "hope", "lynch", "hang", "string", "take", "wish", "burn", "torch", "safe",
    "break", "bullet", "line", "beating", "rope", "noose", "kicking", "send", "swing",
    "swinging",
)  # fmt: skip
TARGETS = (
    "you", "u", "ya", "your", "ur", "yourself", "urself", "him", "her", "them", "he", "she",
    "they", "his", "their", "someone", "somebody", *NOUNS,
)  # fmt: skip
STANDALONE = (
    "eye", "happens", "kys", "shot", "hanged", "hung", "killed", "executed", "dealt",
    "eliminated", "exterminated", "beaten", "lynched", "down", "bullet", "beating", "rope",
    "noose", "kicking", "swing", "swinging",
)  # fmt: skip
