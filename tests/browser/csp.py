"""What a page's Content-Security-Policy refused, as Chromium reports it."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page

#: Runs before the page's own code (Playwright's init scripts are not subject to its CSP).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def watch(page: Page) -> list[str]:
    """Record ``page``'s console errors from now on; also start collecting the
    ``securitypolicyviolation`` events of the documents it loads (see ``violations``)."""
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # A document without an icon link gets Chromium's guess, /favicon.ico: its 404 is
        # logged (or not, as the request races the test) and says nothing of the page.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{message.text} ({message.location['url']})")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(LISTEN)
    return errors


def violations(page: Page) -> list[str]:
    """Return the ``securitypolicyviolation`` events of the current document so far."""
    found: list[str] = page.evaluate("() => window.__violations || []")
    return found
