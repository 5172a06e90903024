"""Bulk actions: on a selection, and on every comment matching a filter, conflicts counted."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.clock import rfc3339, utcnow
from service.comments import IntakeMeta, store_new
from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from service.validation import CommentInput
from tests.dashboard import held, labels_of, logged_in, state_of

HTML = {"Accept": "text/html"}


def test_bulk_on_a_selection_counts_conflicts(
    app: Flask, client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A selection is acted on one by one; a comment changed meanwhile is counted, not acted on."""
    ids = [held(db, text=f"Spam wave {n} http://wave.example") for n in range(4)]
    other = app.test_client()
    token = logged_in(other, db, "two@example.org")
    other.post(
        f"/moderation/comments/{ids[0]}/act",
        json={"action": "approve", "expected": "held"},
        headers={"X-CSRF-Token": token},
    )
    resp = client.post(
        "/moderation/bulk",
        json={"action": "spam", "items": [{"id": i, "state": "held"} for i in ids], "note": "wave"},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["total"], body["done"], body["conflicts"]) == (4, 3, 1)
    assert state_of(db, ids[0]) == ("published", None)
    assert all(state_of(db, i) == ("rejected", "spam") for i in ids[1:])
    assert labels_of(db, ids[1]) == ["spam"]


def test_bulk_selection_by_plain_form(client: FlaskClient, db: Database, admin_csrf: str) -> None:
    """Without JavaScript, checked boxes post ``id:state`` items and a flash reports counts."""
    ids = [held(db, text=f"Spam {n} http://w.example") for n in range(2)]
    resp = client.post(
        "/moderation/bulk",
        data={
            "csrf_token": admin_csrf,
            "action": "toxic",
            "item": [f"{i}:held" for i in ids],
            "next": "/moderation/queue/held",
        },
    )
    assert resp.status_code == 303
    page = client.get("/moderation/queue/rejected", headers=HTML).get_data(as_text=True)
    assert "Reject: toxic: 2 of 2 comments done." in page
    assert all(state_of(db, i) == ("rejected", "toxic") for i in ids)


