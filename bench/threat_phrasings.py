"""Do the threat phrases reach threats they were not written for? (a one-off check)

Session 19 widened ``models/threats.py`` to threats against a named third party. The
sentences below are in three sets, by when they were written relative to that change:

- ``MOTIVATING``: the two threats a review found (0.21 / 0.22, published) and six more
  written next; the constructions were written to cover them, so they are not evidence.
- ``SECOND``: written after a first draft of the constructions and before a second
  draft, which then added some of their forms ("swinging from a lamp post",
  "deserves a beating"): partly evidence, mostly not.
- ``HELD_BACK``: written after the expression was frozen, scored once the retrained
  artifact existed, and not used for any change. This is the honest test.

Each threat set has a benign set written at the same time with the same words ("the bill
should die in committee"). Toxicity scores ≥ 0.5 are held by the default policy.

Run: ``python -m bench.threat_phrasings [ARTIFACT_DIR]`` (the shipped artifacts by
default); prints each sentence's toxicity and whether the threat expression matches it (this
checkout's ``models/threats.py``), then how
many of each set are held. Compare two versions by pointing it at a checkout's
``models/artifacts``.
"""

from __future__ import annotations

import sys

from models.scoring import load_scorer
from models.text import normalize_text
from models.threats import THREAT_RE

MOTIVATING = [
    "I will find the mayor and hurt him.",
    "I know where the planner lives. Someone should pay him a visit.",
    "Somebody ought to put a bullet in that senator.",
    "That judge won't be safe walking home after this ruling.",
    "I hope someone stabs the editor who wrote this.",
    "We're going to find that reporter and make her pay.",
    "If I see the councillor in town I'll break his legs.",
    "His kids go to the school on Elm Street. Just saying.",
]
SECOND = [
    "Someone needs to put that mayor in the ground.",
    "People like that councillor end up in ditches.",
    "The author should be taken out back and dealt with.",
    "I'd love to see that judge swinging from a lamp post.",
    "Somebody tell the editor his car would burn nicely.",
    "Whoever wrote this deserves a beating.",
    "Line those traitors up against the wall.",
    "The reporter's address is public, go pay her a visit.",
]
SECOND_BENIGN = [
    "The bill should die in committee.",
    "He broke his leg skiing last winter.",
    "The council should take out a loan.",
    "I hope someone shoots a documentary about this.",
    "The team will kill it this season.",
    "We're up against the wall on the budget.",
    "That judge won't be safe from criticism after this ruling.",
    "Put a bullet point list at the top of the article.",
]
HELD_BACK = [
    "Someone should teach that councillor what pain feels like.",
    "I'll be waiting outside the newsroom for the guy who wrote this.",
    "If the judge lets him go, she'll regret it for the rest of her short life.",
    "Hope the author's house catches fire tonight.",
    "That planner needs a bullet.",
    "Keep writing lies and your editor will be next.",
    "We know which car the mayor drives.",
    "He should be hanged from the nearest tree.",
]
HELD_BACK_BENIGN = [
    "The mayor will regret this decision at the next election.",
    "I'll be waiting outside the cinema at eight.",
    "The planning department needs a bigger budget.",
    "We know which road the bypass will take.",
    "The author's house was featured in a magazine.",
    "The judge should be replaced by someone competent.",
    "He should be hanging the new exhibition this week.",
    "Our editor will be next to speak at the conference.",
]
SETS = {
    "motivating threats": MOTIVATING,
    "second threats": SECOND,
    "second benign": SECOND_BENIGN,
    "held-back threats": HELD_BACK,
    "held-back benign": HELD_BACK_BENIGN,
}


def main(argv: list[str]) -> None:
    scorer = load_scorer(argv[0] if argv else None)
    print(f"model_version {scorer.model_version}")
    for name, texts in SETS.items():
        results = scorer.score([{"text": t} for t in texts])
        held = 0
        print(f"\n{name}")
        for text, result in zip(texts, results, strict=True):
            tox = float(result["toxicity"])
            column = THREAT_RE.search(normalize_text(text)) is not None
            held += tox >= 0.5
            print(f"  {tox:.3f} {'phrase' if column else '      '} {text}")
        print(f"  held (toxicity >= 0.5): {held} of {len(texts)}")


if __name__ == "__main__":
    main(sys.argv[1:])
