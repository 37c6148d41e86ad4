"""Sandbox-only helpers: ``POST /api/sandbox/virtual-accounts/{id}/deposit``.

The deposit goes the real way: the sandbox gateway builds the notification its bank would
send, the gateway verifies and parses it, and the core applies it. A rejected deposit is
recorded in its own committed transaction before the 409 answer (the request's own unit of
work rolls back every 4xx).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from app.api.auth import current_tenant
from app.api.body import json_body
from app.api.refunds import gateway_provider
from app.api.sessions import checkout_links
from app.gateways import SandboxGateway
from app.models.base import utcnow
from app.payments import deposits, sessions
from app.payments.errors import Conflict, InvalidRequest, InvalidState
from app.payments.gateway_calls import gateway_call
from app.payments.refund_inputs import SandboxDepositBody
from app.payments.representation import session_to_dict
from app.payments.status import SessionStatus
from app.payments.tenancy import Mode
from app.payments.validation import parse
from app.web_db import database

bp = Blueprint("sandbox", __name__)


@bp.post("/sandbox/virtual-accounts/<session_id>/deposit")
def deposit(session_id: str) -> Response:
    tenant = current_tenant()
    if tenant.mode is not Mode.TEST:
        raise InvalidRequest(
            "Sandbox deposits need a sandbox (sk_test_) key",
            code="sandbox_only",
            details={"field": "x-api-key"},
        )
    body = parse(SandboxDepositBody, json_body(required=False))
    now = utcnow()
    with database().transaction() as db:
        session = sessions.get_session(db, tenant, session_id, now)
        account = session.virtual_account
        if account is None or session.status != SessionStatus.PROCESSING:
            raise InvalidState(
                "This session has no virtual account waiting for a deposit",
                code="no_pending_deposit",
                details={"sessionId": session_id, "status": session.status},
            )
        gateway = gateway_provider()(str(session.gateway), tenant.mode)
        assert isinstance(gateway, SandboxGateway)
        with gateway_call():
            callback = gateway.simulate_deposit(
                transaction_id=str(session.gateway_transaction_id),
                order_id=session.id,
                expected_amount=session.total_amount,
                deposited_amount=body.amount or session.total_amount,
            )
            notice = gateway.parse_notification(callback.headers, callback.body)
        outcome = deposits.apply_deposit(db, notice, now)
        data = session_to_dict(outcome.session, checkout_links())
        rejected = {
            "failureCode": outcome.deposit.failure_code,
            "depositedAmount": outcome.deposit.amount,
            "expectedAmount": outcome.deposit.expected_amount,
        }
    if not outcome.accepted:
        raise Conflict("The deposit was rejected", code="deposit_rejected", details=rejected)
    return jsonify({"success": True, "data": data})
