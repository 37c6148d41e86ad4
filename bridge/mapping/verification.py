"""What a sync may act on: the session as the API returns it now, not the webhook.

A webhook signed with the shop's secret proves only that someone holding that secret sent it
(every API key of the account can read it, every receiver of the shop's webhooks shares it).
So an event is a hint naming a session; each action plans from `GET /api/checkout/session/{id}`
and refuses what the session does not show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.payments.status import SessionStatus
from bridge.mapping.payment_facts import (
    HELD_SESSION_STATUSES,
    PaymentFacts,
    facts_from_data,
    optional_text,
)
from bridge.task_actions import TaskAction

S = SessionStatus
# Refunds that moved (or are moving) money; a pending one is still being settled.
SETTLED_REFUND_STATUSES = frozenset({"succeeded", "processing"})
PENDING_REFUND_STATUSES = frozenset({"pending"})
# The core reports a decline only of a session being paid: one the customer may retry
# stays processing, the last one fails it.
DECLINE_STATUSES = frozenset({S.PROCESSING, S.FAILED})
CANCEL_STATUS = {TaskAction.CANCEL_EXPIRED: S.EXPIRED, TaskAction.CANCEL_CANCELLED: S.CANCELLED}


class Unconfirmed(Exception):
    """The API's session does not show what the event claims: nothing is written."""


class RefundNotSettled(Exception):
    """The session lists the refund as still pending: look again later."""


def confirmed_facts(
    action: TaskAction, hint: Mapping[str, Any], session: Mapping[str, Any]
) -> PaymentFacts:
    """The facts to plan `action` from, taken from `session` (the API's answer); `hint`
    (the event's data) only names the refund and carries a decline's wording. Raises
    `Unconfirmed` with the reason when the session does not back the action."""
    facts = facts_from_data(session)
    hinted = str(hint.get("sessionId") or "")
    if not facts.session_id or facts.session_id != hinted:
        raise Unconfirmed(f"the API returned no session {hinted or '(none)'}")
    status = facts.session_status
    if action is TaskAction.MARK_PAID:
        if status not in HELD_SESSION_STATUSES:
            raise Unconfirmed(f"session {facts.session_id} is {status}, not paid")
        if not facts.paid_amount or facts.paid_amount != facts.total:
            raise Unconfirmed(
                f"session {facts.session_id} paid {facts.paid_amount} of {facts.total}"
            )
        return facts
    if action is TaskAction.AWAIT_DEPOSIT:
        account = facts.virtual_account or {}
        if status != S.PROCESSING or not account.get("accountNumber"):
            raise Unconfirmed(f"session {facts.session_id} ({status}) awaits no deposit")
        return facts
    if action is TaskAction.RECORD_REFUND:
        return _refund_facts(facts, hint, session)
    if action is TaskAction.MARK_FAILED:
        if status not in DECLINE_STATUSES:
            raise Unconfirmed(f"session {facts.session_id} is {status}: no decline to record")
        return replace(
            facts,
            failure_code=optional_text(hint.get("failureCode")),
            failure_message=optional_text(hint.get("failureMessage")),
        )
    expected = CANCEL_STATUS[action]
    if status != expected:
        raise Unconfirmed(f"session {facts.session_id} is {status}, not {expected}")
    return facts


def _refund_facts(
    facts: PaymentFacts, hint: Mapping[str, Any], session: Mapping[str, Any]
) -> PaymentFacts:
    refund_id = optional_text(hint.get("refundId"))
    listed = session.get("refunds")
    entry = next(
        (
            r
            for r in (listed if isinstance(listed, list) else [])
            if isinstance(r, Mapping) and refund_id and r.get("refundId") == refund_id
        ),
        None,
    )
    if entry is None:
        raise Unconfirmed(f"session {facts.session_id} lists no refund {refund_id}")
    status = str(entry.get("status") or "")
    if status in PENDING_REFUND_STATUSES:
        raise RefundNotSettled(f"refund {refund_id} is still {status}")
    if status not in SETTLED_REFUND_STATUSES:
        raise Unconfirmed(f"refund {refund_id} is {status}")
    amount = entry.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise Unconfirmed(f"refund {refund_id} has no amount")
    if hint.get("amount") != amount:
        raise Unconfirmed(f"refund {refund_id} is {amount} won, not {hint.get('amount')!r}")
    # What stays paid after the settled refunds (refundableAmount also leaves out refunds
    # still pending at the gateway, which may yet fail).
    paid, refunded = session.get("paidAmount"), session.get("refundedAmount")
    remaining = paid - refunded if isinstance(paid, int) and isinstance(refunded, int) else None
    return replace(
        facts,
        refund_id=refund_id,
        refund_amount=amount,
        refund_reason=optional_text(entry.get("reason")),
        remaining=remaining,
    )
