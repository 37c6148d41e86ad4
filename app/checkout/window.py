"""The sandbox gateways' payment window, served by the app (see app/gateways/SANDBOX.md).

It plays the gateway's part: it shows the gateway's window fields, takes the customer's
card number, 할부 months or the easy-pay approve/cancel choice, and hands the form to the
sandbox's ``submit_window``, which answers with the gateway's real return redirect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Blueprint, Response, request

from app.checkout import rendering, security
from app.checkout.rendering import follow_window, render
from app.gateways import InvalidWindowSubmission, PaymentMethod, SandboxGateway
from app.gateways.base import EASY_PAY_METHODS
from app.gateways.sandbox_window import describe_window
from app.models import CheckoutSession
from app.payments.errors import InvalidRequest, NotFound
from app.payments.payment_inputs import INSTALLMENT_MONTHS, installments_allowed
from app.web_db import db_session

bp = Blueprint("sandbox_window", __name__, url_prefix="/sandbox/window")
bp.before_request(rendering.before_request)
bp.after_request(security.apply_headers)
bp.register_error_handler(Exception, rendering.error_page)
OUR_FIELDS = frozenset({"csrf_token", "lang", "card_number", "installment_months", "action"})
OUR_RETURN = re.compile(r"/checkout/(cs_[0-9a-f]{32})/return/")


def _allow_shop_return(urls: Iterable[str]) -> None:
    """The window's forms end, through our return endpoint's redirect, on the shop's
    returnUrl; Chromium checks ``form-action`` along those redirects too."""
    for url in urls:
        found = OUR_RETURN.search(url)
        if found is not None:
            session = db_session().get(CheckoutSession, found.group(1))
            if session is not None:
                security.allow_form_target(session.return_url)
            return


def _gateway_fields() -> dict[str, str]:
    return {key: value for key, value in request.form.items() if key not in OUR_FIELDS}


def _sandbox(gateway: str) -> SandboxGateway:
    try:
        found = rendering.gateways()(gateway, "test")
    except ValueError as exc:
        raise NotFound() from exc
    if not isinstance(found, SandboxGateway):
        raise NotFound()
    return found


def _invalid(exc: Exception) -> InvalidRequest:
    return InvalidRequest(code="invalid_window_submission", details={"reason": str(exc)})


@bp.post("/<gateway>")
def window(gateway: str) -> Response:
    _sandbox(gateway)
    fields = _gateway_fields()
    try:
        summary = describe_window(gateway, fields)
    except InvalidWindowSubmission as exc:
        raise _invalid(exc) from exc
    _allow_shop_return(fields.values())
    method = summary.method
    kind = (
        "card"
        if method is PaymentMethod.CARD
        else "easy_pay"
        if method in EASY_PAY_METHODS
        else method.value
    )
    return render(
        "checkout/window.html",
        gateway=gateway,
        fields=fields,
        summary=summary,
        kind=kind,
        method_label=rendering.t(f"method_{method.value}"),
        installments=list(INSTALLMENT_MONTHS) if installments_allowed(summary.amount) else [],
        theme={},
        test_mode=True,
    )


@bp.post("/<gateway>/submit")
def submit(gateway: str) -> Response:
    sandbox = _sandbox(gateway)
    form = {**_gateway_fields(), **_choices()}
    try:
        back = sandbox.submit_window(form)
    except InvalidWindowSubmission as exc:
        raise _invalid(exc) from exc
    _allow_shop_return([back.url])
    return follow_window(back)


def _choices() -> dict[str, str]:
    choices = {
        "action": request.form.get("action", "approve"),
        "card_number": request.form.get("card_number", ""),
        "installment_months": request.form.get("installment_months", ""),
    }
    return {key: value for key, value in choices.items() if value}
