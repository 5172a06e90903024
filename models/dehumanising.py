"""Dehumanising and exclusionary phrasing about groups, which needs no profanity.

"Muslims are vermin and should be thrown out of this country." scored 0.32 for
toxicity: no word in it is profane, and the training data has few such sentences, so
n-grams alone cannot learn it. ``DEHUMANISING_RE`` marks the constructions that the
research on dehumanising language names (Mendelsohn, Tsvetkov and Jurafsky 2020, "A
Framework for the Computational Linguistic Analysis of Dehumanization"; the vermin,
disease and animal metaphors) and the exclusion formulas of anti-migrant abuse: a group
("immigrants", "these people", "they") said to be vermin, parasites, a plague or not
human; "breeding like rats"; "infesting our country"; "go back to your own country";
"should be deported / thrown out of this country"; "deport them all". The match is one
structure column whose weight the toxicity model learns from the labelled data (most of
its 22 matches in Jigsaw and OLID train are abusive), never a verdict on its own.

The expression was written from that literature and checked against the training data
and the Stormfront sentences (a development set here: not trained on, not an
evaluation split); the identity-template evaluation split was not used.
``TRIGGERS`` lists words one of which every alternative contains: the expression only
runs on comments that have one.
"""

from __future__ import annotations

import re

_GROUP = (
    r"(?:(?:all|most|these|those|the|many)\s+)?(?:(?:[a-z]+\s+)?(?:immigrants|migrants|refugees"
    r"|foreigners|illegals|aliens|gypsies|roma|blacks|whites|jews|muslims|moslems|arabs|mexicans"
    r"|africans|asians|indians|pakis|gays|lesbians|homosexuals|trannies|transgenders|women"
    r"|feminists|liberals|leftists|conservatives|democrats|republicans|christians|catholics"
    r"|hindus|atheists|people|folks|men)|they|them|you\s+people|your\s+kind|their\s+kind)"
)
_BE = r"(?:\s+(?:are|r|were|is)|\s*(?:'re|’re))"
_HEDGE = (
    r"(?:(?:all|just|only|nothing\s+but|no\s+better\s+than|like|basically|literally|simply"
    r"|worse\s+than|a\s+bunch\s+of|a\s+pack\s+of|such|filthy|dirty|disgusting|nothing\s+more\s+than)\s+)*"
)
_METAPHOR = (
    r"(?:sub-?\s?humans?|animals|vermin|parasites|cockroaches|roaches|rats|rodents|savages"
    r"|beasts|apes|monkeys|leeches|maggots|lice|plague|cancer|disease|infestation|filth|scum"
    r"|invaders|not\s+(?:even\s+)?(?:human|humans|human\s+beings|people))"
)
_NOT_A_NOUN_PHRASE = (  # "they are cancer patients", "people are animal lovers"
    r"(?!\s+(?:patients|survivors|research|cells|screening|treatment|rights|lovers|testing"
    r"|control|shelters?))"
)
_COUNTRY = r"(?:country|countries|nation|land|continent)"
DEHUMANISING_RE = re.compile(
    r"\b(?:"
    rf"{_GROUP}{_BE}\s+{_HEDGE}(?:(?:a|an|the)\s+)?(?:\w+\s+)?{_METAPHOR}\b{_NOT_A_NOUN_PHRASE}"
    r"|breed(?:ing|s)?\s+like\s+(?:rats|rabbits|animals|cockroaches|flies|vermin)"
    rf"|infest(?:ing|ed|s)?\s+(?:our|this|the|my)\s+(?:{_COUNTRY}|cities|city|towns?|streets"
    r"|neighbou?rhoods?|schools)"
    rf"|go\s+back\s+to\s+(?:your|their|ur)\s+(?:own\s+)?{_COUNTRY}"
    r"|go\s+back\s+(?:to\s+)?where\s+(?:you|they|u)\s+(?:came|come)\s+from"
    r"|(?:send|ship|kick|throw|boot)\s+(?:them|em|'em|all\s+of\s+them|every\s+(?:last\s+)?one\s+of"
    r"\s+them|these\s+\w+|those\s+\w+)\s+(?:all\s+)?(?:back|out)\s+(?:to|of|home)\b"
    r"|(?:send|ship)\s+(?:them|em|'em)\s+(?:all\s+)?back\b"
    r"|(?:should|must|need\s+to|needs\s+to|have\s+to|has\s+to|ought\s+to|deserve\s+to)\s+be\s+"
    r"(?:all\s+)?(?:deported|expelled|wiped\s+out|eradicated|gassed|sterili[sz]ed|purged"
    r"|exterminated|rounded\s+up"
    rf"|(?:thrown|kicked|driven)\s+out\s+of\s+(?:this|our|the|my)\s+{_COUNTRY}"
    r"|(?:sent|shipped)\s+back\s+(?:to\s+(?:their|where|africa|mexico|the\s+middle\s+east)|home))"
    rf"|(?:don't|do\s+not|dont|doesn't|does\s+not)\s+belong\s+in\s+(?:this|our)\s+{_COUNTRY}"
    r"|(?:deport|expel|exterminate|eradicate)\s+(?:them|all|every|these|those)\b"
    r")"
)
# Every alternative above contains one of these words (tokens: runs of word characters).
TRIGGERS = (
    "subhuman", "subhumans", "human", "humans", "animals", "vermin", "parasites", "cockroaches",
    "roaches", "rats", "rodents", "savages", "beasts", "apes", "monkeys", "leeches", "maggots",
    "lice", "plague", "cancer", "disease", "infestation", "filth", "scum", "invaders", "people",
    "breed", "breeding", "breeds", "infest", "infesting", "infested", "infests", "back",
    "kick", "throw", "boot", "send", "ship", "deported", "expelled", "wiped", "eradicated",
    "gassed", "sterilised", "sterilized", "purged", "exterminated", "rounded", "thrown", "kicked",
    "driven", "belong", "deport", "expel", "exterminate", "eradicate",
)  # fmt: skip
