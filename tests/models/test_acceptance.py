"""Product acceptance on the shipped artifacts: obvious news-site spam vs ordinary comments.

The sentences were written before the spam-term model was trained and are not adjusted to
make it pass; the one that still fails is marked ``xfail`` with its reason. Spam must score at least the default publish threshold (0.5: it is held or
rejected, never published); ordinary news comments, with or without a cited link, must
stay below it.
"""

from __future__ import annotations

import pytest

from models.scoring import Scorer, load_scorer

PUBLISH_BELOW = 0.5

NEWS_SITE_SPAM = [
    # pharma
    "viagra viagra viagra cialis levitra",
    "Buy cheap viagra and cialis online without prescription http://pharma-store.example",
    "Best online pharmacy, order tramadol and xanax with no prescription, fast delivery",
    # casino / betting
    "Cheap viagra!!! Buy now at http://cheap-pills.example  http://bit.ly/xyz WIN $$$ casino bonus",
    "Play at the best online casino, get 200 free spins and a 100% deposit bonus today "
    "http://lucky-slots.example",
    # replica goods
    "Nice post. I like it. Visit my site for cheap replica watches http://replica.example",
    "Replica Rolex and Louis Vuitton handbags at wholesale prices, free shipping worldwide",
    # loans
    "Need a loan? We offer fast payday loans with no credit check, apply online today "
    "http://quick-cash-loans.example",
    # crypto
    "I invested $500 with Mr. James on his bitcoin trading platform and got $8,000 in a week, "
    "contact him on WhatsApp +1 415 555 0123",
    # work from home
    "Work from home and earn $300 a day with Google! I started this job last month, see "
    "http://easy-home-income.example for details",
    # SEO link drops
    "We provide high quality backlinks and SEO services to boost your Google ranking "
    "http://best-seo-backlinks.example",
    # bot flattery with a link
    "Hello there! This is my first comment here so I just wanted to give a quick shout out and "
    "tell you I really enjoy reading your articles.",
    "Great post! I have been browsing online more than three hours today, yet I never found "
    "any interesting article like yours. http://my-blog-site.example",
]

# Self-promotion without a link (models/promotion.py): written before that column was
# trained; not in bench/model_choices.py or the card's examples. (The previous version
# already held all three: 0.998 / 1.0 / 0.968; now 1.0 / 1.0 / 0.996.)
SELF_PROMOTION = [
    "Loved this. I'm a new youtuber and I review local restaurants, please subscribe!",
    "check out my channel for the full interview, sub to me and I will sub back",
    "Nice piece. Go visit my page for daily crypto tips.",
]

NEWS_COMMENTS = [
    "The council should have published the budget figures before the vote, not after.",
    "I disagree with the author: the new bus lanes have made my commute much faster.",
    "Inflation fell to 3.2% according to the ONS: "
    "https://www.ons.gov.uk/economy/inflationandpriceindices",
    "The study they mention is here, worth reading the methods section: "
    "https://doi.org/10.1038/s41586-020-2649-2",
    pytest.param(
        "BBC covered this last week with more detail on the flooding: "
        "https://www.bbc.co.uk/news/uk-england-68123456",
        # Known failure (MODEL_CARD.md): a short comment that is mostly one link still
        # scores above 0.5 (0.62 before the spam terms, 0.56 after, 0.86 with the fixed
        # calibration); held for a moderator, not rejected (below 0.95).
        marks=pytest.mark.xfail(reason="short comment that is mostly a link", strict=True),
    ),
    "Great article, thanks. My grandmother lived on that street in the 1950s.",
    "Does anyone know whether the road closure also affects the number 12 bus?",
    "Doctors warn that buying prescription drugs from unregulated websites is dangerous.",
    "The casino project was rejected by the planning committee for the third time.",
]


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return load_scorer()


def _spam(scorer: Scorer, text: str) -> float:
    return float(scorer.score([{"text": text}])[0]["spam"])


@pytest.mark.parametrize("text", NEWS_SITE_SPAM)
def test_obvious_news_site_spam_is_not_published(scorer: Scorer, text: str) -> None:
    assert _spam(scorer, text) >= PUBLISH_BELOW


@pytest.mark.parametrize("text", SELF_PROMOTION)
def test_self_promotion_is_not_published(scorer: Scorer, text: str) -> None:
    """An appeal to visit the poster's channel or page is held or rejected as spam."""
    assert _spam(scorer, text) >= PUBLISH_BELOW


@pytest.mark.parametrize("text", NEWS_COMMENTS)
def test_ordinary_news_comments_are_published(scorer: Scorer, text: str) -> None:
    assert _spam(scorer, text) < PUBLISH_BELOW


def test_spam_terms_are_explained_with_spans(scorer: Scorer) -> None:
    text = "viagra viagra viagra cialis levitra"
    reasons = [r for r in scorer.score([{"text": text}])[0]["reasons"] if r["model"] == "spam"]
    terms = [r for r in reasons if r["text"].startswith("spam term: ")]
    assert terms, reasons
    for reason in terms:
        start, end = reason["span"]
        assert text[start:end].casefold() in reason["text"].casefold()


