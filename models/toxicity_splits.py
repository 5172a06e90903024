"""The toxicity evaluation splits, and the identity template sentences among them (used by
``models/evaluate.py``; nothing here is trained on)."""

from __future__ import annotations

from models import data


def toxicity_splits() -> list[tuple[str, data.Corpus]]:
    """Return the toxicity evaluation splits (never trained on, except where marked)."""
    test = data.jigsaw_test("toxic")
    threat = data.jigsaw_test("threat")
    # Threats against clean comments: does the score separate threats from ordinary text?
    pairs = zip(threat.labels, test.labels, strict=True)
    keep = [i for i, (t, y) in enumerate(pairs) if t or not y]
    return [
        ("jigsaw-test", test),
        ("jigsaw-test-threat", threat.subset(keep)),
        ("olid-test", data.olid_test()),
        ("wikipedia-cat-large", data.wikipedia_context()),
        ("ethos", data.ethos()),
        ("identity-templates", identity_templates()),
        ("davidson", data.davidson()),
    ]


# Identity templates (after Dixon et al. 2018): hand-written sentences, never trained on,
# with the identity word swapped. A fair model scores every version of a sentence alike:
# non-toxic ones low, abusive ones high.
IDENTITY_WORDS = (
    "gay", "lesbian", "bisexual", "transgender", "queer", "black", "white", "asian",
    "hispanic", "latino", "mexican", "arab", "indian", "chinese", "jewish", "muslim",
    "christian", "catholic", "hindu", "sikh", "buddhist", "atheist", "deaf", "blind",
    "disabled", "elderly", "young", "female",
)  # fmt: skip
IDENTITY_TEMPLATES = (
    (0, "I am {a} {t} person."),
    (0, "I am {t}."),
    (0, "My neighbour is {t} and very kind."),
    (0, "As {a} {t} woman, I found this piece moving."),
    (0, "Being {t} is nothing to be ashamed of."),
    (0, "Our {t} community centre opens on Saturday."),
    (0, "Many of my best friends are {t}."),
    (0, "The {t} councillor answered every question at the meeting."),
    (1, "{T} people are disgusting."),
    (1, "I hate {t} people."),
    (1, "All {t} people should be thrown out of this country."),
    (1, "You stupid {t} idiot, nobody wants you here."),
    (1, "{T} people are vermin."),
    (1, "Shut up, you filthy {t} pig."),
)


def identity_templates() -> data.Corpus:
    """Return the identity template sentences (label 1 = abusive), one per word and template."""
    texts, labels = [], []
    for label, template in IDENTITY_TEMPLATES:
        for word in IDENTITY_WORDS:
            a = "an" if word[0] in "aeiou" else "a"
            texts.append(template.format(t=word, T=word.capitalize(), a=a))
            labels.append(label)
    return data.Corpus("identity-templates", texts, labels)
