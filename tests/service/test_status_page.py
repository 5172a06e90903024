"""The neutral status page a no-JS form post lands on when its page is not the site's."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import payload


def _form_post(client: FlaskClient, **fields: str) -> str:
    """Post the no-JS form from a page that is not the site's; return where it sends us."""
    rv = client.post(
        "/api/v1/comments",
        data=payload(**fields),
        headers={"Accept": "text/html", "Referer": "https://elsewhere.example/page"},
    )
    assert rv.status_code == 303
    return str(rv.headers["Location"])


def test_the_status_page_speaks_the_forms_language(client: FlaskClient) -> None:
    """A French form lands on the French page (it was English whatever the form's language)."""
    location = _form_post(client, lang="fr-CA")
    assert "lang=fr" in location and location.endswith("#comments")
    page = client.get(location.removeprefix("http://localhost"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="fr" dir="ltr">' in html
    assert "<h1>Commentaire reçu</h1>" in html
    assert "Merci. Votre commentaire est en attente de modération." in html


def test_an_english_form_keeps_the_plain_url(client: FlaskClient) -> None:
    """The default language is left out of the URL, and the page is the English one."""
    location = _form_post(client, lang="en")
    assert location.endswith("/status?moderato=pending#comments")
    html = client.get("/status?moderato=pending").get_data(as_text=True)
    assert "Thank you. Your comment is awaiting moderation." in html


def test_the_status_page_has_our_pages_policy_and_no_inline_style(client: FlaskClient) -> None:
    """Our CSP (no inline style: the page had a <style> and no policy at all), nobody frames
    it, it posts nowhere, and its stylesheet is one of our hashed assets."""
    rv = client.get("/status?moderato=pending&lang=ar")
    csp = rv.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
    assert rv.headers["X-Content-Type-Options"] == "nosniff"
    html = rv.get_data(as_text=True)
    assert "<style" not in html and " style=" not in html
    assert '<html lang="ar" dir="rtl">' in html
    sheet = html.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert client.get(sheet).status_code == 200


def test_each_status_says_what_was_received(client: FlaskClient) -> None:
    """A report is thanked as a report; an unknown status gets a plain thank-you."""
    reported = client.get("/status?moderato=reported").get_data(as_text=True)
    assert "<h1>Report received</h1>" in reported
    assert "A moderator will look at this comment." in reported
    other = client.get("/status?moderato=%3Cscript%3E").get_data(as_text=True)
    assert '<p role="status">Thank you.</p>' in other and "<script>" not in other
