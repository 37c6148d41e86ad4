# ruff: noqa: N815 - wire-format models use the public API's camelCase field names
"""Request bodies of the refund and sandbox-deposit endpoints (also the OpenAPI source)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr

from app.gateways import BankAccount
from app.payments.inputs import StrictModel, Text
from app.payments.money import MAX_TOTAL

PositiveWon = Annotated[StrictInt, Field(gt=0, le=MAX_TOTAL)]


class RefundAccountBody(StrictModel):
    """The customer's account for a virtual-account refund."""

    bankCode: Annotated[StrictStr, Field(pattern=r"^\d{3}$")]
    accountNumber: Annotated[StrictStr, Field(pattern=r"^\d[\d-]{4,28}\d$")]
    holderName: Annotated[Text, Field(min_length=1, max_length=60)]

    def to_bank_account(self) -> BankAccount:
        digits = self.accountNumber.replace("-", "")
        return BankAccount(bank_code=self.bankCode, account_number=digits, holder=self.holderName)


class RefundBody(StrictModel):
    """``POST /api/checkout/session/{id}/refund``: as the reference document, plus
    ``expectedRefundableAmount`` (409 when stale) and ``refundAccount`` (virtual accounts)."""

    amount: PositiveWon | None = None
    reason: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    notify_customer: StrictBool = False
    expectedRefundableAmount: Annotated[StrictInt, Field(ge=0, le=MAX_TOTAL)] | None = None
    refundAccount: RefundAccountBody | None = None


class SandboxDepositBody(StrictModel):
    """Sandbox only: deposit ``amount`` (default: the session total) into the issued account."""

    amount: PositiveWon | None = None
