"""The sandbox window approves the method the payment was started with, over every sandbox.

``start_payment`` seals the attempt (method, order, amount, return URLs) into the window
form; a form whose method was switched in the browser (card -> transfer needs no test card)
is refused before anything is authenticated, and a return cannot re-label the method.
"""

import pytest

from app.gateways import (
    FailureCode,
    GatewayConfig,
    GatewayName,
    InvalidRedirect,
    InvalidWindowSubmission,
    Mode,
    PaymentMethod,
    PaymentStatus,
    build_gateway,
)
from app.gateways.sandbox_kit import WINDOW_SEAL_FIELD, check_window, seal_window
from app.gateways.sandbox_window import describe_window
from tests.app.gateways.gateway_helpers import (
    APPROVE,
    SECRET,
    confirm,
    make_request,
    pay,
    returned_params,
)

#: The window fields that select the payment method, per gateway.
METHOD_FIELDS = {
    "toss": ("method", "easyPay", "flowMode"),
    "kcp": ("pay_method", "kakaopay_direct", "naverpay_direct"),
    "inicis": ("gopaymethod", "merchantData"),
}
#: The field the shop's return URL travels in.
RETURN_FIELD = {"toss": "successUrl", "kcp": "Ret_URL", "inicis": "returnUrl"}


def _switch_method(sandbox, fields, target, names=None):
    """The card window's form with its method fields rewritten to ``target``'s."""
    target_fields = sandbox.start_payment(make_request(method=target)).fields
    form = dict(fields)
    for name in names or METHOD_FIELDS[sandbox.name.value]:
        if name in target_fields:
            form[name] = target_fields[name]
        else:
            form.pop(name, None)
    return form


@pytest.mark.parametrize("target", [PaymentMethod.TRANSFER, PaymentMethod.KAKAO_PAY])
@pytest.mark.parametrize("choices", [{"action": "approve"}, {"card_number": APPROVE}])
def test_method_switched_in_the_window_is_rejected(sandbox, target, choices):
    window = sandbox.start_payment(make_request(method=PaymentMethod.CARD))
    form = _switch_method(sandbox, window.fields, target)
    # The tampered form really does read as the other method (the window would show it).
    assert describe_window(sandbox.name, form).method is target
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window({**form, **choices})


@pytest.mark.parametrize("target", [PaymentMethod.TRANSFER, PaymentMethod.KAKAO_PAY])
def test_switching_any_single_method_field_is_rejected(sandbox, target):
    window = sandbox.start_payment(make_request(method=PaymentMethod.CARD))
    switched = 0
    for name in METHOD_FIELDS[sandbox.name.value]:
        form = _switch_method(sandbox, window.fields, target, (name,))
        if form == dict(window.fields):
            continue  # this field is the same for both methods
        switched += 1
        with pytest.raises(InvalidWindowSubmission):
            sandbox.submit_window({**form, "action": "approve"})
    assert switched


def test_a_transfer_window_switched_to_card_is_rejected(sandbox):
    window = sandbox.start_payment(make_request(method=PaymentMethod.TRANSFER))
    form = _switch_method(sandbox, window.fields, PaymentMethod.CARD)
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window({**form, "card_number": APPROVE})


def test_the_untampered_card_window_still_needs_a_test_card(sandbox):
    """What the switch tried to avoid: a card payment without a test card is declined."""
    _, params = pay(sandbox, make_request(), {"action": "approve"})
    result = confirm(sandbox, params)
    assert result.status is PaymentStatus.FAILED
    assert result.failure_code is FailureCode.INVALID_CARD


@pytest.mark.parametrize(
    "method", [PaymentMethod.CARD, PaymentMethod.TRANSFER, PaymentMethod.KAKAO_PAY]
)
def test_the_approved_method_is_the_started_one(sandbox, method):
    _, params = pay(sandbox, make_request(method=method), {"card_number": APPROVE})
    result = confirm(sandbox, params)
    assert result.status is PaymentStatus.APPROVED
    assert result.method is method


def test_window_without_its_seal_is_rejected(sandbox):
    window = sandbox.start_payment(make_request())
    form = {k: v for k, v in window.fields.items() if k != WINDOW_SEAL_FIELD}
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window({**form, "card_number": APPROVE})


def test_seal_of_another_sandbox_secret_is_rejected(sandbox):
    config = GatewayConfig(
        sandbox_secret=b"another-sandbox-secret-0123456789",
        sandbox_window_url="https://pay.test/sandbox",
    )
    other = build_gateway(sandbox.name, Mode.TEST, config)
    foreign = other.start_payment(make_request(method=PaymentMethod.TRANSFER)).fields
    window = sandbox.start_payment(make_request())
    form = {**dict(foreign), "action": "approve"}
    assert form != dict(window.fields)
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window(form)


def test_seal_of_another_attempt_cannot_carry_a_switched_method(sandbox):
    """A transfer attempt's seal (another return URL) pasted into the card window."""
    card = sandbox.start_payment(make_request()).fields
    other = make_request(method=PaymentMethod.TRANSFER)
    transfer = sandbox.start_payment(
        other.__class__(**{**other.__dict__, "success_url": other.success_url + "&a=2"})
    ).fields
    form = _switch_method(sandbox, card, PaymentMethod.TRANSFER)
    form[WINDOW_SEAL_FIELD] = transfer[WINDOW_SEAL_FIELD]
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window({**form, "action": "approve"})


