"""Requests from commenters about their data: export everything kept about an e-mail
address, or erase it (GDPR articles 15 and 17; docs/deploy.md, "Privacy requests").

A commenter is known by the e-mail address they typed (trimmed, case-insensitive): the
comment form has no accounts. Erasure keeps a comment's row, id, thread, times and scores
(threads keep their shape, replies keep their parent, counts stay true) and removes what
says who wrote it or what they wrote:

- name, e-mail, website, avatar hash, IP hash, user agent, referrer, text and its HTML,
  the intake signals, and the classifier's reasons (they quote the text);
- the address and the comments' IP hashes wherever the audit log or a decision summary
  repeats them (a ban hit); moderators' notes on those comments and readers' report
  notes (they may quote the author);
- the text in webhook outbox rows about the comment (a pending delivery goes out with
  the erased body);
- Akismet-compatible check records sent with that address, and their feedback labels;
- its reply-notification subscriptions and their mails (``service/notify/privacy.py``),
  and each comment's opt-in to them;
- the text before an author's edit (``previous_text``), kept for moderators.

A comment not already rejected is taken down first, through the lifecycle (rejection
``moderator``, action ``erase``), so subscribers get ``comment.rejected`` and the thread no
longer lists it; a featured comment loses its flag with it (``service.featured``).
Moderator labels stay (a label without text is no training data, but the record of a
decision is the site's). Bans on the address stay: keeping an abuser out is the
site's legitimate interest; an admin lifts them in the dashboard.

``erase_comment`` erases one comment the same way, for its author's withdrawal
(``service.edits``).

The modules: ``lookup`` finds what was sent with an address, ``exports`` lists it,
``erasure`` takes it down and erases it (``batches``: a batch per transaction),
``scrubbing`` rewrites what repeats it, ``wal`` folds SQLite's write-ahead log in
afterwards. The names below are the package's interface (the command line, the
dashboard's privacy page, the API's ``service/api/privacy.py`` and bench/bench_erasure.py
use them). A comment that keeps changing under its erasure (the worker or a moderator
moving it each time) raises ``ErasureConflict``, after the rest is erased and recorded.
"""

from __future__ import annotations

from service.privacy.batches import BATCH, erase_in_batches
from service.privacy.erasure import Erasure, ErasureConflict, erase, erase_comment
from service.privacy.exports import audit_export, export
from service.privacy.lookup import normalise
from service.privacy.scrubbing import ERASED
from service.privacy.wal import Checkpoint, checkpoint

__all__ = [
    "BATCH",
    "ERASED",
    "Checkpoint",
    "Erasure",
    "ErasureConflict",
    "audit_export",
    "checkpoint",
    "erase",
    "erase_comment",
    "erase_in_batches",
    "export",
    "normalise",
]
