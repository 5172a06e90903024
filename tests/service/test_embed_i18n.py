"""The embed's one string catalogue: every language complete, the right one picked."""

from __future__ import annotations

import re

import pytest

from service.embed import i18n

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLURAL_FORM = re.compile(r"_(zero|one|two|few|many|other)$")


def test_every_language_has_exactly_the_english_strings_and_placeholders() -> None:
    """Each language translates every English string, with the same {placeholders}; a
    plural form may leave out its {count} where the language says the number in the
    word (Arabic "خلال ثانيتين", in two seconds, as CLDR has it)."""
    cat = i18n.catalogue()
    english = cat["en"]
    assert len(cat) >= 2
    for lang, strings in cat.items():
        assert set(strings) == set(english), lang
        for key, text in strings.items():
            expected = set(PLACEHOLDER.findall(english[key]))
            if PLURAL_FORM.search(key):
                expected -= {"count"}
            assert (
                expected <= set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(english[key]))
            ), (lang, key)


def test_every_server_field_error_code_has_a_translation() -> None:
    """Each stable field error code of service/validation.py has an err_<code> string."""
    from service.validation import MESSAGES

    for code in MESSAGES:
        assert f"err_{code}" in i18n.catalogue()["en"]


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("fr", "fr"), ("fr-CA", "fr"), ("FR_be", "fr"), ("ar-EG", "ar"), ("de", "en"), ("", "en")],
)
def test_pick_matches_the_tag_then_its_primary_subtag_then_english(tag: str, lang: str) -> None:
    """A BCP 47 tag picks its language, then its primary subtag, then English."""
    assert i18n.pick(tag) == lang


def test_arabic_is_right_to_left_and_translated() -> None:
    """Arabic renders right to left, with its own strings and English as fallback."""
    assert i18n.direction("ar") == "rtl"
    assert i18n.direction("fr") == "ltr"
    t = i18n.translator("ar")
    assert t("submit") == "نشر التعليق"
    assert t("err_too_long", limit=80) == "النص طويل جدًا: 80 حرفًا على الأكثر."


def test_every_language_has_plural_rules() -> None:
    """The server picks plural forms by CLDR's rules for each catalogue language."""
    assert set(i18n.PLURAL_RULES) == set(i18n.catalogue())


@pytest.mark.parametrize(
    ("lang", "seconds", "said"),
    [
        ("en", 1, "in 1 second"),
        ("en", 40, "in 40 seconds"),
        ("en", 60, "in 1 minute"),
        ("en", 90, "in 2 minutes"),
        ("fr", 1, "dans 1 seconde"),
        ("fr", 40, "dans 40 secondes"),
        ("fr", 120, "dans 2 minutes"),
        ("ar", 1, "خلال ثانية واحدة"),
        ("ar", 2, "خلال ثانيتين"),
        ("ar", 3, "خلال 3 ثوانٍ"),
        ("ar", 40, "خلال 40 ثانية"),
        ("ar", 120, "خلال دقيقتين"),
        ("ar", 600, "خلال 10 دقائق"),
        ("ar", 6000, "خلال 100 دقيقة"),
    ],
)
def test_a_wait_is_said_in_seconds_then_whole_minutes(lang: str, seconds: int, said: str) -> None:
    """A wait under a minute is said in seconds, longer ones in minutes rounded up, with
    each language's plural forms (tests/browser checks them against Chromium's Intl)."""
    assert i18n.wait_text(lang, seconds) == said
