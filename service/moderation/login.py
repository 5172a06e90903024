"""Logging in and out, the first admin's setup page, and changing one's own password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import update
from werkzeug.wrappers import Response as BaseResponse

from service import users
from service.clock import utcnow
from service.errors import NotFound, RateLimited
from service.extensions import db
from service.moderation import access, bp, csrf, first_admin, throttle
from service.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from service.store.tables import AuditEntry, User

#: Verified when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password-0123456789")


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a dashboard path of ours, else the dashboard's home."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/moderation")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("moderation.home")


def audit(action: str, actor: str, **details: Any) -> None:
    """Append an account-level entry (no comment) to the audit log."""
    with db().session() as dbs:
        dbs.add(AuditEntry(actor=actor, action=action, details=details, created_at=utcnow()))


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login() -> Any:
    """Show the login form; check the password, throttled per account and per IP."""
    if access.current_user() is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    with db().session() as dbs:
        no_accounts = users.count(dbs) == 0
    email = request.form.get("email", "").strip().lower()
    error = None
    status = 200
    if request.method == "POST":
        keys = throttle.keys_for_request(email)
        try:
            throttle.attempt(keys)
        except RateLimited as exc:
            return (
                render_template(
                    "moderation/login.html", email=email, error=exc.message, no_accounts=no_accounts
                ),
                429,
                exc.headers,
            )
        account = _verify(email, request.form.get("password", ""))
        if account is not None:
            throttle.succeeded(keys)
            access.start_session(account)
            csrf.rotate()
            audit("login", access.actor(account), ip=keys.ip.rpartition(":")[2])
            return redirect(safe_next(request.form.get("next")), code=303)
        error = "The e-mail address or the password is wrong."  # counted by attempt()
        status = 401
    page = render_template(
        "moderation/login.html",
        email=email,
        error=error,
        no_accounts=no_accounts,
        next=request.values.get("next", ""),
    )
    return page, status


def _verify(email: str, password: str) -> User | None:
    """Return the enabled account whose password matches, rehashing an outdated hash."""
    with db().session() as dbs:
        account = users.by_email(dbs, email) if email else None
        if account is None:
            verify_password(_DUMMY_HASH, password)
            return None
        # The hash is checked first, also for disabled accounts: answering those sooner
        # told them apart by timing (found in review).
        matches = verify_password(account.password_hash, password)
        if account.disabled or not matches:
            return None
        if needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
        account.last_login_at = utcnow()
        return account


@bp.post("/logout")
@access.public
def logout() -> BaseResponse:
    """End the session (a POST with the CSRF token, so no other site can log us out)."""
    account = access.current_user()
    if account is not None:
        audit("logout", access.actor(account))
        with db().session() as dbs:  # a copy of this cookie must not outlive the logout
            dbs.execute(
                update(User)
                .where(User.id == account.id)
                .values(session_epoch=User.session_epoch + 1)
            )
    access.end_session()
    flash("You are logged out.", "info")
    return redirect(url_for("moderation.login"), code=303)


@bp.route("/setup", methods=["GET", "POST"])
@access.public
def setup() -> Any:
    """Let the first admin choose an e-mail and password through the link printed at start-up."""
    token = request.values.get("token", "")
    cfg = current_app.config
    hours = float(cfg.get("SETUP_LINK_HOURS", first_admin.DEFAULT_HOURS))
    with db().session() as dbs:
        if users.count(dbs) > 0:
            raise NotFound("An account exists already: log in instead.", code="setup_closed")
    if not first_admin.token_valid(cfg["SECRET_KEY"], token, hours):
        raise NotFound(
            "This setup link is not valid or has expired: restart `moderato run` "
            "or run `moderato users setup-link` for a fresh one.",
            code="setup_link_invalid",
        )
    errors: dict[str, str] = {}
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            errors["confirm"] = "The two passwords differ."
        else:
            try:
                with db().session() as dbs:
                    if users.count(dbs) > 0:
                        raise NotFound("An account exists already.", code="setup_closed")
                    account = users.create(dbs, email, password, "admin")
            except users.UserError as exc:
                errors["email" if "mail" in str(exc) else "password"] = str(exc)
            else:
                audit(
                    "user_created",
                    access.actor(account),
                    email=account.email,
                    role="admin",
                    via="setup",
                )
                access.start_session(account)
                csrf.rotate()
                flash(f"Welcome! You are the first admin, {account.email}.", "success")
                return redirect(url_for("moderation.home"), code=303)
    page = render_template(
        "moderation/setup.html", token=token, email=email, errors=errors, min_length=MIN_LENGTH
    )
    return page, 422 if errors else 200


@bp.route("/account", methods=["GET", "POST"])
@access.login_required
def account() -> Any:
    """Show one's sites; change one's own password (ends every other session of the account)."""
    errors: dict[str, str] = {}
    me = access.user()
    if request.method == "POST":
        current = request.form.get("current", "")
        new = request.form.get("password", "")
        # The current-password check is a password guess like a login (a stolen session
        # must not try passwords without limit), so it shares the login counters.
        keys = throttle.keys_for_request(me.email)
        try:
            throttle.attempt(keys)
        except RateLimited as exc:
            errors["current"] = exc.message
            return _account_page(errors), 429, exc.headers
        right = verify_password(me.password_hash, current)
        if right:
            throttle.succeeded(keys)
        if not right:
            errors["current"] = "Your current password is wrong."
        elif len(new) < MIN_LENGTH:
            errors["password"] = f"Use at least {MIN_LENGTH} characters."
        elif new == current:
            errors["password"] = "This is your current password: choose a new one."
        elif new != request.form.get("confirm", ""):
            errors["confirm"] = "The two passwords differ."
        else:
            with db().session() as dbs:
                row = dbs.get(User, me.id)
                assert row is not None
                row.password_hash = hash_password(new)
            audit("password_changed", access.actor(me))
            access.start_session(row)
            csrf.rotate()
            flash("Your password is changed; other sessions are logged out.", "success")
            return redirect(url_for("moderation.account"), code=303)
    return _account_page(errors), 422 if errors else 200


def _account_page(errors: dict[str, str]) -> str:
    """Render the account page: the sites the user moderates, and the password form."""
    with db().session() as dbs:
        sites = [(s.name, s.slug) for s in access.visible_sites(dbs)]
    return render_template("moderation/account.html", errors=errors, sites=sites)


@bp.get("/")
@access.login_required
def home() -> BaseResponse:
    """Open the held queue."""
    return redirect(url_for("moderation.queue", queue="held"))
