"""Request bodies of the Sessions API as pydantic models (also the OpenAPI source)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.gateways import PaymentMethod
from app.payments import validators
from app.payments.money import CURRENCY, MAX_TOTAL, MAX_UNIT_PRICE, line_total

MAX_ITEMS = 100
MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500

Text = Annotated[StrictStr, AfterValidator(validators.no_control_chars)]
Won = Annotated[StrictInt, Field(ge=0, le=MAX_TOTAL)]
Url = Annotated[StrictStr, AfterValidator(validators.absolute_http_url)]
Phone = Annotated[StrictStr, Field(max_length=40), AfterValidator(validators.korean_phone)]
PostalCode = Annotated[StrictStr, AfterValidator(validators.postal_code)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False, str_strip_whitespace=True)


def check_metadata(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if len(value) > MAX_METADATA_KEYS:
        raise PydanticCustomError(
            "invalid_metadata", "metadata holds at most {limit} keys", {"limit": MAX_METADATA_KEYS}
        )
    for key, item in value.items():
        if not 1 <= len(key) <= MAX_METADATA_KEY_LENGTH:
            raise PydanticCustomError("invalid_metadata", "metadata keys are 1-40 characters")
        if not isinstance(item, str) or len(item) > MAX_METADATA_VALUE_LENGTH:
            raise PydanticCustomError(
                "invalid_metadata", "metadata values are strings of at most 500 characters"
            )
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(check_metadata)]


class LineItem(StrictModel):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    price: Annotated[StrictInt, Field(ge=0, le=MAX_UNIT_PRICE, description="Unit price in won")]
    quantity: Annotated[StrictInt, Field(ge=1, le=9999)]
    productId: Annotated[Text, Field(min_length=1, max_length=100)] | None = None
    description: Annotated[Text, Field(max_length=1000)] | None = None


class Customer(StrictModel):
    name: Annotated[Text, Field(min_length=1, max_length=100)]
    email: Annotated[EmailStr, Field(max_length=254)]
    phone: Phone | None = None


class CustomerUpdate(StrictModel):
    name: Annotated[Text, Field(min_length=1, max_length=100)] | None = None
    email: Annotated[EmailStr, Field(max_length=254)] | None = None
    phone: Phone | None = None


class CreateSessionRequest(StrictModel):
    platform: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_-]{1,50}$")] = "custom"
    platformOrderId: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    items: Annotated[list[LineItem], Field(min_length=1, max_length=MAX_ITEMS)]
    customer: Customer
    totalAmount: Annotated[StrictInt, Field(ge=1, le=MAX_TOTAL)]
    shippingAmount: Won = 0
    discountAmount: Won = 0
    currency: StrictStr = CURRENCY
    returnUrl: Url
    cancelUrl: Url
    webhookUrl: Url | None = None
    metadata: Metadata | None = None
    shopId: Annotated[StrictStr, Field(max_length=40)] | None = Field(
        default=None, description="The shop whose webhook settings and secret apply"
    )
    expiresAt: AwareDatetime | None = Field(
        default=None, description="When the session expires: at most 7 days ahead"
    )
    expiresIn: Annotated[StrictInt, Field(ge=60, le=7 * 24 * 3600)] | None = Field(
        default=None, description="Seconds until the session expires (60 s to 7 days)"
    )
    paymentMethod: PaymentMethod | None = Field(
        default=None,
        description="The method the customer chose on the shop: the hosted page opens on it "
        "(returned as preferredPaymentMethod; paymentMethod in responses is the method paid with)",
    )

    @field_validator("currency")
    @classmethod
    def _krw_only(cls, value: str) -> str:
        if value.upper() != CURRENCY:
            raise PydanticCustomError("unsupported_currency", "Only KRW is supported")
        return CURRENCY

    @model_validator(mode="after")
    def _total_matches_lines(self) -> CreateSessionRequest:
        subtotal = sum(line_total(item.price, item.quantity) for item in self.items)
        expected = subtotal + self.shippingAmount - self.discountAmount
        if expected != self.totalAmount:
            raise PydanticCustomError(
                "amount_mismatch",
                "totalAmount must equal the sum of price x quantity plus shippingAmount "
                "minus discountAmount ({expected})",
                {"expected": expected},
            )
        if self.expiresAt is not None and self.expiresIn is not None:
            raise PydanticCustomError("invalid_expiry", "Give expiresAt or expiresIn, not both")
        return self


class UpdateSessionRequest(StrictModel):
    customer: CustomerUpdate | None = None
    metadata: Annotated[dict[str, Any], AfterValidator(check_metadata)] | None = None


class AddressUpdate(StrictModel):
    """Customer-facing: what Daum Postcode returns, plus a detail line the customer types."""

    postalCode: PostalCode
    address: Annotated[Text, Field(min_length=1, max_length=300)] | None = None
    roadAddress: Annotated[Text, Field(min_length=1, max_length=300)] | None = None
    jibunAddress: Annotated[Text, Field(min_length=1, max_length=300)] | None = None
    detailAddress: Annotated[Text, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _needs_an_address(self) -> AddressUpdate:
        if not (self.address or self.roadAddress or self.jibunAddress):
            raise PydanticCustomError(
                "missing_field", "Give address, roadAddress or jibunAddress", {"field": "address"}
            )
        return self
