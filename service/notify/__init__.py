"""Reply notifications by e-mail: the opt-in, the double opt-in, the outbox, the pages.

A reader ticks "Email me when someone replies" on a comment (``notify_replies``). When
that comment is published, ``outbox.on_publish`` (called by ``lifecycle.transition``,
in its transaction) writes a confirmation mail unless the address is confirmed on the
site already; when a reply is published, a notification to the author of the comment
replied to, if that author opted in on it and is confirmed. The worker sends the outbox
(``worker/mail.py``); the pages here confirm and unsubscribe (``pages.py``).
"""
