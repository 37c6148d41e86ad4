"""Refunds API: ``POST /api/checkout/session/{id}/refund`` as in the reference document.

``status`` is ``succeeded`` or ``processing`` (the gateway settles later) as documented, or
``pending`` while the gateway's answer is not known yet (``processedAt`` is then null)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from app.api.auth import current_tenant
from app.api.body import json_body
from app.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from app.gateways.provider import GatewayProvider
from app.models.base import utcnow
from app.payments.refund_inputs import RefundBody
from app.payments.refunds import RefundInput, refund_session
from app.payments.representation import refund_to_dict
from app.payments.validation import parse
from app.web_db import db_session

bp = Blueprint("refunds", __name__)


def gateway_provider() -> GatewayProvider:
    provider: GatewayProvider = current_app.extensions["kc.gateways"]
    return provider


@bp.post("/checkout/session/<session_id>/refund")
def create_refund(session_id: str) -> Response:
    body = parse(RefundBody, json_body(required=False))
    refund_input = RefundInput(
        amount=body.amount,
        reason=body.reason,
        notify_customer=body.notify_customer,
        expected_refundable_amount=body.expectedRefundableAmount,
        refund_account=body.refundAccount.to_bank_account() if body.refundAccount else None,
        request_key=request.headers.get(IDEMPOTENCY_HEADER),
    )
    refund = refund_session(
        db_session(), current_tenant(), session_id, refund_input, gateway_provider(), utcnow()
    )
    response = jsonify(refund_to_dict(refund))
    response.status_code = 201
    return response
