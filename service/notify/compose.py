"""The mails themselves: plain text with a simple HTML twin, and their headers. Pure.

Every reply notification carries a one-click unsubscribe (RFC 8058): ``List-Unsubscribe``
with our signed HTTPS link, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``, and
the same link in the body. ``Auto-Submitted: auto-generated`` (RFC 3834) keeps vacation
responders quiet. The ``Message-ID`` is the outbox row's, so a retry after a lost answer
is the same message to whoever de-duplicates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import urlencode, urlsplit

Translator = Callable[..., str]
EXCERPT = 500
URL = re.compile(r"https?://[^\s<>\"]+")


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


def own_thread_page(public_url: str, site: str, thread: str) -> str:
    """Return our no-JS page of a thread: always there, whatever the thread id is."""
    query = urlencode({"site": site, "thread": thread, "format": "page"})
    return f"{public_url.rstrip('/')}/embed/thread?{query}"


def _message(
    *, sender: str, to: str, subject: str, message_id: str, lang: str, paragraphs: list[str]
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = Address(addr_spec=to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "moderato.invalid"
    msg["Message-ID"] = f"<{message_id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("\n\n".join(paragraphs) + "\n")
    msg.add_alternative(_html(paragraphs, lang), subtype="html")
    msg["Content-Language"] = lang  # after the body: setting it moves Content-* headers
    return msg


def _html(paragraphs: list[str], lang: str) -> str:
    """Return the HTML twin of the text: each paragraph escaped, its links clickable."""
    body = []
    for para in paragraphs:
        if para.startswith(">"):
            inner = html.escape("\n".join(line[2:] for line in para.splitlines()))
            body.append(f'<blockquote style="white-space:pre-wrap">{inner}</blockquote>')
            continue
        escaped = html.escape(para)
        linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        body.append(f"<p>{linked.replace(chr(10), '<br>')}</p>")
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
            t("mail_hello", name=name),
            t("mail_confirm_ask", site=site),
            link,
            t("mail_confirm_expires", days=days),
            t("mail_confirm_ignore"),
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
            t("mail_reply_intro", name=replier),
            quoted(excerpt(text)),
            t("mail_reply_read", link=thread),
            t("mail_reply_why", site=site),
            t("mail_reply_stop", link=unsubscribe),
        ],
    )
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg
