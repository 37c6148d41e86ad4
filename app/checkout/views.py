"""The hosted checkout page: show the session, start a payment, cancel, and take the
gateway's return. Thin: every decision is a service in ``app.payments``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, g, request, url_for
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from app.checkout import presenters, rendering
from app.checkout.rendering import follow_window
from app.gateways import PaymentMethod
from app.models.base import utcnow
from app.payments import payments, sessions
from app.payments.errors import InvalidRequest, SessionNotFound
from app.payments.inputs import AddressUpdate
from app.payments.payment_inputs import PaymentChoice
from app.payments.validation import parse
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
bp.register_error_handler(Exception, rendering.error_page)
SESSION_ID = re.compile(r"^cs_[0-9a-f]{32}$")
ADDRESS_FIELDS = ("postalCode", "address", "detailAddress")


def _load(session_id: str) -> Any:
    if not SESSION_ID.fullmatch(session_id):
        raise SessionNotFound(session_id)
    return sessions.get_session(db_session(), None, session_id, utcnow())


@bp.get("/<session_id>")
def page(session_id: str) -> Response:
    session = _load(session_id)
    return rendering.session_page(
        session, error=request.args.get("error"), notice=request.args.get("notice")
    )


def _address(form: dict[str, str]) -> AddressUpdate | None:
    values = {key: form.get(key, "").strip() for key in ADDRESS_FIELDS}
    if not any(values.values()):
        return None
    body = {key: value for key, value in values.items() if value}
    try:
        return parse(AddressUpdate, body)
    except InvalidRequest as exc:
        raise InvalidRequest(code="invalid_address", details=exc.details) from exc


def _choice(form: dict[str, str]) -> PaymentChoice:
    try:
        method = PaymentMethod(form.get("method", ""))
    except ValueError as exc:
        raise InvalidRequest(code="invalid_method", details={"field": "method"}) from exc
    raw = form.get("installmentMonths", "0")
    months = int(raw) if raw.isdigit() else -1
    if months < 0:
        raise InvalidRequest(code="invalid_installment", details={"field": "installmentMonths"})
    return PaymentChoice(method, months or None)


def _return_url(session_id: str) -> Any:
    base = rendering.public_base_url()
    suffix = "?lang=en" if g.lang == "en" else ""

    def build(attempt_id: str) -> str:
        return f"{base}/checkout/{session_id}/return/{attempt_id}{suffix}"

    return build


@bp.post("/<session_id>/pay")
def pay(session_id: str) -> Response:
    session = _load(session_id)
    form = {key: request.form.get(key, "") for key in request.form}
    try:
        if form.get("agree") != "yes":
            raise InvalidRequest(code="agree_required", details={"field": "agree"})
        choice = _choice(form)
        address = _address(form)
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
    session = sessions.cancel_session(db_session(), None, session_id, utcnow())
    return redirect(presenters.with_session_id(session.cancel_url, session.id), 303)


@bp.route("/<session_id>/return/<attempt_id>", methods=["GET", "POST"])
def payment_return(session_id: str, attempt_id: str) -> Response:
    """Where the gateway window sends the customer back (Toss GET, KCP/Inicis POST)."""
    _load(session_id)
    params = {**request.args.to_dict(), **request.form.to_dict()}
    params.pop("lang", None)
    outcome = payments.confirm_payment(
        db_session(), session_id, attempt_id, params, rendering.gateways(), utcnow()
    )
    session, status = outcome.session, outcome.status
    if status is payments.AttemptStatus.APPROVED:
        return redirect(presenters.with_session_id(session.return_url, session.id), 303)
    query: dict[str, str] = {"lang": g.lang} if g.lang != "ko" else {}
    if status is payments.AttemptStatus.CLOSED_BY_CUSTOMER:
        query["notice"] = "closed"
    elif status in (payments.AttemptStatus.FAILED, payments.AttemptStatus.TIMED_OUT):
        query["error"] = outcome.attempt.failure_code or "gateway_error"
    target = url_for("checkout.page", session_id=session.id)
    if query:
        target = f"{target}?{urlencode(query)}"
    return redirect(target, 303)
