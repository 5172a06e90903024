"""Akismet-compatible endpoints, driven by the real ``akismet`` client library (PyPI, by
ubernostrum) whose ``httpx`` client is routed to our live test server by a host-rewriting
transport."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import akismet
import httpx
import pytest
from sqlalchemy import select

from service.clock import utcnow
from service.store import Database
from service.store.tables import Label, Site
from service.store.tables_integrations import Check
from tests.factories import BENIGN, SPAM
from tests.integrations.conftest import LiveServer, SiteKeys
from worker.sweep.purge import purge_checks

BLOG = "https://news.example"
USER = {"user_ip": "203.0.113.7"}


class RewriteHost(httpx.HTTPTransport):
    """Send every request to our server instead of the host in its URL."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = httpx.URL(base)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        return super().handle_request(request)


@pytest.fixture
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An httpx client whose requests to rest.akismet.com reach the live test server."""
    with httpx.Client(transport=RewriteHost(live_server.url), timeout=30) as client:
        yield client


@pytest.fixture
def site(make_site: Callable[..., SiteKeys]) -> SiteKeys:
    """A site with an Akismet key (submit + moderate) and a check-only key (submit)."""
    return make_site(wp=["submit", "moderate"], check_only=["submit"])


def client_for(token: str, http: httpx.Client) -> akismet.SyncClient:
    return akismet.SyncClient.validated_client(
        config=akismet.Config(key=token, url=BLOG), http_client=http
    )


def test_verify_key_accepts_our_key_and_refuses_others(site: SiteKeys, http: httpx.Client) -> None:
    """The library validates a site key; a made-up key makes it raise APIKeyError."""
    assert client_for(site.tokens["wp"], http).verify_key() is True
    with pytest.raises(akismet.APIKeyError):
        client_for("mod_0123456789ab_made-up", http)


def test_comment_check_answers_ham_and_spam(site: SiteKeys, http: httpx.Client) -> None:
    """A benign comment is ham; blatant spam is spam (or discard, the blatant kind)."""
    client = client_for(site.tokens["wp"], http)
    assert client.comment_check(comment_content=BENIGN, comment_type="comment", **USER) == (
        akismet.CheckResponse.HAM
    )
    verdict = client.comment_check(
        comment_content=SPAM, comment_author="Best Casino Bonus", comment_type="comment", **USER
    )
    assert verdict in (akismet.CheckResponse.SPAM, akismet.CheckResponse.DISCARD)


def test_documented_test_triggers_are_honoured(site: SiteKeys, http: httpx.Client) -> None:
    """comment_author=akismet-guaranteed-spam is spam; user_role=administrator is never spam."""
    client = client_for(site.tokens["wp"], http)
    spam = client.comment_check(
        comment_content=BENIGN, comment_author="akismet-guaranteed-spam", is_test=True, **USER
    )
    assert spam == akismet.CheckResponse.SPAM
    admin = client.comment_check(
        comment_content=SPAM, user_role="administrator", is_test=True, **USER
    )
    assert admin == akismet.CheckResponse.HAM


def test_blatant_spam_gets_the_discard_pro_tip_and_a_guid(
    site: SiteKeys, live_server: LiveServer, db: Database
) -> None:
    """Spam over the site's reject threshold answers true with X-akismet-pro-tip: discard;
    the threshold is set just under this comment's score, so the test does not hang on the
    model's calibration."""
    rv = httpx.post(
        f"{live_server.url}/1.1/comment-check",
        data={"api_key": site.tokens["wp"], "blog": BLOG, "comment_content": SPAM, **USER},
    )
    assert rv.text == "true"
    with db.session() as session:
        spam = session.scalars(select(Check.spam).where(Check.id == rv.headers["X-akismet-guid"]))
        row = session.get(Site, site.site_id)
        assert row is not None
        row.policy = {"reject_above": {"spam": max(spam.one() - 0.05, 0.5)}}
    rv = httpx.post(
        f"{live_server.url}/1.1/comment-check",
        data={"api_key": site.tokens["wp"], "blog": BLOG, "comment_content": SPAM, **USER},
    )
    assert rv.text == "true"
    assert rv.headers["content-type"].startswith("text/plain")
    assert rv.headers["X-akismet-pro-tip"] == "discard"
    assert rv.headers["X-akismet-guid"].startswith("chk_")


