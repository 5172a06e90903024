"""The embed's one string catalogue: every language complete, the right one picked."""

from __future__ import annotations

import re

import pytest

from service.embed import i18n

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_language_has_exactly_the_english_strings_and_placeholders() -> None:
    """Each language translates every English string, with the same {placeholders}."""
    cat = i18n.catalogue()
    english = cat["en"]
    assert len(cat) >= 2
    for lang, strings in cat.items():
        assert set(strings) == set(english), lang
        for key, text in strings.items():
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), (
                lang,
                key,
            )


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
