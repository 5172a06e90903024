"""Right-to-left and direction-control text from users in the dashboard's labels: wrapped
in FSI … PDI inside attributes and sentences, its own controls dropped; isolated by markup
where it is shown."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from service import featured
from service.moderation.admin_policy import version
from service.policy import normalise_policy
from service.status import State
from service.store import Database
from service.store.tables import Comment, Site
from tests.dashboard import held, make_user

HTML = {"Accept": "text/html"}
FSI, PDI = "\u2068", "\u2069"
#: Direction controls other than the isolates we write, and zero-width characters.
STRAY = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066\u2067\ufeff]")
ARABIC = "مريم 2"  # a right-to-left name ending in a number: "by مريم 2)" read "by 2 مريم)"
SPOOF = "Ada\u202eevil\u2069 reversed"  # stored before names were checked (no intake takes it)


class Labels(HTMLParser):
    """Collect every attribute a person reads or hears (labels, titles, confirmations)."""

    NAMES = ("aria-label", "title", "data-confirm", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, k, v or "") for k, v in attrs if k in self.NAMES]


def labels(html: str) -> list[tuple[str, str, str]]:
    """Return the page's readable attributes as (tag, attribute, value)."""
    parser = Labels()
    parser.feed(html)
    return parser.found


def well_isolated(text: str) -> bool:
    """Tell whether ``text`` has no stray controls and its isolates pair up, none nested."""
    depth = 0
    for ch in text:
        if ch == FSI:
            depth += 1
        elif ch == PDI:
            depth -= 1
        if depth not in (0, 1):
            return False
    return depth == 0 and not STRAY.search(text)


def page(client: FlaskClient, path: str) -> str:
    """Return a dashboard page's HTML (asserting it answered 200)."""
    resp = client.get(path, headers=HTML)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def test_names_in_a_cards_labels_are_isolated_without_their_controls(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """A right-to-left name (and one carrying an override) reads, in the card's checkbox
    and note labels, as FSI name PDI, so it cannot reorder the words around it; the
    override is dropped there (the visible name shows it as a tag instead). A quoted
    signal in a highlight's tooltip is isolated too. No readable attribute of the queue
    carries a stray control or an unpaired isolate."""
    rtl = held(db, name=ARABIC, text="نص التعليق http://myblog.example")
    spoof = held(db, name=SPOOF, text="Visit \u202ehttp://myblog.example")
    html = page(client, "/moderation/queue/held")
    found = labels(html)
    assert ("input", "aria-label", f"Select the comment by {FSI}{ARABIC}{PDI}") in found
    assert ("input", "aria-label", f"Select the comment by {FSI}Adaevil reversed{PDI}") in found
    assert f"Note for the comment by {FSI}{ARABIC}{PDI}</span>" in html
    assert f"Note for the comment by {FSI}Adaevil reversed{PDI}</span>" in html
    assert ("mark", "title", f"spam: link “{FSI}myblog.example{PDI}” (weight 3.70)") in found
    bad = [(tag, name, value) for tag, name, value in found if not well_isolated(value)]
    assert bad == []
    assert f'id="c-{rtl}"' in html and f'id="c-{spoof}"' in html
    assert "⟨RLO⟩" in html  # the visible name and text show the override as a tag


def test_the_actions_messages_isolate_the_authors_name(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The messages "Approve: done (name)." and "Featured (name)." isolate the name, in
    the JSON message the page says and in the flash of a plain form."""
    cid = held(db, name=ARABIC)
    resp = client.post(
        f"/moderation/comments/{cid}/act",
        json={"action": "approve", "expected": "held"},
        headers={"Accept": "application/json", "X-CSRF-Token": admin_csrf},
    )
    assert resp.get_json()["message"] == f"Approve: done ({FSI}{ARABIC}{PDI})."
    form = client.post(
        f"/moderation/comments/{cid}/act",
        data={"action": "feature", "expected": "published", "csrf_token": admin_csrf},
        headers=HTML,
        follow_redirects=True,
    )
    assert f"Featured ({FSI}{ARABIC}{PDI})." in form.get_data(as_text=True)


def test_other_pages_isolate_user_text_in_their_labels(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """The comment's page title, the Threads page's buttons (a right-to-left thread name),
    the Bans page's Lift button and its confirmation, and the accounts pages' labels wrap
    the user's part in FSI … PDI; none carries a stray control."""
    thread = "مقال-2"
    cid = held(db, name=SPOOF, thread=thread, email="reader@news.example")
    with db.session() as session:
        comment = session.get(Comment, cid)
        assert comment is not None
        comment.state = State.PUBLISHED.value
    with db.session() as session:
        assert featured.set_featured(session, cid, "feature", "user:1") is not None
    make_user(db, "moderator@example.org", role="moderator", sites=["default"])
    banned = client.post(
        "/moderation/bans",
        data={"comment_id": cid, "target": "email", "scope": "site", "csrf_token": admin_csrf},
        headers=HTML,
    )
    assert banned.status_code == 303

    comment_page = page(client, f"/moderation/comments/{cid}")
    assert f"<title>Comment by {FSI}Adaevil reversed{PDI}" in comment_page
    threads = page(client, "/moderation/threads?site=default")
    assert ("button", "aria-label", f"Close {FSI}{thread}{PDI}") in labels(threads)
    bans = page(client, "/moderation/bans")
    lift = f"Lift the ban on email {FSI}reader@news.example{PDI}"
    assert ("button", "aria-label", lift) in labels(bans)
    assert ("form", "data-confirm", lift + "?") in labels(bans)
    users = page(client, "/moderation/users")
    assert f"New password for {FSI}moderator@example.org{PDI}</span>" in users
    sites = page(client, "/moderation/sites")
    remove = f"Remove {FSI}moderator@example.org{PDI} from default"
    assert ("button", "aria-label", remove) in labels(sites)
    for html in (comment_page, threads, bans, users, sites):
        found: list[Any] = [f for f in labels(html) if not well_isolated(f[2])]
        assert found == []


def test_admin_pages_isolate_site_names_and_addresses_in_titles_and_messages(
    client: FlaskClient, db: Database, admin_csrf: str
) -> None:
    """An admin-entered right-to-left site name (with an override inside) reads isolated in
    the policy page's title and in the messages of assigning a moderator and saving a
    policy; the address in an account's message too (review: they were bare)."""
    with db.session() as session:
        site = session.scalar(select(Site).where(Site.slug == "default"))
        assert site is not None
        site.name = "أخبار\u202e 24"
        site_id = site.id
    clean = f"{FSI}أخبار 24{PDI}"
    policy_page = page(client, f"/moderation/sites/{site_id}/policy")
    assert f"<title>{clean}: policy" in policy_page
    user_id = make_user(db, "moderator@example.org", role="moderator", sites=[])
    assigned = client.post(
        f"/moderation/sites/{site_id}/moderators",
        data={"user_id": str(user_id), "csrf_token": admin_csrf},
        headers=HTML,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"{FSI}moderator@example.org{PDI} now moderates {clean}." in assigned
    saved = client.post(
        f"/moderation/sites/{site_id}/policy",
        data={
            "csrf_token": admin_csrf,
            "base": version(normalise_policy(None)),
            "action": "save",
            "mode": "pre",
            "form_token": "signal",
            "new_authors": "score",
            "publish_below.spam": "0.5",
            "publish_below.toxicity": "0.5",
            "reject_above.spam": "0.95",
            "reject_above.toxicity": "0.98",
        },
        headers=HTML,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"{clean}: policy saved." in saved
    for html in (policy_page, assigned, saved):
        assert "\u202e" not in html.split("</title>")[0]
