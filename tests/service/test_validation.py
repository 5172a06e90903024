"""Pure validation of a submission: every field rule, all errors at once, no I/O."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from service.validation import MAX_REVISION, validate, validate_revision
from tests.factories import payload
from tests.service.test_privacy_addresses import LONG_WHEN_DECOMPOSED


def codes(data: dict[str, Any]) -> dict[str, str]:
    _, errors = validate(data)
    return {name: err["code"] for name, err in errors.items()}


def test_a_valid_submission_is_trimmed_and_normalised() -> None:
    """Fields are trimmed, CRLF becomes LF, the e-mail domain is normalised, site defaults."""
    data, errors = validate(
        payload(name="  Ada  ", text="  line one\r\nline two  ", email="ada@EXAMPLE.org")
    )
    assert errors == {}
    assert data is not None
    assert data.name == "Ada"
    assert data.text == "line one\nline two"
    assert data.email == "ada@example.org"
    assert data.site == "default"
    assert data.url is None and data.parent is None


def test_every_failing_field_is_reported_at_once() -> None:
    """Missing required fields and invalid optional ones are all listed together."""
    assert codes({"url": "ftp://x.example", "parent": "1"}) == {
        "thread": "required",
        "name": "required",
        "email": "required",
        "text": "required",
        "url": "invalid_url",
        "parent": "invalid_id",
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "   ", "required"),
        ("name", "x" * 81, "too_long"),
        ("name", "Ada\nLovelace", "control_characters"),
        ("text", "x" * 5001, "too_long"),
        ("text", "nul \x00 byte", "control_characters"),
        ("text", "bell \x07", "control_characters"),
        ("text", "\n\t \n", "required"),
        ("thread", "t" * 513, "too_long"),
        ("email", "not-an-address", "invalid_email"),
        ("email", "a@" + "b" * 250 + ".org", "too_long"),
        ("url", "javascript:alert(1)", "invalid_url"),
        ("url", "http://", "invalid_url"),
        ("url", "https://exa mple.org", "invalid_url"),
        ("url", 'https://ada.example/"onmouseover="x', "invalid_url"),
        ("url", "https://ada.example/<script>", "invalid_url"),
        ("url", "https://ada.example/a>b", "invalid_url"),
        ("name", 42, "invalid_type"),
        ("text", ["a"], "invalid_type"),
        ("site", "Not A Slug!", "invalid_site"),
    ],
)
def test_field_rules(field: str, value: Any, code: str) -> None:
    """Each rule of the intake contract yields its stable error code."""
    assert codes(payload(**{field: value})) == {field: code}


def test_limits_count_code_points_after_trimming() -> None:
    """5,000 characters of text pass even with emoji (code points, not UTF-16 units) and padding."""
    data, errors = validate(payload(text="  " + "😀" * 5000 + "  ", name="é" * 80))
    assert errors == {}
    assert data is not None and len(data.text) == 5000


def test_an_address_is_measured_as_stored() -> None:
    """An address of 96 letters sent decomposed (264 code points: ``ǖ`` is ``u``, a
    diaeresis and a macron) is taken and stored composed (it answered ``too_long``); one
    of 193 letters and 257 bytes in UTF-8 is refused saying so (it said only "Enter a
    valid e-mail address.")."""
    composed = LONG_WHEN_DECOMPOSED
    data, errors = validate(payload(email=unicodedata.normalize("NFD", composed)))
    assert errors == {} and data is not None and data.email == composed
    _, errors = validate(payload(email="\u01d6" * 64 + "@" + "b" * 120 + ".example"))
    assert errors["email"]["code"] == "invalid_email"
    assert "at most 254 bytes" in errors["email"]["message"]


def test_newlines_and_tabs_are_allowed_in_text() -> None:
    """Newlines and tabs are the only control characters a comment may contain."""
    data, errors = validate(payload(text="first\n\tsecond"))
    assert errors == {} and data is not None and data.text == "first\n\tsecond"


def test_unknown_fields_are_ignored() -> None:
    """Extra fields do not cause errors."""
    _, errors = validate(payload(favourite_colour="blue", rating=5))
    assert errors == {}


def test_comment_ids_start_with_a_letter_or_digit() -> None:
    """A leading '-' is a formula to a spreadsheet, so the audit CSV quoted such ids and
    they stopped matching (found in review); 2,000 new ids all start safely."""
    from service.ids import looks_like_id, new_id

    ids = [new_id() for _ in range(2000)]
    assert all(i[0].isalnum() and looks_like_id(i) and len(i) == 22 for i in ids)
    assert len(set(ids)) == 2000


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(True, True), (False, False), (None, False), ("on", True), ("1", True), ("yes", True),
     ("", False), ("0", False), ("off", False), ("false", False)],
)  # fmt: skip
def test_the_reply_opt_in_reads_json_booleans_and_a_forms_words(sent: Any, kept: bool) -> None:
    """`notify_replies` is JSON true/false or a form's word for it (a checkbox sends `on`);
    absent or null is no."""
    data, errors = validate(payload(notify_replies=sent))
    assert errors == {} and data is not None and data.notify_replies is kept


@pytest.mark.parametrize("sent", [1, "TRUE", " on", "maybe", ["on"]])
def test_anything_else_as_the_reply_opt_in_is_invalid_boolean(sent: Any) -> None:
    """Numbers, other spellings and lists are refused, not guessed at (the OpenAPI schema
    lists the exact words)."""
    _, errors = validate(payload(notify_replies=sent))
    assert errors["notify_replies"]["code"] == "invalid_boolean"


def test_the_language_is_a_short_line() -> None:
    """`lang` (the mails' language) is optional text of at most 35 characters, no controls."""
    data, errors = validate(payload(lang="fr-CA"))
    assert errors == {} and data is not None and data.lang == "fr-CA"
    assert validate(payload(lang="x" * 36))[1]["lang"]["code"] == "too_long"
    assert validate(payload(lang="fr\x00"))[1]["lang"]["code"] == "control_characters"
    assert validate(payload(lang=7))[1]["lang"]["code"] == "invalid_type"


@pytest.mark.parametrize(
    ("sent", "read"),
    [(0, 0), (3.0, 3), ("12", 12), (MAX_REVISION, MAX_REVISION), (float(2**53), 2**53)],
)
def test_a_revision_is_a_whole_number_however_json_writes_it(sent: Any, read: int) -> None:
    """JSON has one kind of number: ``3.0`` is the revision 3, as the OpenAPI document's
    ``integer`` (JSON Schema's) says (it was a 422 for a body the document allows)."""
    errors: dict[str, dict[str, str]] = {}
    assert validate_revision({"revision": sent}, errors) == read and errors == {}


@pytest.mark.parametrize("sent", [3.5, -1, -1.0, MAX_REVISION + 1, 1e18, True, "3.0", float("inf")])
def test_anything_else_as_a_revision_is_invalid(sent: Any) -> None:
    """A fraction, a negative number, one past 18 digits, a boolean or a number in words is
    ``invalid_revision``."""
    errors: dict[str, dict[str, str]] = {}
    validate_revision({"revision": sent}, errors)
    assert errors["revision"]["code"] == "invalid_revision"
