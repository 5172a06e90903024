"""transition(): the one conditional update every state change goes through."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.lifecycle import Change, IllegalTransition, transition
from service.status import TRANSITIONS, Label, Rejection, State
from service.store import Database
from service.store.tables import AuditEntry, Comment
from service.store.tables import Label as LabelRow
from tests.factories import stored


def test_the_transition_table_matches_the_contract() -> None:
    """pending → any; held → published/rejected; published → rejected; rejected → published."""
    assert TRANSITIONS[State.PENDING] == {State.PUBLISHED, State.HELD, State.REJECTED}
    assert TRANSITIONS[State.HELD] == {State.PUBLISHED, State.REJECTED}
    assert TRANSITIONS[State.PUBLISHED] == {State.REJECTED}
    assert TRANSITIONS[State.REJECTED] == {State.PUBLISHED}


def test_a_change_applies_once_and_is_audited(db: Database) -> None:
    """The first change from pending wins; the second finds the state moved and does nothing."""
    comment = stored(db)
    change = Change(State.PENDING, State.PUBLISHED, actor="system:worker", action="classify")
    with db.session() as session:
        first = transition(session, comment.id, change)
    with db.session() as session:
        second = transition(session, comment.id, change)
    assert first is not None and first.comment.state == "published"
    assert first.comment.published_at is not None
    assert second is None
    with db.session() as session:
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.comment_id == comment.id, AuditEntry.action == "classify"
            )
        ).all()
    assert [(a.from_state, a.to_state, a.actor) for a in audit] == [
        ("pending", "published", "system:worker")
    ]


def test_a_moderator_change_records_its_label(db: Database) -> None:
    """A change carrying a label stores it apart from the state, as training data."""
    comment = stored(db, state=State.HELD)
    with db.session() as session:
        transition(
            session,
            comment.id,
            Change(
                State.HELD,
                State.REJECTED,
                actor="user:1",
                action="spam",
                rejection=Rejection.SPAM,
                note="casino wave",
                label=Label.SPAM,
            ),
        )
    with db.session() as session:
        row = session.get(Comment, comment.id)
        labels = session.scalars(select(LabelRow).where(LabelRow.comment_id == comment.id)).all()
        assert row is not None and (row.state, row.rejection) == ("rejected", "spam")
    assert [(lbl.label, lbl.actor) for lbl in labels] == [("spam", "user:1")]


@pytest.mark.parametrize(
    ("expected", "new", "rejection"),
    [
        (State.PUBLISHED, State.HELD, None),
        (State.HELD, State.PENDING, None),
        (State.HELD, State.REJECTED, None),
    ],
)
def test_illegal_moves_raise(
    db: Database, expected: State, new: State, rejection: Rejection | None
) -> None:
    """Moves outside the table, or a rejection without a reason, are refused outright."""
    comment = stored(db, state=expected)
    with db.session() as session, pytest.raises(IllegalTransition):
        transition(
            session, comment.id, Change(expected, new, actor="t", action="x", rejection=rejection)
        )


def test_a_comment_published_again_is_not_featured_whoever_took_it_down(db: Database) -> None:
    """A comment taken down by a release before featuring existed kept its flag; published
    again ("not spam") it is not featured (found in review of a rolling upgrade)."""
    from sqlalchemy import update

    from service.clock import utcnow

    comment = stored(db, state=State.REJECTED)
    with db.session() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(rejection="spam", featured_at=utcnow(), featured_by="user:1")
        )
    change = Change(State.REJECTED, State.PUBLISHED, actor="user:1", action="ham")
    with db.session() as session:
        assert transition(session, comment.id, change) is not None
    with db.session() as session:
        row = session.get(Comment, comment.id)
        assert row is not None and row.state == "published"
        assert row.featured_at is None and row.featured_by is None


def test_only_an_authors_withdrawal_moves_a_rejected_comment_to_rejected(db: Database) -> None:
    """rejected → rejected exists only as an author's withdrawal (rejection withdrawn);
    a moderator cannot "withdraw", and a withdrawn comment is not withdrawn twice."""
    comment = stored(db, state=State.REJECTED)
    by_mod = Change(State.REJECTED, State.REJECTED, "user:1", "spam", rejection=Rejection.SPAM)
    as_mod = Change(State.REJECTED, State.REJECTED, "user:1", "x", rejection=Rejection.WITHDRAWN)
    mine = Change(State.REJECTED, State.REJECTED, "author", "withdrawn",
                  rejection=Rejection.WITHDRAWN)  # fmt: skip
    with db.session() as session:
        for change in (by_mod, as_mod):
            with pytest.raises(IllegalTransition):
                transition(session, comment.id, change)
        assert transition(session, comment.id, mine) is not None
        assert transition(session, comment.id, mine) is None