def test_honeypot_field_marks_spam(site: SiteKeys, live_server: LiveServer) -> None:
    """A filled honeypot field (named by honeypot_field_name) makes the check spam."""
    rv = httpx.post(
        f"{live_server.url}/1.1/comment-check",
        data={
            "api_key": site.tokens["wp"],
            "blog": BLOG,
            "comment_content": BENIGN,
            "honeypot_field_name": "hp_url",
            "hp_url": "http://bot.example",
            **USER,
        },
    )
    assert rv.text == "true"


def test_missing_required_fields_answer_invalid_with_debug_help(
    site: SiteKeys, live_server: LiveServer
) -> None:
    """Without user_ip (or blog) the answer is invalid with X-akismet-debug-help saying which."""
    url = f"{live_server.url}/1.1/comment-check"
    no_ip = httpx.post(url, data={"api_key": site.tokens["wp"], "blog": BLOG})
    assert no_ip.text == "invalid"
    assert no_ip.headers["X-akismet-debug-help"] == "Missing required field: user_ip."
    no_blog = httpx.post(url, data={"api_key": site.tokens["wp"], **USER})
    assert no_blog.headers["X-akismet-debug-help"] == "Missing required field: blog."
    bad_ip = httpx.post(url, data={"api_key": site.tokens["wp"], "blog": BLOG, "user_ip": "x"})
    assert bad_ip.headers["X-akismet-debug-help"].startswith("Invalid user_ip")


def test_submit_spam_after_a_check_becomes_a_label_and_keeps_the_check(
    site: SiteKeys, http: httpx.Client, db: Database
) -> None:
    """submit-spam finds the earlier check by its text, labels it spam and lifts its expiry."""
    client = client_for(site.tokens["wp"], http)
    fields = {"comment_content": "Visit my shop for cheap watches", "comment_author": "Rolexx"}
    client.comment_check(**fields, **USER)
    assert client.submit_spam(**fields, **USER) is True
    with db.session() as session:
        check = session.scalars(select(Check)).one()
        label = session.scalars(select(Label)).one()
    assert (label.label, label.source, label.check_id) == ("spam", "akismet", check.id)
    assert label.comment_id is None
    assert check.expires_at is None


def test_submit_ham_with_guid_labels_that_check(
    site: SiteKeys, live_server: LiveServer, db: Database
) -> None:
    """submit-ham with the guid from comment-check labels exactly that check as ham."""
    base = {"api_key": site.tokens["wp"], "blog": BLOG, **USER}
    guid = httpx.post(
        f"{live_server.url}/1.1/comment-check", data={**base, "comment_content": SPAM}
    ).headers["X-akismet-guid"]
    rv = httpx.post(
        f"{live_server.url}/1.1/submit-ham",
        data={**base, "guid": guid, "comment_content": "edited later"},
    )
    assert rv.text == "Thanks for making the web a better place."
    with db.session() as session:
        (label,) = session.scalars(select(Label)).all()
    assert (label.check_id, label.label) == (guid, "ham")


def test_feedback_without_a_kept_check_still_becomes_a_label(
    site: SiteKeys, http: httpx.Client, db: Database
) -> None:
    """submit-ham for a comment never checked (or whose check expired) stores it and labels it."""
    client = client_for(site.tokens["wp"], http)
    assert client.submit_ham(comment_content=BENIGN, **USER) is True
    with db.session() as session:
        check = session.scalars(select(Check)).one()
        label = session.scalars(select(Label)).one()
    assert (check.text, label.label, check.expires_at) == (BENIGN, "ham", None)