# Written before the identity-term balancing was trained (models/identity.py); none of
# them is in its training data or in bench/model_choices.py's printed probes.
IDENTITY_COMMENTS = [
    "I'm gay and I think the council got this decision right.",
    "As a Muslim parent, I welcome the new school timetable.",
    pytest.param(
        "My husband is Black and he was stopped twice on that road.",
        # Near the line: 0.499 before the retrain for the third-party threat phrases
        # (session 19), 0.502 after it: held. Identity-term bias, MODEL_CARD.md.
        marks=pytest.mark.xfail(reason="identity mention scored at the publish line", strict=True),
    ),
    "The Jewish community centre hosted the debate last night.",
    "I am a transgender woman and this article describes my experience well.",
    "Our lesbian neighbours organised the street party.",
    "Speaking as a deaf reader: please add subtitles to the videos.",
]


@pytest.mark.parametrize("text", IDENTITY_COMMENTS)
def test_a_comment_that_mentions_an_identity_is_published(scorer: Scorer, text: str) -> None:
    """Saying who you are is not abuse: such comments score below the publish line.

    Before the identity-term balancing the first and third were held (0.65 and 0.70).
    """
    assert float(scorer.score([{"text": text}])[0]["toxicity"]) < PUBLISH_BELOW


# Written before the dehumanising-phrase column was trained (models/dehumanising.py);
# none of them is in bench/model_choices.py's probes or in the training data.
DEHUMANISING_COMMENTS = [
    "Illegals are parasites bleeding this country dry.",
    "These migrants breed like rabbits and they are infesting our cities.",
    "Gays are a disease and should be wiped out.",
    # A known failure until session 19 (0.48: the column fired, but neither "Roma" nor
    # "savages" carried weight of its own); the retrain for the third-party threat phrases
    # moved it to 0.509 (MODEL_CARD.md). Near the line, like the identity comment above.
    "Roma are savages, every one of them.",
    "People like that don't belong in this country. Deport them all.",
]
NOT_DEHUMANISING = [
    "The article says migrants are sent to processing centres before any decision.",
    "Pest control says the rats are back in the old market.",
    pytest.param(
        "My neighbour's kids kicked the ball back over the fence.",
        # Known failure (MODEL_CARD.md), not from the column (it does not match): "kicked"
        # reads as violence; 0.53 before this version too.
        marks=pytest.mark.xfail(reason="'kicked' reads as violence", strict=True),
    ),
    "Deportation cases take two years on average, according to the report.",
]


@pytest.mark.parametrize("text", DEHUMANISING_COMMENTS)
def test_dehumanising_abuse_without_profanity_is_not_published(scorer: Scorer, text: str) -> None:
    """Calling a group vermin or a disease is abuse with no profane word in it: held or
    rejected, with the phrase as a reason."""
    (result,) = scorer.score([{"text": text}])
    assert result["toxicity"] >= PUBLISH_BELOW
    assert any(r["model"] == "toxicity" and r["kind"] == "pattern" for r in result["reasons"])


@pytest.mark.parametrize("text", NOT_DEHUMANISING)
def test_news_sentences_with_the_same_words_are_published(scorer: Scorer, text: str) -> None:
    """The same words (migrants, rats, back, deportation) in ordinary sentences."""
    assert float(scorer.score([{"text": text}])[0]["toxicity"]) < PUBLISH_BELOW


# Written before the disguised-link column was trained (models/disguised.py); none of them
# is in its training data or in bench/model_choices.py.
DISGUISED_LINK_SPAM = [
    "Earn $400 a day working from home, all the details at quick-income(dot)com",
    "Great article! For cheap pills without prescription visit pharmadeals . biz",
    "I made $7,000 last month from my laptop, read my story at bit.ly\\Gh72kQ",
    "Lose 10 kg in two weeks with this one trick: slimfast-secret*com",
]
NOT_DISGUISED = [
    "My uncle lost his savings in the dot com bubble, and he still talks about it.",
    "The ball hit the net. Net result: a goal in the final minute and a happy crowd.",
]


@pytest.mark.parametrize("text", DISGUISED_LINK_SPAM)
def test_spam_with_a_disguised_link_is_not_published(scorer: Scorer, text: str) -> None:
    """A web address written so a link filter misses it is held or rejected, and the
    disguise is a reason that points at it."""
    (result,) = scorer.score([{"text": text}])
    assert result["spam"] >= PUBLISH_BELOW
    hits = [r for r in result["reasons"] if r["text"].startswith("disguised link: ")]
    assert hits and hits[0]["model"] == "spam" and hits[0]["kind"] == "pattern", result
    start, end = hits[0]["span"]
    assert hits[0]["text"] == f"disguised link: {text[start:end]}"


@pytest.mark.parametrize("text", NOT_DISGUISED)
def test_prose_that_looks_like_a_disguised_link_is_published(scorer: Scorer, text: str) -> None:
    assert _spam(scorer, text) < PUBLISH_BELOW


# Found in review (session 18), after training: threats against a named third party. The
# threat phrases (models/threats.py) were written in the second person, so both were
# published (0.21 and 0.22); session 19 added third-person constructions and retrained.
THIRD_PARTY_THREATS = [
    "I will find the mayor and hurt him.",
    "I know where the planner lives. Someone should pay him a visit.",
]


@pytest.mark.parametrize("text", THIRD_PARTY_THREATS)
def test_a_threat_against_a_third_party_is_not_published(scorer: Scorer, text: str) -> None:
    """A threat against someone named in the third person is held, like one against "you"."""
    assert float(scorer.score([{"text": text}])[0]["toxicity"]) >= PUBLISH_BELOW
