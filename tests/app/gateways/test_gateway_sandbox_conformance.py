"""One conformance suite run over every sandbox gateway (warehouse-style)."""

import pytest

from app.gateways import (
    BankAccount,
    FailureCode,
    Gateway,
    GatewayTimeout,
    InvalidNotification,
    InvalidRedirect,
    InvalidRequest,
    NotificationKind,
    PaymentMethod,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
    SandboxGateway,
)
from tests.app.gateways.gateway_helpers import APPROVE, confirm, make_request, pay


def test_sandbox_implements_both_protocols(sandbox):
    assert isinstance(sandbox, Gateway)
    assert isinstance(sandbox, SandboxGateway)
    assert "secret" not in repr(sandbox).replace("<secret>", "")


def test_card_payment_round_trip_is_approved(sandbox):
    _, params = pay(sandbox, make_request(months=3), {"card_number": APPROVE})
    result = confirm(sandbox, params)
    assert result.status is PaymentStatus.APPROVED
    assert result.amount == 29000
    assert result.method is PaymentMethod.CARD
    assert result.transaction_id.startswith(f"{sandbox.name.value}_tx_")
    assert result.card is not None
    assert result.card.masked_number == "4330-****-****-0001"
    assert result.card.installment_months == 3
    assert result.approved_at is not None


def test_window_return_uses_the_gateways_own_parameter_names(sandbox):
    back, params = pay(sandbox, make_request(), {"card_number": APPROVE})
    expected = {
        "toss": {"paymentKey", "orderId", "amount"},
        "kcp": {"res_cd", "enc_data", "enc_info", "tran_cd", "ordr_idxx"},
        "inicis": {"resultCode", "authToken", "authUrl", "orderNumber", "netCancelUrl"},
    }[sandbox.name.value]
    assert expected <= set(params)
    assert back.url.startswith("https://shop.test/checkout/cs_test_0001/return")


def test_second_confirm_returns_the_same_result(sandbox):
    _, params = pay(sandbox, make_request(), {"card_number": APPROVE})
    assert confirm(sandbox, params) == confirm(sandbox, params)


@pytest.mark.parametrize(
    ("card", "failure"),
    [
        ("4330-0000-0000-0002", FailureCode.INSUFFICIENT_FUNDS),
        ("4330-0000-0000-0003", FailureCode.INVALID_CARD),
        ("4330-0000-0000-0004", FailureCode.STOLEN_CARD),
        ("4330-0000-0000-0006", FailureCode.CARD_DECLINED),
        ("1234-5678-9012-3456", FailureCode.INVALID_CARD),
    ],
)
def test_decline_cards_fail_with_our_code_and_the_gateway_code(sandbox, card, failure):
    _, params = pay(sandbox, make_request(), {"card_number": card})
    result = confirm(sandbox, params)
    assert result.status is PaymentStatus.FAILED
    assert result.failure_code is failure
    assert result.gateway_code
    assert result.failure_message


def test_timeout_card_raises_gateway_timeout(sandbox):
    _, params = pay(sandbox, make_request(), {"card_number": "4330-0000-0000-0005"})
    with pytest.raises(GatewayTimeout):
        confirm(sandbox, params)


@pytest.mark.parametrize(
    "method",
    [PaymentMethod.KAKAO_PAY, PaymentMethod.NAVER_PAY, PaymentMethod.TRANSFER],
)
def test_easy_pay_and_transfer_approve_and_cancel(sandbox, method):
    _, params = pay(sandbox, make_request(method=method), {"action": "approve"})
    result = confirm(sandbox, params)
    assert result.status is PaymentStatus.APPROVED
    assert result.method is method
    _, params = pay(sandbox, make_request(method=method), {"action": "cancel"})
    cancelled = confirm(sandbox, params)
    assert cancelled.status is PaymentStatus.FAILED
    assert cancelled.failure_code is FailureCode.USER_CANCELLED


def test_tampered_amount_in_the_return_never_approves(sandbox):
    _, params = pay(sandbox, make_request(amount=100), {"card_number": APPROVE})
    # The customer paid 100 won in the window for a 29,000 won session.
    result = confirm(sandbox, params, amount=29000)
    assert result.status is PaymentStatus.FAILED
    assert result.failure_code is FailureCode.AMOUNT_MISMATCH


def test_amount_edited_in_the_redirect_never_approves(sandbox):
    _, params = pay(sandbox, make_request(amount=100), {"card_number": APPROVE})
    field = {"toss": "amount", "kcp": "good_mny", "inicis": "TotPrice"}[sandbox.name.value]
    params[field] = "29000"
    result = confirm(sandbox, params, amount=29000)
    assert result.status is PaymentStatus.FAILED
    # Toss answers its generic INVALID_REQUEST when the confirmed amount is not the
    # authenticated one; KCP and Inicis refuse the approval amount explicitly.
    assert result.failure_code in {FailureCode.AMOUNT_MISMATCH, FailureCode.GATEWAY_ERROR}