@pytest.mark.parametrize("field", ["order", "amount", "return"])
def test_order_amount_and_return_url_are_sealed(sandbox, field):
    window = sandbox.start_payment(make_request())
    form = dict(window.fields)
    name = {
        "order": {"toss": "orderId", "kcp": "ordr_idxx", "inicis": "oid"},
        "amount": {"toss": "amount", "kcp": "good_mny", "inicis": "price"},
        "return": RETURN_FIELD,
    }[field][sandbox.name.value]
    form[name] = {"order": "cs_other", "amount": "100", "return": "https://evil.test/r"}[field]
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window({**form, "card_number": APPROVE})


def test_sealed_window_still_describes_and_returns_without_the_seal(sandbox):
    window = sandbox.start_payment(make_request(method=PaymentMethod.KAKAO_PAY))
    assert WINDOW_SEAL_FIELD in window.fields
    summary = describe_window(sandbox.name, window.fields)
    assert (summary.method, summary.amount) == (PaymentMethod.KAKAO_PAY, 29000)
    back, params = pay(sandbox, make_request(), {"card_number": APPROVE})
    assert WINDOW_SEAL_FIELD not in params
    assert WINDOW_SEAL_FIELD not in back.url


@pytest.mark.parametrize(
    ("gateway", "changes"),
    [
        ("kcp", {"pay_method": "010000000000"}),
        ("kcp", {"kakaopay_direct": "Y"}),
        ("inicis", {"merchantData": "method=transfer"}),
        ("inicis", {"merchantData": "method=kakao_pay"}),
    ],
)
def test_method_relabelled_in_the_return_is_rejected(gateway, changes):
    """KCP and Inicis read the result's method from the return form (Toss from its sealed
    key): a card authentication returned as another method is a forged redirect."""
    config = GatewayConfig(sandbox_secret=SECRET, sandbox_window_url="https://pay.test/sandbox")
    sandbox = build_gateway(GatewayName(gateway), Mode.TEST, config)
    back, _ = pay(sandbox, make_request(), {"card_number": APPROVE})
    params = {**returned_params(back), **changes}
    with pytest.raises(InvalidRedirect):
        confirm(sandbox, params)


def test_check_window_returns_the_sealed_method():
    fields = {"method": "CARD", "orderId": "cs_1"}
    bound = ("method", "orderId")
    token = seal_window(SECRET, "t.window", PaymentMethod.CARD, fields, bound)
    form = {**fields, WINDOW_SEAL_FIELD: token}
    assert check_window(SECRET, "t.window", form, PaymentMethod.CARD, bound) is PaymentMethod.CARD
    with pytest.raises(InvalidWindowSubmission):
        check_window(SECRET, "t.window", form, PaymentMethod.TRANSFER, bound)
    with pytest.raises(InvalidWindowSubmission):
        check_window(SECRET, "other.window", form, PaymentMethod.CARD, bound)
    with pytest.raises(InvalidWindowSubmission):
        check_window(SECRET, "t.window", form, PaymentMethod.CARD, (*bound, "amount"))
    with pytest.raises(InvalidWindowSubmission):
        check_window(SECRET, "t.window", {**form, "method": "TRANSFER"}, PaymentMethod.CARD, bound)


def test_a_malformed_installment_choice_in_the_window_is_no_installment(sandbox):
    """An installment choice of "²" (str.isdigit() but not int()) is a lump sum."""
    request = make_request(amount=60000)
    window = sandbox.start_payment(request)
    fields = {**window.fields, "installment_months": "²"}
    assert describe_window(sandbox.name, fields).amount == 60000
    _, params = pay(sandbox, request, {"card_number": APPROVE, "installment_months": "²"})
    result = confirm(sandbox, params, amount=60000)
    assert result.status is PaymentStatus.APPROVED
    assert not (result.card and result.card.installment_months)


@pytest.mark.parametrize("field", ["authUrl", "authToken"])
def test_a_non_ascii_inicis_return_is_a_forged_return(field):
    config = GatewayConfig(sandbox_secret=SECRET, sandbox_window_url="https://pay.test/sandbox")
    inicis = build_gateway(GatewayName.INICIS, Mode.TEST, config)
    _, params = pay(inicis, make_request(), {"card_number": APPROVE})
    with pytest.raises(InvalidRedirect):
        confirm(inicis, {**params, field: "²"})


def test_a_non_ascii_inicis_window_verification_is_refused():
    config = GatewayConfig(sandbox_secret=SECRET, sandbox_window_url="https://pay.test/sandbox")
    inicis = build_gateway(GatewayName.INICIS, Mode.TEST, config)
    window = inicis.start_payment(make_request())
    with pytest.raises(InvalidWindowSubmission):
        inicis.submit_window({**window.fields, "verification": "²", "card_number": APPROVE})
