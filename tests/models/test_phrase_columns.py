"""Threat, dehumanising and self-promotion phrasing, and disguised links, become structure
columns, found where typed (``models.signals.PHRASES``)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from models.dehumanising import DEHUMANISING_RE
from models.disguised import DISGUISED_LINK_RE
from models.featurize import analyze
from models.promotion import PROMOTION_RE
from models.signals import NAMES, PHRASES, SignalLists
from models.text import normalize_text
from models.threats import THREAT_RE

THREATS = [
    "Watch your back.",
    "I know where you live.",
    "I will find you.",
    "We're going to hunt you down",
    "I'll make you pay for this",
    "You will regret this",
    "you're dead meat",
    "Your days are numbered",
    "Keep it up and see what happens to your car",
    "Someone should teach you a lesson",
    "I'll show up at your door",
    "People like that should be dealt with",
    "I'm coming for you",
    "Sleep with one eye open",
    "They'll put you in the hospital",
    "I hope you die",
    "kys",
    "I will kill him",
    # Third person: the same intent against someone the comment names.
    "I will find the mayor and hurt him.",
    "I know where the planner lives.",
    "Someone should pay him a visit",
    "somebody needs to shoot that judge",
    "I'm going to kill that reporter",
    "I hope he dies",
    "he will get what's coming to him",
    "someone should burn his house down",
    "Somebody ought to put a bullet in that senator.",
    "That judge won't be safe walking home after this ruling.",
    "I hope someone stabs the editor who wrote this.",
    "We're going to find that reporter and make her pay.",
    "If I see the councillor in town I'll break his legs.",
    "Someone needs to put that mayor in the ground.",
    "I'd love to see that judge swinging from a lamp post.",
    "Whoever wrote this deserves a beating.",
    "Line those traitors up against the wall.",
    "That planner deserves to die",
]
NOT_THREATS = [
    "I'll get back to you tomorrow",
    "I will find you the link",
    "Watch the back row",
    "We know where the office is",
    "You will enjoy this article",
    "The report should be published soon",
    "We should kill the bill before the vote",
    "Someone should take out the trash",
    "they should hang that picture in the hall",
    "I will get the kids and take them home",
    "I hope she gets better soon",
    "I know where the money goes",
    "We need to deal with them at the next meeting",
    "I'll burn the old letters",
    "The bill should die in committee.",
    "He broke his leg skiing last winter.",
    "The council should take out a loan.",
    "I hope someone shoots a documentary about this.",
    "The team will kill it this season.",
    "We're up against the wall on the budget.",
    "That judge won't be safe from criticism after this ruling.",
    "Put a bullet point list at the top of the article.",
]
DEHUMANISING = [
    "Immigrants are vermin.",
    "those people are nothing but parasites",
    "They're animals, all of them",
    "Refugees are a plague on this country",
    "they are sub-human",
    "These foreigners are not even human",
    "they breed like rats",
    "migrants infesting our streets",
    "Go back to your own country",
    "go back where you came from",
    "send them all back",
    "kick them all out of the country",
    "they should be deported",
    "Muslims must be thrown out of this country",
    "you don't belong in this country",
    "deport them",
]
NOT_DEHUMANISING = [
    "Rats are vermin and the council should act.",
    "Most people are cancer survivors in this group",
    "They are animal lovers.",
    "I'll go back to the shop tomorrow",
    "Send the form back by Friday",
    "The evidence should be thrown out, the judge said.",
    "The parcel should be sent back to the warehouse",
    "That chair doesn't belong in the kitchen",
]
PROMOTION = [
    "Check out my channel!",
    "check out my new music video",
    "Check me out, I rap",
    "sub to me pls",
    "Please subscribe",
    "plz check out my page",
    "follow 4 follow",
    "like4like",
    "search for my channel on youtube",
    "I'm a new youtuber",
    "im a 15 year old rapper",
    "listen to my mixtape",
]
NOT_PROMOTION = [
    "Check out the council's own figures on page 4.",
    "I like this song",
    "Please explain why the budget was cut",
    "My channel of choice for news is the BBC",
    "Watch the second half of the video",
    "I'm a new reader of this paper",
]
DISGUISED = [
    "watch it free at freemovies(dot)com",
    "go to tinyurl(dot)com(slash)abc123",
    "visit example [dot] net today",
    "join the fight at rand paul dot com",
    "my page is mybeats.weebly . com",
    "only at pimpmyviews. com",
    "check out authenticviews*com",
    "free iPad here bit.ly\\Kw769F",
    "hxxp://bad.example/x",
]
NOT_DISGUISED = [
    "Read the report at https://www.bbc.co.uk/news/12345",
    "I like it. Com on, you know it's true.",
    "He lost it all in the dot com bubble.",
    "She worked at a dot-com company in 1999",
    "I went to the club. Top of the list was the DJ.",
    "The ball hit the net. Net result: a goal",
    "Connect the dots, com'on",
    "e-mail me at jane@example.org",
    "write to me: jane (at) mailbox (dot) org",
    "my address is john dot smith at gmail dot com",
    "it's normally hot mail. com",
]
CASES = {
    "threat": (THREAT_RE, THREATS, NOT_THREATS),
    "dehumanising": (DEHUMANISING_RE, DEHUMANISING, NOT_DEHUMANISING),
    "promotion": (PROMOTION_RE, PROMOTION, NOT_PROMOTION),
    "disguised_link": (DISGUISED_LINK_RE, DISGUISED, NOT_DISGUISED),
}


def _column(name: str, texts: list[str]) -> np.ndarray:
    batch = analyze(texts, {}, SignalLists({}))
    return batch.dense[:, NAMES.index(name)]


@pytest.mark.parametrize("name", CASES)
def test_constructions_set_the_column_and_ordinary_text_does_not(name: str) -> None:
    """Each listed construction fires; ordinary sentences with the same words do not."""
    _, matches, ordinary = CASES[name]
    value = PHRASES[name].value
    assert _column(name, matches).tolist() == [value] * len(matches)
    assert _column(name, ordinary).tolist() == [0.0] * len(ordinary)


@pytest.mark.parametrize(
    ("name", "text"), [(name, t) for name, (_, a, b) in CASES.items() for t in a + b]
)
def test_word_prefilter_never_hides_a_match(name: str, text: str) -> None:
    """The trigger-word test lets through every text the expression matches."""
    pattern: re.Pattern[str] = CASES[name][0]
    expected = pattern.search(normalize_text(text)) is not None
    assert bool(_column(name, [text])[0]) == expected


@pytest.mark.parametrize(
    ("name", "text", "typed"),
    [
        ("threat", "ok. w4tch y0ur b4ck, friend", "w4tch y0ur b4ck"),
        ("dehumanising", "honestly, m1gr4nts are v\u200berm1n. sad", "m1gr4nts are v\u200berm1n"),
        ("promotion", "Hey!! ch3ck 0ut my ＣＨＡＮＮＥＬ :)", "ch3ck 0ut my ＣＨＡＮＮＥＬ"),
        (
            "disguised_link",
            "free HD at ｍｏｖｉｅｓ (ｄｏｔ) ｃｏｍ!",
            "ｍｏｖｉｅｓ (ｄｏｔ) ｃｏｍ",
        ),
    ],
)
def test_obfuscated_phrase_is_found_and_spanned_as_typed(name: str, text: str, typed: str) -> None:
    """Leetspeak, zero-width and full-width characters are normalised first; the span
    covers the original characters."""
    batch = analyze([text], {}, SignalLists({}))
    (hit,) = [h for h in batch.hits[0] if h.feature == name]
    assert hit.span is not None and text[hit.span[0] : hit.span[1]] == typed