def test_redirect_for_another_order_is_rejected(sandbox):
    _, params = pay(sandbox, make_request(order_id="cs_other"), {"card_number": APPROVE})
    with pytest.raises(InvalidRedirect):
        confirm(sandbox, params, order_id="cs_test_0001")


def test_tampered_gateway_key_is_rejected(sandbox):
    _, params = pay(sandbox, make_request(), {"card_number": APPROVE})
    field = {"toss": "paymentKey", "kcp": "enc_data", "inicis": "authToken"}[sandbox.name.value]
    body, _, tag = params[field].partition(".")
    params[field] = f"{body[:-2]}xx.{tag}"
    with pytest.raises(InvalidRedirect):
        confirm(sandbox, params)


def _paid(sandbox, method=PaymentMethod.CARD):
    _, params = pay(sandbox, make_request(method=method), {"card_number": APPROVE})
    return confirm(sandbox, params)


def _refund(sandbox, paid, amount, refundable, key="ref-1", account=None):
    return sandbox.refund(
        RefundRequest(
            transaction_id=paid.transaction_id,
            order_id=paid.order_id,
            method=paid.method,
            paid_amount=paid.amount,
            refundable_amount=refundable,
            amount=amount,
            reason="고객 변심",
            idempotency_key=key,
            refund_account=account,
        )
    )


def test_partial_then_full_refund(sandbox):
    paid = _paid(sandbox)
    first = _refund(sandbox, paid, 9000, 29000, key="ref-1")
    assert first.status is RefundStatus.SUCCEEDED
    assert (first.amount, first.remaining_amount) == (9000, 20000)
    rest = _refund(sandbox, paid, 20000, 20000, key="ref-2")
    assert (rest.amount, rest.remaining_amount) == (20000, 0)
    assert rest.refund_id != first.refund_id


def test_refund_over_remaining_is_rejected_before_the_gateway(sandbox):
    paid = _paid(sandbox)
    with pytest.raises(InvalidRequest) as info:
        _refund(sandbox, paid, 20001, 20000)
    assert info.value.code == "refund_exceeds_remaining"


def test_refund_of_a_forged_transaction_is_rejected(sandbox):
    paid = _paid(sandbox)
    forged = paid.__class__(**{**paid.__dict__, "transaction_id": paid.transaction_id[:-1] + "0"})
    with pytest.raises(InvalidRequest):
        _refund(sandbox, forged, 1000, 29000)


def _virtual_account(sandbox):
    _, params = pay(sandbox, make_request(method=PaymentMethod.VIRTUAL_ACCOUNT), {})
    return confirm(sandbox, params)


def _deposit(sandbox, issued, deposited):
    """The simulated bank deposit of ``deposited`` won into the 29,000 won account."""
    return sandbox.simulate_deposit(
        transaction_id=issued.transaction_id,
        order_id=issued.order_id,
        expected_amount=29000,
        deposited_amount=deposited,
    )


def test_virtual_account_is_issued_and_waits_for_deposit(sandbox):
    issued = _virtual_account(sandbox)
    assert issued.status is PaymentStatus.WAITING_FOR_DEPOSIT
    account = issued.virtual_account
    assert account is not None
    assert account.bank
    assert account.account_number
    assert account.holder
    assert account.due_date.utcoffset() is not None


def test_deposit_notification_of_the_right_amount_approves(sandbox):
    issued = _virtual_account(sandbox)
    callback = _deposit(sandbox, issued, 29000)
    notice = sandbox.parse_notification(callback.headers, callback.body)
    assert notice.kind is NotificationKind.DEPOSIT
    assert notice.status is PaymentStatus.APPROVED
    assert (notice.order_id, notice.amount) == (issued.order_id, 29000)
    assert notice.transaction_id == issued.transaction_id
    assert notice.event_id


def test_deposit_of_a_wrong_amount_is_never_approved_for_the_total(sandbox):
    issued = _virtual_account(sandbox)
    callback = _deposit(sandbox, issued, 28000)
    notice = sandbox.parse_notification(callback.headers, callback.body)
    assert not (notice.status is PaymentStatus.APPROVED and notice.amount == 29000)
    assert notice.amount == 28000


def test_forged_notification_is_rejected(sandbox):
    issued = _virtual_account(sandbox)
    callback = _deposit(sandbox, issued, 29000)
    forged = callback.body.replace(b"cs_test_0001", b"cs_test_0002")
    assert forged != callback.body
    with pytest.raises(InvalidNotification):
        sandbox.parse_notification(callback.headers, forged)


def test_virtual_account_refund_requires_a_bank_account(sandbox):
    issued = _virtual_account(sandbox)
    with pytest.raises(InvalidRequest) as info:
        _refund(sandbox, issued, 29000, 29000)
    assert info.value.code == "refund_account_required"
    done = _refund(
        sandbox, issued, 29000, 29000, account=BankAccount("088", "110123456789", "홍길동")
    )
    assert done.remaining_amount == 0
