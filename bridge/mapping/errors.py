"""Why an order cannot become a checkout session."""

from __future__ import annotations


class OrderMappingError(ValueError):
    """The order cannot be paid through a session; `code`/`field` go to the API error."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
