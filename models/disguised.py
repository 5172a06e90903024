"""Disguised links: web addresses written so that a link filter does not see them.

Spammers who expect links to be filtered write the address so a person can still type it
but a pattern for ``example.com`` misses it: the dot spelled out or bracketed
(``example(dot)com``, ``example [.] net``, ``example dot com``), a space around the dot
(``example. com``, ``example . com``), a star in its place (``example*com``), a
backslash after a shortener (``bit.ly\\AbC12``), or a defanged scheme (``hxxp://``). A
person citing a source has no reason to do that, so a disguise is a spam signal of its
own, and the link detector in ``models.signals`` (which needs a real dot) never sees
these. ``DISGUISED_LINK_RE`` marks them on the normalised text; the match is one
structure column whose weight the spam model learns from the labelled data, never a
verdict on its own. ``TRIGGERS`` lists words one of which every alternative contains:
the expression only runs on comments that have one.

Only a closed set of common top-level domains counts where the disguise is a space, so
"it. Com" or "a safety net" do not match, and "the dot com bubble" is excluded by name.
E-mail addresses are not links: people write theirs out to keep it from address
harvesters ("jane (at) example (dot) org", "john dot smith at gmail dot com"), so a
domain after "(at)", "[at]" or "@", and the big mail providers, do not count.

The column's ``VALUE`` is below 1: about twenty training comments have a disguise, all
spam, and nothing in the training data shows the innocent ones a news site sees (a
phone keyboard's "bbc. com"). At 1 the model gave it +6.8 log-odds, enough to reject a
comment on its own; the smaller value is a stronger prior against a large weight, so a
disguise holds a comment for a moderator unless other evidence agrees (MODEL_CARD.md).
"""

from __future__ import annotations

import re

# Top-level domains that spam uses and ordinary words rarely are (no "me", "in", "us").
_TLD = r"(?:com|net|org|info|biz|ru|tk|xyz|club|online|site|top)"
# Where the disguise is only a space, fewer: "the club. Top of the list", "hit the net. Net
# result" are prose; a star glued to a name is not.
_TLD_SPACED = r"(?:com|org|biz|ru|tk|xyz)"
_TLD_STAR = r"(?:com|net|org|info|biz|ru|tk|xyz)"
_NAME = r"[a-z0-9][a-z0-9-]*[a-z0-9]"
_DOT_WORD = r"(?:[(\[{<]\s*(?:dot|\.)\s*[)\]}>]|\s+dot\s+)"
# Not a link: an e-mail domain, or a mail provider's name.
_NOT_MAIL = (
    r"(?<!@)(?<!\(at\) )(?<!\(at\))(?<!\[at\] )(?<!\[at\])"
    r"(?!(?:g|google|hot|y|live|aol|icloud|proton|protonmail|zoho|gmx|web)?mail\b"
    r"|(?:yahoo|outlook|msn|aol|icloud|live)\b)"
)
_DOT_COM_ERA = r"(?:bubble|boom|bust|era|crash|compan|start|days|age|mania|stock|world|bomb)"
DISGUISED_LINK_RE = re.compile(
    r"\b(?:"
    # the dot spelled out or bracketed: example(dot)com, example [.] net, example dot com
    rf"{_NOT_MAIL}(?!(?:the|a|an|of|first|old|new|big)\s)"
    rf"{_NAME}\s*{_DOT_WORD}\s*(?:{_NAME}\s*{_DOT_WORD}\s*)*"
    rf"(?:{_TLD}|[a-z]{{2}})\b(?!\s*-?{_DOT_COM_ERA})"
    # a space before or after the dot: example. com, example . com
    rf"|{_NOT_MAIL}[a-z0-9-]{{3,}}(?:\s+\.\s*|\.\s+){_TLD_SPACED}\b(?![.\w])"
    # a star in place of the dot: example*com
    rf"|{_NAME}\*{_TLD_STAR}\b"
    # a backslash or pipe where a shortener's slash goes: bit.ly\AbC12
    r"|(?:bit\.ly|goo\.gl|tinyurl\.com|ow\.ly|is\.gd|t\.co|tiny\.cc|cutt\.ly|rb\.gy)\s?[\\|]\s?\w+"
    # a defanged scheme
    r"|hxxps?(?::|\[:\])//"
    r")"
)
VALUE = 0.25
# Every alternative above contains one of these words (tokens: runs of word characters).
TRIGGERS = (
    "dot", "com", "net", "org", "info", "biz", "ru", "tk", "xyz", "club", "online", "site",
    "top", "ly", "gl", "gd", "co", "cc", "gy", "hxxp", "hxxps",
)  # fmt: skip
