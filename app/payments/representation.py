"""The public JSON shape of a session, shared by the API and event payloads."""

from __future__ import annotations

from typing import Any

from app.models import CheckoutSession, Refund
from app.payments.checkout_links import CheckoutLinks
from app.payments.status import RefundState
from app.payments.timefmt import isoformat_z


def session_to_dict(session: CheckoutSession, links: CheckoutLinks) -> dict[str, Any]:
    # No payment, no refunds: skip the query for the (many) unpaid sessions.
    refunds = list(session.refunds) if session.paid_amount else []
    return {
        "sessionId": session.id,
        "status": session.status,
        "mode": session.mode,
        "shopId": session.shop_id,
        "platform": session.platform,
        "platformOrderId": session.platform_order_id,
        "items": session.items,
        "totalAmount": session.total_amount,
        "shippingAmount": session.shipping_amount,
        "discountAmount": session.discount_amount,
        "currency": session.currency,
        "customer": session.customer,
        "address": session.address,
        "metadata": session.metadata_,
        "checkoutUrl": links.shopper_url(session.id),
        "returnUrl": session.return_url,
        "cancelUrl": session.cancel_url,
        "webhookUrl": session.webhook_url,
        "paymentMethod": session.payment_method,
        "preferredPaymentMethod": session.preferred_payment_method,
        "gateway": session.gateway,
        "gatewayTransactionId": session.gateway_transaction_id,
        "createdAt": isoformat_z(session.created_at),
        "updatedAt": isoformat_z(session.updated_at),
        "expiresAt": isoformat_z(session.expires_at),
        "completedAt": isoformat_z(session.completed_at),
        "cancelledAt": isoformat_z(session.cancelled_at),
        "expiredAt": isoformat_z(session.expired_at),
        "installmentMonths": session.installment_months,
        "virtualAccount": session.virtual_account,
        "paidAmount": session.paid_amount,
        "refundedAmount": session.refunded_amount,
        "refundableAmount": session.paid_amount - session.refunded_amount - _pending(refunds),
        "refunds": [refund_to_dict(refund) for refund in refunds],
    }


def _pending(refunds: list[Refund]) -> int:
    """Refunds whose gateway answer is not known yet are not refundable a second time."""
    return sum(refund.amount for refund in refunds if refund.status == RefundState.PENDING)


def refund_to_dict(refund: Refund) -> dict[str, Any]:
    """A refund as the reference document's refund response."""
    return {
        "refundId": refund.id,
        "status": refund.status,
        "amount": refund.amount,
        "reason": refund.reason,
        "processedAt": isoformat_z(refund.processed_at),
    }


def session_event_data(session: CheckoutSession) -> dict[str, Any]:
    """`data` of a webhook event, as the reference document's payload example."""
    customer = session.customer
    return {
        "sessionId": session.id,
        "platformOrderId": session.platform_order_id,
        "status": session.status,
        "totalAmount": session.total_amount,
        "currency": session.currency,
        "paymentMethod": session.payment_method,
        "gateway": session.gateway,
        "gatewayTransactionId": session.gateway_transaction_id,
        "customer": {"name": customer.get("name"), "email": customer.get("email")},
        "metadata": session.metadata_,
        "completedAt": isoformat_z(session.completed_at),
        "expiredAt": isoformat_z(session.expired_at),
        "cancelledAt": isoformat_z(session.cancelled_at),
    }
