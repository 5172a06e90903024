"""Check a submitted comment before any I/O: ``validate(payload) -> (CommentInput | None, errors)``.

Pure: no database, no network. Field error codes are stable snake_case strings
that clients (the embed) translate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from service.ids import looks_like_id

MAX_THREAD = 512
MAX_NAME = 80
MAX_EMAIL = 254
MAX_TEXT = 5000
MAX_URL = 2048
MAX_REVISION = 10**18 - 1  # a text's revision: 18 digits at most (``whole_number``)
MAX_LANG = 35  # a BCP 47 tag as browsers write them (``zh-Hant-TW``), with room to spare
SITE_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

#: Messages for each field error code (English; the embed has its own catalogue).
MESSAGES = {
    "required": "This field is required.",
    "invalid_type": "This field must be a string.",
    "too_long": "This field is too long (at most {limit} characters).",
    "control_characters": "This field contains control characters.",
    "invalid_email": "Enter a valid e-mail address.",
    "invalid_url": "Enter a web address starting with http:// or https://.",
    "invalid_id": "This is not a valid comment id.",
    "invalid_site": "This is not a valid site slug.",
    "invalid_boolean": "This field must be true or false.",
    "parent_not_found": "The comment you reply to is not published in this thread.",
    "invalid_revision": "This field must be a whole number: the revision of the text edited.",
    "unknown_field": "This request takes no such field (check its name).",
    "email_not_allowed": "This field takes an id from your own system, not an e-mail address.",
}

FieldErrors = dict[str, dict[str, str]]

#: The message of an address within ``MAX_EMAIL`` characters but not bytes (its code stays
#: ``invalid_email``, which the embed translates).
EMAIL_BYTES = (
    f"This address is too long: mail takes at most {MAX_EMAIL} bytes in UTF-8, and a "
    "letter such as é takes two."
)

#: The fields of a comment, as ``validate`` reads them.
COMMENT_FIELDS = (
    "site", "thread", "name", "email", "text", "url", "parent", "notify_replies", "lang"
)  # fmt: skip


def unknown_fields(payload: Mapping[str, Any], known: Iterable[str]) -> FieldErrors:
    """Return an ``unknown_field`` error for each field of ``payload`` outside ``known``.

    The API's rule (docs/integrations.md, "Request bodies"): a request with a site key is a
    program, and a misspelt field it sends (``notify_reply``, ``expected_state``) would
    otherwise be dropped without a word, so it is a 422 naming it, with the other field
    errors; a browser's post (no key) carries fields of its own (the widget's form token
    and honeypot, a publisher's form's extras), which are ignored.
    """
    return {name: field_error("unknown_field") for name in sorted(set(payload) - set(known))}


@dataclass(frozen=True, slots=True)
class CommentInput:
    """A submission whose fields passed every check, trimmed and normalised."""

    site: str
    thread: str
    name: str
    email: str
    text: str
    url: str | None = None
    parent: str | None = None
    notify_replies: bool = False
    lang: str | None = None


def field_error(code: str, **params: Any) -> dict[str, str]:
    """Return one field error: its code and an English message."""
    return {"code": code, "message": MESSAGES[code].format(**params)}


def whole_number(raw: object, max_digits: int = 18) -> int | None:
    """Return ``raw`` as an int when it is ASCII digits only (at most ``max_digits``), else None.

    ``str.isdigit`` accepts ``²`` (which ``int`` refuses: a 500) and ``٣`` (which ``int``
    reads as 3), and ``int`` refuses over 4,300 digits; found in review.
    """
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= max_digits:
        return int(raw)
    return None


def thread_error(thread: str) -> dict[str, str] | None:
    """Return the field error of a (trimmed) thread name given as a query parameter, or
    None: required, at most ``MAX_THREAD`` characters, no control characters (a NUL was a
    500 on PostgreSQL; found in review)."""
    if not thread:
        return field_error("required")
    if len(thread) > MAX_THREAD:
        return field_error("too_long", limit=MAX_THREAD)
    if has_controls(thread):
        return field_error("control_characters")
    return None


def has_lone_surrogate(value: object) -> bool:
    """Tell whether a parsed JSON value holds a string with a lone UTF-16 surrogate (JSON
    lets ``\\ud800`` through; the database and every encoder refuse it: a 500 in review).
    Walks the value with a stack, not recursion: a body nested hundreds deep parses, and
    recursing over it was a 500 too (found in review)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


#: Bidirectional embeddings, overrides and isolates: invisible, and U+202E shows the rest of
#: a line reversed (``moc.elgoog``). Refused in names, closing messages, report notes and
#: moderation notes; comment text and thread names keep them (cards and the Threads page
#: show them as tags): right-to-left writers may use isolates, and a thread stored with one
#: must stay reachable. The marks (U+200E/U+200F) are allowed everywhere.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_controls(value: str, allow: str = "", bidi: bool = False) -> bool:
    """Tell whether ``value`` has a control character (Unicode Cc) outside ``allow``, or,
    with ``bidi``, a bidirectional embedding, override or isolate."""
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in allow) or (bidi and ch in BIDI_CONTROLS)
        for ch in value
    )


def _string(payload: Mapping[str, Any], name: str, errors: FieldErrors) -> str | None:
    """Return the field as a trimmed string ('' when absent), or None on a type error."""
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = field_error("invalid_type")
        return None
    return value.strip()


