"""The WP_Error shape WordPress turns into JSON: `{code, message, data}`."""

from __future__ import annotations

from typing import Any


class WooError(Exception):
    """An error response. `data` is what WordPress prints; `status` is the HTTP status.

    Usually `data == {"status": status}`, but WooCommerce also builds errors whose data is a
    bare integer (refund errors: `"data": 500`) and WordPress then answers HTTP 500.
    """

    def __init__(self, code: str, message: str, status: int, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.data = {"status": status} if data is None else data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}


def invalid_order_id(status: int) -> WooError:
    """GET answers 404 but PUT answers 400 for the same missing order (fixtures)."""
    return WooError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", status)


def invalid_param(name: str, message: str, extra: dict[str, Any] | None = None) -> WooError:
    """WordPress schema validation failure (`rest_invalid_param`)."""
    data: dict[str, Any] = {"status": 400, "params": {name: message}}
    if extra is not None:
        data["details"] = {name: extra}
    return WooError("rest_invalid_param", f"Invalid parameter(s): {name}", 400, data)


def missing_param(name: str) -> WooError:
    return WooError(
        "rest_missing_callback_param",
        f"Missing parameter(s): {name}",
        400,
        {"status": 400, "params": [name]},
    )
