"""What a route handler gets: the store, the caller and the merged request parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import WooError, invalid_param
from .models import ApiKey
from .store import Store

# The permission errors each kind of route answers when nobody is logged in.
DENIED = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "edit_setting": ("woocommerce_rest_cannot_edit", "Sorry, you cannot edit this resource."),
}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    store: Store
    home: str
    method: str
    path: str
    key: ApiKey | None
    # Request parameters in PHP order (query string, then form, then JSON body wins).
    params: dict[str, Any]
    query: dict[str, str]

    @property
    def api(self) -> str:
        return f"{self.home}/wp-json/wc/v3"

    def require(self, kind: str) -> None:
        """The route's permission_callback: an API key's user is a shop manager."""
        if self.key is None:
            code, message = DENIED[kind]
            raise WooError(code, message, 401)

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        """rest_sanitize_boolean with the schema's type check."""
        value = self.params.get(name, default)
        if value is None or isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise invalid_param(name, f"{name} is not of type boolean.")

    def integer(self, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        value = self.params.get(name, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise invalid_param(name, f"{name} is not of type integer.") from None
        if number < minimum or (maximum is not None and number > maximum):
            if maximum is None:
                message = f"{name} must be greater than or equal to {minimum}"
            else:
                message = f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)"
            raise invalid_param(name, message)
        return number
