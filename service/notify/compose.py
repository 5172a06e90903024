"""The mails themselves: plain text with a simple HTML twin, and their headers. Pure.

Every reply notification carries a one-click unsubscribe (RFC 8058): ``List-Unsubscribe``
with our signed HTTPS link, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, and
the same link in the body. ``Auto-Submitted: auto-generated`` (RFC 3834) keeps vacation
responders quiet. The ``Message-ID`` is the outbox row's, so a retry after a lost answer
is the same message to whoever de-duplicates.

Two headers are written as they go out, never refolded: ``List-Unsubscribe`` (longer
than 78 characters with a real public URL, and Python's folding would turn it into an
RFC 2047 encoded-word, which is not allowed there: mail clients would then show no
unsubscribe button), and a subject holding ``=?`` (a commenter's name written as an
encoded-word would be decoded, so a name typed ``=?utf-8?q?PayPal?=`` would read
"PayPal"): we encode that subject whole, so it reads as typed. The HTML twin links only
the links we write (confirm, unsubscribe, the conversation): names and replies are text.
"""

from __future__ import annotations

import contextlib
import email.policy
import html
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import urlencode, urlsplit, urlunsplit

from email_validator import EmailNotValidError, validate_email

Translator = Callable[..., str]
EXCERPT = 500
#: ``policy.default`` (folding at 78, bodies encoded as before), except that a header we
#: store raw (``set_raw``) goes out exactly as written: ``smtplib`` sends with this policy.
POLICY = email.policy.default.clone(refold_source="none")
MAX_LINE = 998  # RFC 5322's limit on a line, header lines included


@dataclass(frozen=True, slots=True)
class Link:
    """A link the service writes into a mail (confirm, unsubscribe, the conversation)."""

    url: str


@dataclass(frozen=True, slots=True)
class Quote:
    """Someone's words, quoted as they were written."""

    text: str


#: A paragraph: text (anyone's, never made a link) and our links, or a quote.
Paragraph = tuple[str | Link, ...] | Quote


def with_link(t: Translator, key: str, url: str, **params: str) -> tuple[str | Link, ...]:
    """Return the string ``key`` with ``url`` as a ``Link`` where its ``{link}`` is."""
    mark = f"\x00{secrets.token_hex(8)}\x00"  # no value filled in can hold it
    before, found, after = t(key, link=mark, **params).partition(mark)
    return (before, Link(url), after) if found else (before.rstrip() + " ", Link(url))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Return the start of a comment: at most ``limit`` characters, cut between words."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip() + " …"


def quoted(text: str) -> str:
    """Quote ``text`` as mail does, ``> `` before every line."""
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def thread_link(
    thread: str, candidates: Sequence[str | None], allowed: Callable[[str], bool], fallback: str
) -> str:
    """Return where a reader finds the conversation: the thread id when it is a page of
    the site (an allowed origin), else the first such page among ``candidates`` (the
    permalinks sites send), else ``fallback`` (our own page of the thread)."""
    for url in (thread, *candidates):
        if url and _safe_url(url) and allowed(url):
            return url
    return fallback