def normalise_newlines(value: str) -> str:
    """Turn CRLF and lone CR into LF, as browsers submit textareas with CRLF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _text_field(
    payload: Mapping[str, Any],
    name: str,
    limit: int,
    errors: FieldErrors,
    allow: str = "",
    bidi: bool = False,
) -> str | None:
    value = _string(payload, name, errors)
    if value is None:
        return None
    if allow:
        value = normalise_newlines(value).strip()
    if not value:
        errors[name] = field_error("required")
    elif len(value) > limit:
        errors[name] = field_error("too_long", limit=limit)
    elif has_controls(value, allow, bidi=bidi):
        errors[name] = field_error("control_characters")
    else:
        return value
    return None


def _email(payload: Mapping[str, Any], errors: FieldErrors, deliverability: bool) -> str | None:
    value = _string(payload, "email", errors)
    if value is None:
        return None
    # measured as stored (NFC, as email-validator gives it): ``Zoe`` + a combining
    # diaeresis is the three letters of ``Zoë``, and a long address sent decomposed was
    # refused though it fits
    value = unicodedata.normalize("NFC", value)
    if not value:
        errors["email"] = field_error("required")
        return None
    if len(value) > MAX_EMAIL:
        errors["email"] = field_error("too_long", limit=MAX_EMAIL)
        return None
    if len(value.encode()) > MAX_EMAIL:  # mail counts bytes (RFC 6531): say so, not "invalid"
        errors["email"] = {"code": "invalid_email", "message": EMAIL_BYTES}
        return None
    try:
        info = validate_email(value, check_deliverability=deliverability)
    except EmailNotValidError:
        errors["email"] = field_error("invalid_email")
        return None
    return info.normalized


#: Characters an author's website address may not hold (percent-encode them: ``%22``).
URL_REFUSED = frozenset('"<>')


def _url(payload: Mapping[str, Any], errors: FieldErrors) -> str | None:
    value = _string(payload, "url", errors)
    if not value:
        return None
    if len(value) > MAX_URL:
        errors["url"] = field_error("too_long", limit=MAX_URL)
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or has_controls(value)
        or any(ch.isspace() for ch in value)
        # a quote or an angle bracket is never in a real address (RFC 3986 percent-encodes
        # them), and a bare one breaks out of the href of a template or a subscriber that
        # renders the link less carefully than ours (found in review)
        or any(ch in URL_REFUSED for ch in value)
    ):
        errors["url"] = field_error("invalid_url")
        return None
    return value


#: How a form (or JSON) may say yes or no, exactly so: an HTML checkbox sends ``on``.
TRUE_WORDS = ("1", "true", "on", "yes")
FALSE_WORDS = ("", "0", "false", "off", "no")


def _boolean(payload: Mapping[str, Any], name: str, errors: FieldErrors) -> bool:
    """Return a yes/no field: JSON true/false, or a form's word for it; absent is False."""
    value = payload.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value in TRUE_WORDS + FALSE_WORDS:
        return value in TRUE_WORDS
    errors[name] = field_error("invalid_boolean")
    return False


def _lang(payload: Mapping[str, Any], errors: FieldErrors) -> str | None:
    """Return the reader's language tag as sent (the mails' language), or None."""
    value = _string(payload, "lang", errors)
    if value and len(value) > MAX_LANG:
        errors["lang"] = field_error("too_long", limit=MAX_LANG)
    elif value and has_controls(value):
        errors["lang"] = field_error("control_characters")
    else:
        return value or None
    return None


def validate_text(payload: Mapping[str, Any]) -> tuple[str | None, FieldErrors]:
    """Check a comment's ``text`` alone (an author's edit), exactly as ``validate`` does."""
    errors: FieldErrors = {}
    return _text_field(payload, "text", MAX_TEXT, errors, allow="\n\t"), errors


def validate_revision(payload: Mapping[str, Any], errors: FieldErrors) -> int | None:
    """Return an edit's optional ``revision`` (a JSON integer, or ASCII digits in a form);
    None when absent; a field error in ``errors`` when malformed. JSON has one kind of
    number: ``3.0`` is the integer 3, as JSON Schema's ``integer`` says (it was a 422 for a
    body the OpenAPI document allows; schemathesis)."""
    raw = payload.get("revision")
    if raw is None or raw == "":
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_REVISION:
        return raw
    number = whole_number(raw)
    if number is None:
        errors["revision"] = field_error("invalid_revision")
    return number


def validate(
    payload: Mapping[str, Any], *, check_deliverability: bool = False
) -> tuple[CommentInput | None, FieldErrors]:
    """Check every field of ``payload`` at once; return the input or all the field errors."""
    errors: FieldErrors = {}
    thread = _text_field(payload, "thread", MAX_THREAD, errors)
    name = _text_field(payload, "name", MAX_NAME, errors, bidi=True)
    email = _email(payload, errors, check_deliverability)
    text = _text_field(payload, "text", MAX_TEXT, errors, allow="\n\t")
    url = _url(payload, errors)
    parent = _string(payload, "parent", errors) or None
    if parent is not None and not looks_like_id(parent):
        errors["parent"] = field_error("invalid_id")
    notify = _boolean(payload, "notify_replies", errors)
    lang = _lang(payload, errors)
    site = _string(payload, "site", errors) or "default"
    if "site" not in errors and not SITE_SLUG.match(site):
        errors["site"] = field_error("invalid_site")
    if errors or thread is None or name is None or email is None or text is None:
        return None, errors
    return CommentInput(site, thread, name, email, text, url, parent, notify, lang), errors
