"""The hosted checkout page: show the session, start a payment, cancel, and take the
gateway's return. Thin: every decision is a service in ``app.payments``; every route needs
the session's capability (``app.checkout.capability``), not just its id."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, g, request, url_for
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from app.checkout import address_form, capability, presenters, rendering, security
from app.checkout.rendering import follow_window
from app.gateways import PaymentMethod
from app.models import CheckoutSession
from app.models.base import utcnow
from app.payments import payments, sessions
from app.payments.checkout_links import CAPABILITY_PARAM
from app.payments.errors import InvalidRequest, SessionNotFound
from app.payments.payment_inputs import PaymentChoice
from app.web_db import db_session

bp = Blueprint(
    "checkout",
    __name__,
    url_prefix="/checkout",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
bp.before_request(rendering.before_request)
bp.after_request(security.apply_headers)
bp.register_error_handler(Exception, rendering.error_page)
SESSION_ID = re.compile(r"^cs_[0-9a-f]{32}$")


def _load(session_id: str) -> CheckoutSession:
    """The session, for a browser holding its capability; otherwise as if it did not exist."""
    if not SESSION_ID.fullmatch(session_id):
        raise SessionNotFound(session_id)
    capability.require(session_id)
    return sessions.get_session(db_session(), None, session_id, utcnow())


def _clean_page_url(session_id: str) -> str:
    query = {key: value for key, value in request.args.items() if key != CAPABILITY_PARAM}
    target = url_for("checkout.page", session_id=session_id)
    return f"{target}?{urlencode(query)}" if query else target


@bp.get("/<session_id>")
def page(session_id: str) -> Response:
    session = _load(session_id)
    if capability.offered_token() is not None:
        # The shopper's link: keep the capability in a cookie, show the clean URL.
        return capability.grant(redirect(_clean_page_url(session_id), 303), session_id)
    return rendering.session_page(
        session, error=request.args.get("error"), notice=request.args.get("notice")
    )


def _choice(form: dict[str, str]) -> PaymentChoice:
    try:
        method = PaymentMethod(form.get("method", ""))
    except ValueError as exc:
        raise InvalidRequest(code="invalid_method", details={"field": "method"}) from exc
    raw = form.get("installmentMonths", "0")
    months = int(raw) if raw.isdecimal() else -1  # isdigit() also takes "²", which int() refuses
    if months < 0:
        raise InvalidRequest(code="invalid_installment", details={"field": "installmentMonths"})
    return PaymentChoice(method, months or None)


def _return_url(session_id: str) -> Any:
    """Where the gateway sends the shopper back. It carries the capability: KCP and Inicis
    post back from their own site, and a SameSite=Lax cookie does not come with that."""
    base = rendering.public_base_url()
    query = {CAPABILITY_PARAM: capability.links().token(session_id)}
    if g.lang == "en":
        query["lang"] = "en"

    def build(attempt_id: str) -> str:
        return f"{base}/checkout/{session_id}/return/{attempt_id}?{urlencode(query)}"

    return build


@bp.post("/<session_id>/pay")
def pay(session_id: str) -> Response:
    session = _load(session_id)
    form = {key: request.form.get(key, "") for key in request.form}
    try:
        if form.get("agree") != "yes":
            raise InvalidRequest(code="agree_required", details={"field": "agree"})
        choice = _choice(form)
        address = address_form.submitted(form, session.address)
    except InvalidRequest as exc:
        return rendering.session_page(session, error=exc.code, form=form, status=400)
    now = utcnow()
    if address is not None:
        sessions.update_address(db_session(), session_id, address, now)
    try:
        window = payments.start_payment(
            db_session(), session_id, choice, rendering.gateways(), _return_url(session_id), now
        )
    except InvalidRequest as exc:
        return rendering.session_page(session, error=exc.code, form=form, status=400)
    return follow_window(window)


@bp.post("/<session_id>/cancel")
def cancel(session_id: str) -> Response:
    _load(session_id)
    session = sessions.cancel_by_customer(db_session(), session_id, utcnow())
    return redirect(presenters.with_session_id(session.cancel_url, session.id), 303)


@bp.route("/<session_id>/return/<attempt_id>", methods=["GET", "POST"])
def payment_return(session_id: str, attempt_id: str) -> Response:
    """Where the gateway window sends the customer back (Toss GET, KCP/Inicis POST)."""
    _load(session_id)
    params = {**request.args.to_dict(), **request.form.to_dict()}
    params.pop("lang", None)
    params.pop(CAPABILITY_PARAM, None)
    outcome = payments.confirm_payment(
        db_session(), session_id, attempt_id, params, rendering.gateways(), utcnow()
    )
    session, status = outcome.session, outcome.status
    if status is payments.AttemptStatus.APPROVED:
        response = redirect(presenters.with_session_id(session.return_url, session.id), 303)
        return capability.grant(response, session_id)
    query: dict[str, str] = {"lang": g.lang} if g.lang != "ko" else {}
    if status is payments.AttemptStatus.CLOSED_BY_CUSTOMER:
        query["notice"] = "closed"
    elif status in (payments.AttemptStatus.FAILED, payments.AttemptStatus.TIMED_OUT):
        query["error"] = outcome.attempt.failure_code or "gateway_error"
    target = url_for("checkout.page", session_id=session.id)
    if query:
        target = f"{target}?{urlencode(query)}"
    return capability.grant(redirect(target, 303), session_id)
