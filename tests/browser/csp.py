"""What a page's Content-Security-Policy refused, as Chromium reports it."""

from __future__ import annotations

from playwright.sync_api import Page

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
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(LISTEN)
    return errors


def violations(page: Page) -> list[str]:
    """Return the ``securitypolicyviolation`` events of the current document so far."""
    found: list[str] = page.evaluate("() => window.__violations || []")
    return found
