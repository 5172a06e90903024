"""The dashboard's pure parts: filter parsing, highlighting, action table, charts."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest

from service.bidi import isolate
from service.moderation import actions, charts, filters
from service.moderation.highlight import Run, runs
from service.status import Label, Rejection, State


def test_filter_parses_every_field() -> None:
    """A full query string becomes a filter that writes itself back unchanged."""
    args = {
        "site": "default",
        "thread": "t-1",
        "spam_min": "0.5",
        "spam_max": "0.9",
        "tox_min": "0",
        "tox_max": "1",
        "reason": "classifier_error",
        "email": "@Spam.Example",
        "ip": "abcdef0123456789",
        "date_from": "2026-01-01",
        "date_to": "2026-01-31",
        "sort": "score",
        "after": CURSOR_SCORE,
    }
    f, errors = filters.parse("held", args)
    assert errors == {}
    assert f.email == "@spam.example" and f.date_to == date(2026, 1, 31)
    assert f.after == filters.Cursor.decode(CURSOR_SCORE, "score")
    assert f.args()["after"] == CURSOR_SCORE
    assert filters.parse("held", f.args())[0] == f
    assert "after" not in f.unpaged() and f.unpaged()["sort"] == "score"


CURSOR_SCORE = filters.Cursor(
    datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "c_1", 0.1
).encode()


def test_cursor_round_trips_and_refuses_other_sorts() -> None:
    """A page token decodes to the exact key it was made from, and only for its sort."""
    when = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    cursor = filters.Cursor(when, "c_1", 0.1)
    assert filters.Cursor.decode(cursor.encode(), "score") == cursor
    plain = filters.Cursor(when, "c_1")
    assert filters.Cursor.decode(plain.encode(), "oldest") == plain
    for token, sort in ((cursor.encode(), "newest"), (plain.encode(), "score"), ("!!", "newest")):
        with pytest.raises(ValueError):
            filters.Cursor.decode(token, sort)


def test_a_cursor_out_of_range_is_refused_not_a_crash() -> None:
    """A page token whose time has no UTC equivalent, or whose score is no float, is a
    ValueError (the filter's invalid_cursor), not an OverflowError (a 500) at the query."""

    def token(*parts: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")

    for raw, sort in (
        (token("0001-01-01T00:00:00+14:00", "c_1"), "newest"),
        (token("9999-12-31T23:59:59-14:00", "c_1"), "oldest"),
        (token("2026-01-02T03:04:05+00:00", "c_1", 10**400), "score"),
    ):
        with pytest.raises(ValueError):
            filters.Cursor.decode(raw, sort)


def test_filter_reports_every_bad_field_at_once() -> None:
    """Every malformed field is reported in one go, each with a stable code."""
    args = {
        "spam_min": "lots",
        "tox_min": "0.9",
        "tox_max": "0.1",
        "reason": "vibes",
        "email": "nobody",
        "ip": "1.2.3.4",
        "date_from": "yesterday",
        "sort": "random",
        "after": "not-a-cursor",
    }
    f, errors = filters.parse("nope", args)
    assert {k: v["code"] for k, v in errors.items()} == {
        "queue": "invalid_choice",
        "spam_min": "invalid_score",
        "tox_max": "invalid_range",
        "reason": "invalid_choice",
        "email": "invalid_email",
        "ip": "invalid_ip_hash",
        "date_from": "invalid_date",
        "sort": "invalid_choice",
        "after": "invalid_cursor",
    }
    assert f.tox_min == 0.9 and f.tox_max is None


def test_a_reason_is_only_a_filter_where_a_comment_can_have_it() -> None:
    """classifier_error filters Held, a rejection reason Rejected; a rejection reason on
    Held, or any reason on Spam or Published, is a field error (it selected nothing)."""
    assert filters.parse("held", {"reason": "classifier_error"}) == (
        filters.QueueFilter(queue="held", reason="classifier_error"),
        {},
    )
    assert filters.parse("rejected", {"reason": "bot"})[0].reason == "bot"
    for queue, reason in (("held", "spam"), ("rejected", "spam"), ("spam", "spam")):
        f, errors = filters.parse(queue, {"reason": reason})
        assert f.reason is None and errors["reason"]["code"] == "invalid_choice", queue
    f = filters.QueueFilter(queue="rejected", reason="toxic", thread="t")
    assert f.for_queue("held") == {"thread": "t"}
    assert f.for_queue("rejected") == {"thread": "t", "reason": "toxic"}


def test_highlight_splits_overlapping_spans() -> None:
    """Overlapping spans become runs carrying every reason covering them; bad spans are ignored."""
    text = "free money now"
    reasons = [
        {"span": [0, 10]},
        {"span": [5, 14]},
        {"span": [3, 99]},
        {"span": None},
        {"span": [True, 2]},
    ]
    assert runs(text, reasons) == [
        Run("free ", (0,)),
        Run("money", (0, 1)),
        Run(" now", (1,)),
    ]
    assert runs("plain", []) == [Run("plain")]
    assert "".join(r.text for r in runs(text, reasons)) == text


def test_highlight_counts_characters_not_bytes() -> None:
    """Spans index characters of the original text, so non-ASCII text highlights the right word."""
    text = "Très bien, achetez ici"
    out = runs(text, [{"span": [11, 18]}])
    assert [r.text for r in out if r.marked] == ["achetez"]


@pytest.mark.parametrize(
    ("name", "new", "rejection", "label"),
    [
        ("approve", State.PUBLISHED, None, Label.OK),
        ("ham", State.PUBLISHED, None, Label.HAM),
        ("spam", State.REJECTED, Rejection.SPAM, Label.SPAM),
        ("toxic", State.REJECTED, Rejection.TOXIC, Label.TOXIC),
        ("offtopic", State.REJECTED, Rejection.MODERATOR, Label.HAM),
    ],
)
def test_action_table(name: str, new: State, rejection: Rejection | None, label: Label) -> None:
    """Each action's move, rejection reason and label are the documented ones."""
    action, expected = actions.parse(name, "held")
    change = actions.change(action, expected, "user:1", "n")
    assert (change.new, change.rejection, change.label, change.note) == (new, rejection, label, "n")


def test_cards_offer_only_moves_the_lifecycle_allows() -> None:
    """Published cards offer take-downs, spam cards not-spam, other rejections approve."""
    names = lambda state, rej=None: [a.name for a, _ in actions.available(state, rej)]  # noqa: E731
    assert names("held") == ["approve", "ham", "spam", "toxic", "offtopic"]
    assert names("published") == ["spam", "toxic", "offtopic"]
    assert names("rejected", "spam") == ["ham"]
    assert names("rejected", "toxic") == ["approve"]
    titles = [t for _, t in actions.available("published", None)]
    assert titles == ["Take down: spam", "Take down: toxic", "Take down: off-topic"]


def test_charts_are_svg_with_escaped_labels() -> None:
    """Charts are self-contained SVG; labels and series names are escaped; values get tooltips."""
    svg = charts.stacked_bars(
        "Per <day>", ["a<b", "c"], [charts.Series("Spam & co", "#f00", [1, 2])]
    )
    assert svg.startswith("<svg") and "a<b" not in svg and "<day>" not in svg
    assert "a&lt;b" in svg and "Spam &amp; co" in svg and "Per &lt;day&gt;" in svg
    assert svg.count("<rect") == 3  # two bars + one legend swatch
    line = charts.lines(
        "Rates",
        ["x", "y", "z"],
        [charts.Series("r", "#00f", [0.5, None, 1.0])],
        fmt=charts.percent,
        top=1.0,
    )
    assert "50%" in line and "<polyline" not in line  # a gap breaks the line into single points


def test_featured_only_is_a_filter_of_the_queues_of_published_comments() -> None:
    """``featured=1`` parses on Published and Reported and writes itself back; a queue tab
    of unpublished comments drops it; elsewhere, or with another value, it is a field
    error (and ``featured=0`` is no filter)."""
    f, errors = filters.parse("published", {"featured": "1", "thread": "t"})
    assert not errors and f.featured is True and f.narrowed()
    assert f.args() == {"thread": "t", "featured": "1"}
    assert f.for_queue("reported") == {"thread": "t", "featured": "1"}
    assert f.for_queue("held") == {"thread": "t"} and not f.on("held").featured
    assert filters.parse("published", {"featured": "0"}) == (filters.QueueFilter("published"), {})
    for queue, value in (("held", "1"), ("spam", "1"), ("published", "yes")):
        assert filters.parse(queue, {"featured": value})[1]["featured"]["code"] == "invalid_choice"


def test_isolate_wraps_user_text_and_drops_its_controls() -> None:
    """User text for an attribute or a sentence comes wrapped in FSI … PDI, without the
    direction controls (or zero-width characters) it carried: an override or a stray PDI
    inside would reorder the label or end the isolate early. Letters of any script stay;
    empty text stays empty."""
    assert isolate("Ada Reader") == "\u2068Ada Reader\u2069"
    assert isolate("مريم 2") == "\u2068مريم 2\u2069"
    assert isolate("Ada\u202eevil\u2069 \u200f\u2066x\u200b") == "\u2068Adaevil x\u2069"
    assert isolate("") == isolate(None) == isolate("\u202e") == ""