def test_test_calls_are_not_learned_from(site: SiteKeys, http: httpx.Client, db: Database) -> None:
    """Feedback marked is_test records no label."""
    client = client_for(site.tokens["wp"], http)
    client.comment_check(comment_content=BENIGN, is_test=True, **USER)
    client.submit_spam(comment_content=BENIGN, is_test=True, **USER)
    with db.session() as session:
        assert session.scalars(select(Label)).all() == []


def test_feedback_needs_the_moderate_scope(
    site: SiteKeys, http: httpx.Client, db: Database
) -> None:
    """A check-only key may check but not submit feedback: the library sees invalid and raises."""
    client = client_for(site.tokens["check_only"], http)
    client.comment_check(comment_content=BENIGN, **USER)
    with pytest.raises(akismet.APIKeyError):
        client.submit_spam(comment_content=BENIGN, **USER)
    with db.session() as session:
        assert session.scalars(select(Label)).all() == []


def test_usage_limit_counts_this_months_checks(site: SiteKeys, http: httpx.Client) -> None:
    """usage-limit reports the key's comment-checks this month, no limit, not throttled."""
    client = client_for(site.tokens["wp"], http)
    for _ in range(2):
        client.comment_check(comment_content=BENIGN, **USER)
    assert client.usage_limit() == {
        "limit": "none",
        "usage": 2,
        "percentage": "0.00",
        "throttled": False,
    }


def test_checks_are_kept_for_a_limited_time(
    site: SiteKeys, http: httpx.Client, db: Database
) -> None:
    """A check expires after CHECK_TTL; the sweep's purge deletes it, labelled ones stay."""
    client = client_for(site.tokens["wp"], http)
    client.comment_check(comment_content="first", **USER)
    client.comment_check(comment_content="second", **USER)
    client.submit_spam(comment_content="second", **USER)
    with db.session() as session:
        for check in session.scalars(select(Check)):
            assert check.expires_at is None or check.expires_at > utcnow() + timedelta(days=13)
            if check.expires_at is not None:
                check.expires_at = utcnow() - timedelta(seconds=1)
    assert purge_checks(db) == 1
    with db.session() as session:
        assert [c.text for c in session.scalars(select(Check))] == ["second"]


def test_feedback_with_nothing_to_learn_from_records_nothing(
    site: SiteKeys, live_server: LiveServer, db: Database
) -> None:
    """submit-spam with an unknown guid and no text thanks (as Akismet does) but stores no
    empty labelled row, and says why in X-akismet-debug-help."""
    base = {"api_key": site.tokens["wp"], "blog": BLOG, **USER}
    for extra in ({}, {"guid": "chk_unknown"}, {"comment_content": "   "}):
        rv = httpx.post(f"{live_server.url}/1.1/submit-spam", data={**base, **extra})
        assert rv.text == "Thanks for making the web a better place."
        assert "Not recorded" in rv.headers["X-akismet-debug-help"]
    with db.session() as session:
        assert session.scalars(select(Label)).all() == []
        assert session.scalars(select(Check)).all() == []


def test_a_checks_address_is_stored_trimmed_and_composed(
    site: SiteKeys, live_server: LiveServer, db: Database
) -> None:
    """comment-check keeps ``comment_author_email`` as the comment form keeps an address:
    trimmed, in NFC (``Zoe`` + a combining diaeresis is ``Zoë``); it was kept as sent, so
    the export showed another spelling than the comments'. Feedback by text and author
    finds the check whichever form the address comes in."""
    decomposed = " Zoe\u0308@Example.org "
    base = {"api_key": site.tokens["wp"], "blog": BLOG, "comment_content": BENIGN, **USER}
    rv = httpx.post(
        f"{live_server.url}/1.1/comment-check", data={**base, "comment_author_email": decomposed}
    )
    with db.session() as session:
        check = session.get(Check, rv.headers["X-akismet-guid"])
        assert check is not None and check.author_email == "Zoë@Example.org"
    ham = httpx.post(
        f"{live_server.url}/1.1/submit-ham",
        data={**base, "comment_author_email": "Zoë@Example.org"},
    )
    assert ham.text == "Thanks for making the web a better place."
    with db.session() as session:
        assert [label.check_id for label in session.scalars(select(Label))] == [check.id]
