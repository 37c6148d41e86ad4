"""Rendering for the hosted pages: language, CSRF, error pages, and the page each session
status gets (the security headers are `app.checkout.security`)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, current_app, g, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from app.api.errors import status_for
from app.checkout import address_form, presenters, security
from app.checkout.csrf import check_csrf, csrf_token
from app.checkout.i18n import Catalog, choose_language
from app.gateways import RedirectMethod, WindowRedirect
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession
from app.payments.errors import CheckoutError, InvalidRequest, NotFound
from app.payments.payment_inputs import installments_allowed
from app.payments.status import SessionStatus
from app.settings import Settings

logger = logging.getLogger(__name__)
CSRF_EXEMPT = frozenset({"checkout.payment_return"})
#: Status -> (title key, body key, where the button goes)
STATUS_PAGES: dict[SessionStatus, tuple[str, str, str]] = {
    SessionStatus.COMPLETED: ("completed_title", "completed_body", "return"),
    SessionStatus.PARTIALLY_REFUNDED: ("completed_title", "completed_body", "return"),
    SessionStatus.REFUNDED: ("refunded_title", "refunded_body", "return"),
    SessionStatus.CANCELLED: ("cancelled_title", "cancelled_body", "cancel"),
    SessionStatus.EXPIRED: ("expired_title", "expired_body", "cancel"),
    SessionStatus.FAILED: ("failed_title", "failed_body", "cancel"),
}


def catalog() -> Catalog:
    found: Catalog = current_app.extensions["kc.checkout_catalog"]
    return found


def gateways() -> GatewayProvider:
    provider: GatewayProvider = current_app.extensions["kc.gateways"]
    return provider


def public_base_url() -> str:
    settings: Settings = current_app.extensions["kc.settings"]
    return settings.public_base_url.rstrip("/")


def before_request() -> None:
    g.lang = choose_language(
        request.args.get("lang") or request.form.get("lang"), request.accept_languages
    )
    if request.method == "POST" and request.endpoint not in CSRF_EXEMPT:
        check_csrf()


def t(key: str, **params: object) -> str:
    return catalog().translate(g.get("lang", "ko"), key, **params)


def render(template: str, status: int = 200, **context: Any) -> Response:
    lang = g.get("lang", "ko")
    response = make_response(
        render_template(
            template,
            lang=lang,
            t=t,
            won=lambda amount: presenters.won(amount, lang),
            csrf_token=csrf_token,
            csp_nonce=security.nonce,
            **context,
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


def error_message(code: str | None) -> str | None:
    if not code:
        return None
    key = f"error_{code}"
    return t(key) if catalog().has(g.get("lang", "ko"), key) else t("error_generic")


def session_page(
    session: CheckoutSession,
    *,
    error: str | None = None,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = g.get("lang", "ko")
    state = SessionStatus(session.status)
    common: dict[str, Any] = {
        "session": session,
        "theme": presenters.theme(session.metadata_),
        "test_mode": session.mode == "test",
        "show_lang": True,
    }
    if state in STATUS_PAGES:
        title, body, target = STATUS_PAGES[state]
        url = session.return_url if target == "return" else session.cancel_url
        link = presenters.with_session_id(url, session.id)
        return render(
            "checkout/status.html", status, title=t(title), body=t(body), link=link, **common
        )
    if session.virtual_account is not None:
        return render(
            "checkout/virtual_account.html",
            status,
            account=session.virtual_account,
            due=presenters.kst(presenters.parse_iso(session.virtual_account["dueDate"]), lang),
            link=presenters.with_session_id(session.return_url, session.id),
            **common,
        )
    pending = state is SessionStatus.PENDING
    if pending:
        security.use_postcode()
    # The cancel form lands on the shop's cancelUrl; the pay form on the (sandbox) window.
    security.allow_form_target(session.cancel_url, public_base_url())
    values = {
        **address_form.shown(session.address),
        "method": presenters.preselected_method(
            request.args.get("method"), session.preferred_payment_method
        ),
        "installmentMonths": "0",
        **(form or {}),
    }
    return render(
        "checkout/page.html",
        status,
        items=presenters.line_items(session.items),
        subtotal=sum(item.line_total for item in presenters.line_items(session.items)),
        methods=presenters.METHOD_ORDER,
        installments=presenters.installment_options(session.total_amount),
        installments_allowed=installments_allowed(session.total_amount),
        deadline=presenters.kst(session.expires_at, lang),
        error=error_message(error),
        notice=t("notice_closed") if notice == "closed" else None,
        values=values,
        pending=pending,
        postcode_script=security.POSTCODE_SCRIPT,
        **common,
    )


def follow_window(window: WindowRedirect) -> Response:
    """Send the browser where a gateway says: a redirect, or an auto-submitted form."""
    security.allow_form_target(window.url)
    if window.http_method is RedirectMethod.GET:
        response = make_response("", 303)
        response.headers["Location"] = window.url
        return response
    if window.http_method is RedirectMethod.POST:
        return render("checkout/redirect.html", url=window.url, fields=dict(window.fields))
    raise InvalidRequest(
        "This gateway's window needs its JavaScript SDK, which this page does not load",
        code="window_unavailable",
    )


def error_page(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        status = error.code or 500
        code = "not_found" if status == 404 else "http_error"
    elif isinstance(error, CheckoutError):
        status, code = status_for(error), error.code
    else:
        logger.exception("checkout page error", extra={"request_id": g.get("request_id")})
        status, code = 500, "internal_error"
    if isinstance(error, NotFound) or status == 404:
        title, body = t("not_found_title"), t("not_found_body")
    elif code == "csrf_failed":
        title, body = t("error_title"), t("csrf_error")
    elif code == "invalid_redirect":
        title, body = t("error_title"), t("invalid_redirect")
    else:
        title, body = t("error_title"), error_message(code) or t("error_generic")
    return render("checkout/error.html", status, title=title, body=body, code=code)