def test_bulk_selection_reports_every_bad_field(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A bulk post without a valid action or items is refused with both fields named."""
    resp = client.post(
        "/moderation/bulk",
        json={"action": "explode", "items": []},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert resp.status_code == 422
    assert set(resp.get_json()["error"]["fields"]) == {"action", "items"}


def test_bulk_skips_comments_outside_the_users_sites(client: FlaskClient, db: Database) -> None:
    """A moderator's bulk action never touches another site's comments (counted as not found)."""
    from service import sites as site_ops

    with db.session() as session:
        site_ops.create(session, "Other", ["https://o.example"], slug="other")
    theirs = held(db, site="other")
    mine = held(db)
    token = logged_in(client, db, "mod@example.org", role="moderator", sites=["default"])
    resp = client.post(
        "/moderation/bulk",
        json={
            "action": "spam",
            "items": [{"id": theirs, "state": "held"}, {"id": mine, "state": "held"}],
        },
        headers={"X-CSRF-Token": token},
    )
    assert resp.get_json()["done"] == 1 and resp.get_json()["not_found"] == 1
    assert state_of(db, theirs) == ("held", None)


def _confirm_form(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))
    return fields


def test_filter_wide_bulk_acts_on_every_matching_comment(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Review shows the matching count; confirming acts on all of them (all pages), no others."""
    wave = [
        held(db, text=f"Cheap pills {n} http://pills.example", email=f"bot{n}@spam.example")
        for n in range(30)
    ]
    innocent = held(db, text="A genuine reader http://blog.example", email="reader@example.org")
    review = client.get("/moderation/queue/held/bulk?email=@spam.example&action=spam", headers=HTML)
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert "Spam: 30 comments?" in html
    form = _confirm_form(html)
    assert form["count"] == "30" and form["action"] == "spam"
    resp = client.post("/moderation/queue/held/bulk?email=@spam.example", data=form)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/moderation/queue/held?email=@spam.example"
    assert all(state_of(db, i) == ("rejected", "spam") for i in wave)
    assert state_of(db, innocent) == ("held", None)
    page = client.get(resp.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Spam: 30 of 30 comments done." in page


def test_filter_wide_bulk_asks_again_when_more_comments_match(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """If more comments match than were confirmed (a count that does not fit its moment:
    an edited form, clocks apart), nothing happens and the new count is shown."""
    first = held(db, text="Wave http://w.example", email="a@spam.example")
    html = client.get("/moderation/queue/held/bulk?email=@spam.example&action=spam", headers=HTML)
    form = _confirm_form(html.get_data(as_text=True))
    late = held(db, text="Wave http://w.example", email="b@spam.example")
    with db.session() as session:
        from service.store.tables import Comment

        row = session.get(Comment, late)
        assert row is not None
        row.created_at = row.updated_at = utcnow() - timedelta(hours=1)
    resp = client.post("/moderation/queue/held/bulk?email=@spam.example", data=form)
    assert resp.status_code == 409
    assert "now matches 2 comments (you confirmed 1)" in resp.get_data(as_text=True)
    assert state_of(db, first) == ("held", None)


def test_filter_wide_bulk_leaves_later_arrivals_alone(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Comments that arrive after the moderator confirmed are not part of the bulk action."""
    old = held(db, text="Wave http://w.example", email="a@spam.example")
    as_of = rfc3339(utcnow())
    new = held(db, text="Wave http://w.example", email="b@spam.example")
    resp = client.post(
        "/moderation/queue/held/bulk?email=@spam.example",
        data={"csrf_token": admin_csrf, "action": "spam", "as_of": as_of, "count": "1"},
    )
    assert resp.status_code == 303
    assert state_of(db, old) == ("rejected", "spam")
    assert state_of(db, new) == ("held", None)


def test_filter_wide_bulk_refuses_an_action_that_does_not_apply(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """'Not spam' cannot be applied to the published queue: 422 with the action named."""
    resp = client.get("/moderation/queue/published/bulk?action=ham")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["action"]["code"] == "action_not_allowed"


def test_a_spam_wave_is_found_and_rejected_by_a_phrase_of_its_text(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """ "Text contains" finds a wave by its shared phrase or domain, whatever the case, from
    different addresses (found missing in review: only exact thread, e-mail or IP hash);
    the filter-wide action then takes exactly those."""
    wave = [
        held(db, text=f"Win big at CASINO-BONUS.example tonight {n}", email=f"p{n}@mail.example")
        for n in range(12)
    ]
    innocent = held(db, text="The casino debate at the council was heated.", email="r@example.org")
    page = client.get("/moderation/queue/held?text=casino-bonus", headers=HTML).get_data(
        as_text=True
    )
    assert all(cid in page for cid in wave) and innocent not in page
    review = client.get("/moderation/queue/held/bulk?text=casino-bonus&action=spam", headers=HTML)
    form = _confirm_form(review.get_data(as_text=True))
    assert form["count"] == "12"
    resp = client.post("/moderation/queue/held/bulk?text=casino-bonus", data=form)
    assert resp.status_code == 303
    assert all(state_of(db, cid) == ("rejected", "spam") for cid in wave)
    assert state_of(db, innocent) == ("held", None)
    assert client.get("/moderation/queue/held?text=%25", headers=HTML).status_code == 200


def _sample_ids(db: Database, html: str) -> list[str]:
    """Return the ids of the comments the confirm page's sample shows, in its order."""
    sample = re.search(r'<ol class="sample">(.*?)</ol>', html, re.S)
    assert sample is not None
    texts = re.findall(r'<span class="text">([^<]*)</span>', sample.group(1))
    with db.session() as session:
        by_text = dict(session.execute(select(Comment.text, Comment.id)).all())
    return [by_text[t] for t in texts]


def test_a_capped_run_shows_and_takes_the_same_oldest_comments(
    app: Flask, client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """Over the cap, the confirm page says so ("the oldest 12 of 15"), its sample is the
    start of the set the run takes (it showed the newest ten while the run took the
    oldest), and confirming takes exactly those."""
    app.config["MODERATION_BULK_MAX"] = 12
    wave = [
        held(db, text=f"Wave {n} http://w.example", email=f"b{n}@spam.example") for n in range(15)
    ]
    with db.session() as session:  # oldest first: wave[0] arrived 15 minutes ago
        for n, cid in enumerate(wave):
            row = session.get(Comment, cid)
            assert row is not None
            row.created_at = utcnow() - timedelta(minutes=15 - n)
    review = client.get("/moderation/queue/held/bulk?email=@spam.example&action=spam", headers=HTML)
    html = review.get_data(as_text=True)
    assert "15 comments match: this run covers the oldest 12 of 15. Run it again" in html
    assert "<h2>The oldest 10 of them</h2>" in html
    assert _sample_ids(db, html) == wave[:10]
    resp = client.post("/moderation/queue/held/bulk?email=@spam.example", data=_confirm_form(html))
    assert resp.status_code == 303
    assert [state_of(db, cid)[0] for cid in wave] == ["rejected"] * 12 + ["held"] * 3
    again = client.get("/moderation/queue/held/bulk?email=@spam.example&action=spam", headers=HTML)
    rest = again.get_data(as_text=True)
    assert 'id="bulk-cap"' not in rest and "<h2>All of them, oldest first</h2>" in rest
    assert _sample_ids(db, rest) == wave[12:]


def test_the_cap_notice_counts_in_thousands(
    app: Flask, client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The cap's numbers are written as a reader counts them: "the oldest 1,000 of 1,002"."""
    app.config["MODERATION_BULK_MAX"] = 1000
    with db.session() as session:
        site = session.scalars(select(Site).where(Site.slug == "default")).one()
        for n in range(1002):
            text = f"Wave {n} http://w.example"
            given = CommentInput(site="default", thread="t", name="Bot", email="b@spam.example",
                                 text=text)  # fmt: skip
            store_new(session, site, given, IntakeMeta()).comment.state = "held"
    html = client.get(
        "/moderation/queue/held/bulk?email=@spam.example&action=spam", headers=HTML
    ).get_data(as_text=True)
    assert "1,002 comments match: this run covers the oldest 1,000 of 1,002." in html
    assert "Spam: 1,000 comments?" in html and 'name="count" value="1000"' in html


def test_a_run_takes_only_the_comments_that_were_in_the_queue_when_reviewed(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The run takes the comments that matched when the moderator reviewed it, unchanged
    since: one the worker held afterwards, one that arrived, and one a colleague moved into
    the queue meanwhile are not under it (counting alone let a run undo a colleague's
    fresh decision; found in review)."""
    first = held(db, text="Wave 1 http://w.example", email="a@spam.example")
    review = client.get("/moderation/queue/held/bulk?email=@spam.example&action=spam", headers=HTML)
    form = _confirm_form(review.get_data(as_text=True))
    assert form["count"] == "1"
    # the worker holds a comment that arrived before the review ...
    classified = held(db, text="Wave 2 http://w.example", email="b@spam.example")
    with db.session() as session:
        row = session.get(Comment, classified)
        assert row is not None
        row.created_at = utcnow() - timedelta(hours=1)
    # ... and one more arrives before the moderator confirms
    arrived = held(db, text="Wave 3 http://w.example", email="c@spam.example")
    resp = client.post("/moderation/queue/held/bulk?email=@spam.example", data=form)
    assert resp.status_code == 303
    assert state_of(db, first) == ("rejected", "spam")
    assert state_of(db, classified) == state_of(db, arrived) == ("held", None)

    # a colleague rejects an old published comment as toxic after the review of
    # "approve everything rejected as toxic": it stays rejected
    old = held(db, state=State.REJECTED, rejection="toxic", text="Old insult", email="o@x.example")
    url = "/moderation/queue/rejected/bulk?reason=toxic"
    form = _confirm_form(client.get(f"{url}&action=approve", headers=HTML).get_data(as_text=True))
    fresh = held(db, state=State.PUBLISHED, text="You are all idiots", email="f@x.example")
    with db.session() as session:
        row = session.get(Comment, fresh)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=2)
    colleague = {"action": "toxic", "expected": "published"}
    acted = client.post(
        f"/moderation/comments/{fresh}/act", json=colleague, headers={"X-CSRF-Token": admin_csrf}
    )
    assert acted.status_code == 200
    assert client.post(url, data=form).status_code == 303
    assert state_of(db, old)[0] == "published"
    assert state_of(db, fresh) == ("rejected", "toxic")


def _words(html: str) -> str:
    """Return a page's text without its tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_taking_published_comments_down_in_bulk_says_take_down(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """On Published (and Reported, a view of it) a bulk rejection is a take-down, and every
    word of it says so: the buttons, the confirm page and the result (the confirm page read
    "This applies Reject: toxic to every comment in the published queue", and Reported's
    buttons "Spam" and "Reject: toxic"); Held still rejects."""
    ids = [
        held(db, state=State.PUBLISHED, text=f"Live {n} http://w.example", email="t@x.example")
        for n in range(2)
    ]
    review = client.get("/moderation/queue/published/bulk?action=toxic", headers=HTML)
    text = _words(review.get_data(as_text=True))
    assert "Take down: toxic: 2 comments?" in text
    assert (
        "Every comment in the Published queue that matches this filter will be taken down "
        "(removed from its thread) as toxic:" in text
    )
    assert "Reject" not in text and "Take down: toxic: 2 comments Cancel" in text
    resp = client.post("/moderation/queue/published/bulk", data=_confirm_form(review.text))
    assert resp.status_code == 303
    assert all(state_of(db, i) == ("rejected", "toxic") for i in ids)
    done = client.get(resp.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Take down: toxic: 2 of 2 comments done." in done

    spam = client.get("/moderation/queue/published/bulk?action=spam", headers=HTML)
    assert "will be taken down (removed from its thread) as spam" in _words(spam.text)
    for queue in ("published", "reported"):
        bar = client.get(f"/moderation/queue/{queue}", headers=HTML).get_data(as_text=True)
        assert re.findall(r"data-bulk>([^<]+)<", bar) == [
            "Take down: spam",
            "Take down: toxic",
            "Take down: off-topic",
        ], queue
    held(db)
    rejecting = _words(client.get("/moderation/queue/held/bulk?action=spam", headers=HTML).text)
    assert "Spam: 1 comment?" in rejecting
    assert "in the Held queue that matches this filter will be rejected as spam:" in rejecting


def test_a_bulk_selection_of_published_comments_says_take_down(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A selection from the Published queue reports a take-down, not a rejection."""
    cid = held(db, state=State.PUBLISHED)
    resp = client.post(
        "/moderation/bulk",
        json={"action": "spam", "items": [{"id": cid, "state": "published"}], "queue": "published"},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert resp.get_json()["message"] == "Take down: spam: 1 of 1 comment done."


def test_a_filter_wide_action_with_a_bad_filter_is_refused(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The review page and the confirmation both answer 422 naming the bad field, and change
    nothing: a bad field is never dropped to act on the whole queue."""
    ids = [held(db, email=f"a{n}@example.org") for n in range(2)]
    review = client.get("/moderation/queue/held/bulk?email=notanemail&action=spam", headers=HTML)
    assert review.status_code == 422
    assert "Review and confirm" not in review.get_data(as_text=True)
    confirm = client.post(
        "/moderation/queue/held/bulk?email=notanemail",
        data={"csrf_token": admin_csrf, "action": "spam", "as_of": rfc3339(utcnow()), "count": "2"},
        headers={"Accept": "application/json"},
    )
    assert confirm.status_code == 422
    assert set(confirm.get_json()["error"]["fields"]) == {"email"}
    assert all(state_of(db, i) == ("held", None) for i in ids)


def test_the_result_sentence_is_pluralised() -> None:
    """The result reads "1 of 1 comment done", "2 of 3 comments done; 1 had changed
    meanwhile and was left alone": it read "comment(s)" and "1 … were left alone"."""
    from service.moderation.bulk import BulkResult

    assert BulkResult(done=1).sentence("Spam") == "Spam: 1 of 1 comment done."
    assert BulkResult(done=2, conflicts=1).sentence("Spam") == (
        "Spam: 2 of 3 comments done; 1 had changed meanwhile and was left alone."
    )
    assert BulkResult(done=0, conflicts=2).sentence("Spam") == (
        "Spam: 0 of 2 comments done; 2 had changed meanwhile and were left alone."
    )