def _safe_url(url: str) -> bool:
    """Tell whether ``url`` is a plain http(s) URL a mail client reads as we do."""
    if "\\" in url or any(ord(c) < 0x21 or c == "\x7f" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc


def at_comment(url: str, comment_id: str) -> str:
    """Return ``url`` pointing at one comment: the anchor the widget and the no-JS thread
    scroll to (any fragment the page had is replaced)."""
    return urlunsplit(urlsplit(url)._replace(fragment=f"comment-{comment_id}"))


def own_thread_page(public_url: str, site: str, thread: str, comment: str) -> str:
    """Return our no-JS page of a thread that holds ``comment``: always there, whatever
    the thread id is."""
    query = urlencode({"site": site, "thread": thread, "format": "page", "comment": comment})
    return f"{public_url.rstrip('/')}/embed/thread?{query}"


def recipient(address: str) -> Address:
    """Return the ``To`` of a mail to ``address``: its domain in ASCII (IDNA A-labels, as
    intake's email-validator makes them), so only a non-ASCII local part needs a server
    that offers SMTPUTF8 (``smtplib`` takes the envelope's recipient from this header).
    Built from its parts: ``Address(addr_spec=…)`` refuses a non-ASCII local part outright,
    so a mail to ``zoë@…`` could not even be composed."""
    local, _, domain = address.rpartition("@")
    # one stored before a check we make now is sent as it is: the server decides
    with contextlib.suppress(EmailNotValidError):
        domain = validate_email(address, check_deliverability=False).ascii_domain
    return Address(username=local, domain=domain)


def _raw(msg: EmailMessage, name: str, value: str) -> None:
    """Store a header exactly as ``value`` is written (ASCII, lines RFC 5322 allows)."""
    lines = value.split("\n")
    if (
        not value.isascii()
        or "\r" in value
        or any(len(line) > MAX_LINE - len(name) - 2 for line in lines)
        or any(not line[:1].isspace() for line in lines[1:])
    ):
        raise ValueError(f"{name} cannot be sent as written")
    msg.set_raw(name, value)


def _subject(msg: EmailMessage, subject: str) -> None:
    """Set the subject so that it reads as written: with ``=?`` in it (which the email
    package would decode as an encoded-word), encoded whole by us."""
    if "=?" not in subject:
        msg["Subject"] = subject
        return
    _raw(msg, "Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))


def _message(
    *, sender: str, to: str, subject: str, message_id: str, lang: str,
    paragraphs: list[Paragraph],
) -> EmailMessage:  # fmt: skip
    """Return a mail: its headers, the plain text and the HTML twin of ``paragraphs``."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender
    msg["To"] = recipient(to)
    _subject(msg, subject)
    msg["Date"] = formatdate(usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "moderato.invalid"
    msg["Message-ID"] = f"<{message_id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("\n\n".join(_text(para) for para in paragraphs) + "\n")
    msg.add_alternative(_html(paragraphs, lang), subtype="html")
    msg["Content-Language"] = lang  # after the body: setting it moves Content-* headers
    return msg


def _text(para: Paragraph) -> str:
    """Return a paragraph of the plain-text part."""
    if isinstance(para, Quote):
        return quoted(para.text)
    return "".join(part.url if isinstance(part, Link) else part for part in para)


def _html(paragraphs: list[Paragraph], lang: str) -> str:
    """Return the HTML twin of the text: every text escaped, only our links clickable."""
    body = []
    for para in paragraphs:
        if isinstance(para, Quote):
            inner = html.escape(para.text)
            body.append(f'<blockquote style="white-space:pre-wrap">{inner}</blockquote>')
            continue
        inner = "".join(
            f'<a href="{html.escape(part.url)}">{html.escape(part.url)}</a>'
            if isinstance(part, Link)
            else html.escape(part).replace("\n", "<br>")
            for part in para
        )
        body.append(f"<p>{inner}</p>")
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<!doctype html><html lang="{html.escape(lang)}" dir="{direction}"><body>'
        + "".join(body)
        + "</body></html>"
    )


def confirmation(
    t: Translator, *, sender: str, to: str, message_id: str, lang: str, site: str, name: str,
    link: str, days: int,
) -> EmailMessage:  # fmt: skip
    """Return the mail that asks an address to confirm reply notifications on ``site``."""
    return _message(
        sender=sender,
        to=to,
        subject=t("mail_confirm_subject", site=site),
        message_id=message_id,
        lang=lang,
        paragraphs=[
            (t("mail_hello", name=name),),
            (t("mail_confirm_ask", site=site),),
            (Link(link),),
            (t("mail_confirm_expires", days=days),),
            (t("mail_confirm_ignore"),),
        ],
    )


def reply_notice(
    t: Translator, *, sender: str, to: str, message_id: str, lang: str, site: str,
    replier: str, text: str, thread: str, unsubscribe: str,
) -> EmailMessage:  # fmt: skip
    """Return the mail that tells an author about a reply, with its one-click unsubscribe."""
    msg = _message(
        sender=sender,
        to=to,
        subject=t("mail_reply_subject", name=replier, site=site),
        message_id=message_id,
        lang=lang,
        paragraphs=[
            (t("mail_reply_intro", name=replier),),
            Quote(excerpt(text)),
            with_link(t, "mail_reply_read", thread),
            (t("mail_reply_why", site=site),),
            with_link(t, "mail_reply_stop", unsubscribe),
        ],
    )
    _raw(msg, "List-Unsubscribe", f"<{unsubscribe}>")  # one line, as RFC 8058 has it
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg
