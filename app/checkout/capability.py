"""Who may see and act on a session's hosted page: whoever holds the shopper's link.

The ``checkoutUrl`` carries the capability (``?t=``); the first visit trades it for an
HttpOnly cookie scoped to that session's pages and redirects to the clean URL, so the token
does not linger in the address bar, history or a Referer. Without it, a session id is as
good as an unknown one: the same "not found" page, no personal data, every action refused.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from app.payments.checkout_links import CAPABILITY_PARAM, CheckoutLinks
from app.payments.errors import SessionNotFound
from app.payments.sessions import MAX_LIFETIME
from app.settings import Environment, Settings

COOKIE = "kc_checkout"


def init_app(app: Flask, settings: Settings) -> None:
    """The links the API hands out, and cookies fit for them: Secure wherever the service is
    not a developer's plain-http machine, HttpOnly and SameSite=Lax everywhere."""
    app.extensions["kc.checkout_links"] = CheckoutLinks.from_root_secret(
        settings.public_base_url, settings.resolved_secret_key()
    )
    app.config["SESSION_COOKIE_SECURE"] = settings.environment is not Environment.DEVELOPMENT
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def links() -> CheckoutLinks:
    found: CheckoutLinks = current_app.extensions["kc.checkout_links"]
    return found


def cookie_path(session_id: str) -> str:
    return f"/checkout/{session_id}"


def offered_token() -> str | None:
    """The capability in this request's link (the shopper's first visit, a gateway return)."""
    return request.args.get(CAPABILITY_PARAM)


def holds(session_id: str) -> bool:
    """Does this browser hold the session's capability (its cookie or its link)?"""
    return any(
        links().verify(session_id, token)
        for token in (request.cookies.get(COOKIE), offered_token())
    )


def require(session_id: str) -> None:
    """Refuse exactly as for a session that does not exist (404-like, nothing leaked)."""
    if not holds(session_id):
        raise SessionNotFound(session_id)


def grant(response: Response, session_id: str) -> Response:
    """Keep the capability in a cookie only this session's pages receive."""
    response.set_cookie(
        COOKIE,
        links().token(session_id),
        max_age=int(MAX_LIFETIME.total_seconds()),
        path=cookie_path(session_id),
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
    return response
