"""Bridge errors, in the service's one error hierarchy (rendered as `{"error": {...}}`)."""

from __future__ import annotations

from app.payments.errors import Conflict, InvalidRequest, NotFound


class StoreNotConnected(NotFound):
    code = "store_not_connected"
    message = "No WooCommerce store is connected with this API key"


class OrderNotLinked(NotFound):
    code = "order_not_found"
    message = "The bridge has no checkout session for this order"

    def __init__(self, order_id: int) -> None:
        super().__init__(details={"orderId": order_id, "field": "orderId"})


class InvalidWooCredentials(InvalidRequest):
    code = "invalid_woocommerce_credentials"
    message = "The store rejected the WooCommerce REST API credentials"


class StoreUnreachable(InvalidRequest):
    code = "store_unreachable"
    message = "The WooCommerce store could not be reached"


class ShopAlreadyConnected(Conflict):
    code = "shop_already_connected"
    message = "Another WooCommerce store is connected to this shop; disconnect it first"


class InvalidSignature(InvalidRequest):
    code = "invalid_signature"
    message = "The webhook signature could not be verified"


class InvalidSiteUrl(InvalidRequest):
    code = "invalid_site_url"
    message = "siteUrl must be the store's public http(s) address"
