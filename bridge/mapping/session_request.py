"""A WooCommerce REST v3 order -> the body of `POST /api/checkout/create-session`, and the
billing/shipping address -> the body of `PATCH /api/checkout/session/{id}/address`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.gateways import PaymentMethod
from app.payments.theme import theme
from bridge.mapping.amounts import SessionAmounts, clean_name, map_amounts
from bridge.mapping.errors import OrderMappingError

PLATFORM = "woocommerce"
MAX_ORDER_ID = 2**63 - 1  # BIGINT, as WooCommerce's own ids
PAYABLE_STATUSES = frozenset({"pending", "failed", "on-hold", "checkout-draft"})
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{7,18}$")
_POSTCODE = re.compile(r"^\d{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class OrderUrls:
    return_url: str
    cancel_url: str
    webhook_url: str


@dataclass(frozen=True)
class ShopperChoices:
    """What the plugin sends beside the order: the method the shopper picked on the store's
    checkout (the hosted page opens on it) and the ``korea_checkout_css_vars`` the page
    shows as the shop's brand colours."""

    payment_method: str | None = None
    css_vars: Mapping[str, str] = field(default_factory=dict)


def shopper_choices(body: Mapping[str, Any]) -> ShopperChoices:
    method = body.get("paymentMethod")
    if method in (None, ""):  # the plugin sends "" when no method was picked
        method = None
    elif not isinstance(method, str) or method not in {known.value for known in PaymentMethod}:
        raise OrderMappingError(
            "invalid_payment_method", "paymentMethod is not a payment method id", "paymentMethod"
        )
    css = body.get("cssVars")
    # PHP encodes an empty array as []; anything but an object carries no variables. Only the
    # variables the page knows, with values of their exact shape, reach the session.
    return ShopperChoices(method, theme(css) if isinstance(css, Mapping) else {})


def order_id_of(order: Mapping[str, Any]) -> int:
    value = order.get("id")
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isdigit() or len(text) > 19:
        raise OrderMappingError("invalid_order", "order.id must be a positive integer", "id")
    order_id = int(text)
    if not 1 <= order_id <= MAX_ORDER_ID:
        raise OrderMappingError("invalid_order", "order.id must be a positive integer", "id")
    return order_id


def check_payable(order: Mapping[str, Any]) -> None:
    currency = str(order.get("currency") or "KRW").upper()
    if currency != "KRW":
        raise OrderMappingError("unsupported_currency", "Only KRW orders can be paid", "currency")
    status = str(order.get("status") or "pending")
    if status not in PAYABLE_STATUSES:
        raise OrderMappingError(
            "order_not_payable", f"An order in status {status!r} cannot be paid", "status"
        )


def customer_name(billing: Mapping[str, Any], shipping: Mapping[str, Any]) -> str:
    """Korean names are family name first with no space (홍 + 길동 = 홍길동)."""
    for source in (billing, shipping):
        first = clean_name(source.get("first_name"), "")
        last = clean_name(source.get("last_name"), "")
        if first or last:
            if _HANGUL.search(first + last):
                return clean_name(f"{last}{first}")[:100]
            return clean_name(f"{first} {last}")[:100]
    company = clean_name(billing.get("company"), "")
    return company[:100] or "고객"


def map_customer(order: Mapping[str, Any]) -> dict[str, Any]:
    billing = _mapping(order.get("billing"))
    shipping = _mapping(order.get("shipping"))
    email = str(billing.get("email") or "").strip()
    if not _EMAIL.fullmatch(email):
        raise OrderMappingError("missing_email", "The order needs a billing email", "billing.email")
    customer: dict[str, Any] = {"name": customer_name(billing, shipping), "email": email}
    phone = str(billing.get("phone") or shipping.get("phone") or "").strip()
    # The API normalises any Korean form; something that is no phone at all is left out
    # rather than failing the checkout.
    if _PHONE.fullmatch(phone):
        customer["phone"] = phone
    return customer


def map_address(order: Mapping[str, Any]) -> dict[str, Any] | None:
    """Shipping address if it has one, else billing; None without a 5-digit postcode."""
    for source in (_mapping(order.get("shipping")), _mapping(order.get("billing"))):
        line1 = clean_name(source.get("address_1"), "")
        postcode = str(source.get("postcode") or "").strip()
        if not line1 or not _POSTCODE.fullmatch(postcode):
            continue
        city = clean_name(source.get("city"), "")
        full = line1 if not city or city in line1 else f"{city} {line1}"
        address: dict[str, Any] = {"postalCode": postcode, "address": full[:300]}
        if _HANGUL.search(line1):
            address["roadAddress"] = line1[:300]
        detail = clean_name(source.get("address_2"), "")
        if detail:
            address["detailAddress"] = detail
        return address
    return None


def build_session_request(
    order: Mapping[str, Any],
    urls: OrderUrls,
    shop_id: str,
    store_id: str,
    choices: ShopperChoices | None = None,
) -> dict[str, Any]:
    check_payable(order)
    order_id = order_id_of(order)
    amounts: SessionAmounts = map_amounts(order)
    metadata = {
        "woocommerce_order_id": str(order_id),
        "woocommerce_order_key": str(order.get("order_key") or "")[:500],
        "bridge_store_id": store_id,
    }
    note = clean_name(order.get("customer_note"), "")
    if note:
        metadata["customer_note"] = note[:500]
    choices = choices or ShopperChoices()
    metadata.update(choices.css_vars)
    request: dict[str, Any] = {
        "platform": PLATFORM,
        "platformOrderId": str(order_id),
        "items": [
            _item(line.name, line.price, line.quantity, line.product_id) for line in amounts.lines
        ],
        "customer": map_customer(order),
        "totalAmount": amounts.total,
        "shippingAmount": amounts.shipping,
        "discountAmount": amounts.discount,
        "currency": "KRW",
        "returnUrl": urls.return_url,
        "cancelUrl": urls.cancel_url,
        "webhookUrl": urls.webhook_url,
        "shopId": shop_id,
        "metadata": metadata,
    }
    if choices.payment_method is not None:
        request["paymentMethod"] = choices.payment_method
    return request


def _item(name: str, price: int, quantity: int, product_id: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "price": price, "quantity": quantity}
    if product_id:
        item["productId"] = product_id
    return item


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
