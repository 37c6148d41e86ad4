"""Request bodies of the Shops API (snake_case, as the reference document writes them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StrictBool, StrictInt, StrictStr

from app.payments.inputs import Phone, StrictModel, Text, Url
from app.payments.validators import no_control_chars

Name = Annotated[Text, Field(min_length=1, max_length=200)]
Line = Annotated[StrictStr, Field(max_length=500), AfterValidator(no_control_chars)]


class BusinessInfo(StrictModel):
    business_number: Annotated[StrictStr, Field(pattern=r"^\d{3}-\d{2}-\d{5}$")] | None = None
    business_name: Name | None = None
    ceo_name: Name | None = None
    address: Line | None = None


class Contact(StrictModel):
    email: Annotated[EmailStr, Field(max_length=254)] | None = None
    phone: Phone | None = None


class ShopSettings(StrictModel):
    currency: Annotated[StrictStr, Field(pattern=r"^KRW$")] | None = None
    timezone: Annotated[StrictStr, Field(max_length=64)] | None = None
    language: Annotated[StrictStr, Field(pattern=r"^(ko|en)$")] | None = None
    webhook_url: Url | None = None
    notification_email: Annotated[EmailStr, Field(max_length=254)] | None = None
    auto_refund_enabled: StrictBool | None = None
    payment_timeout: Annotated[StrictInt, Field(ge=60, le=7 * 24 * 3600)] | None = None


class CreateShopRequest(StrictModel):
    name: Name
    description: Line | None = None
    website: Url | None = None
    business_info: BusinessInfo | None = None
    contact: Contact | None = None
    settings: ShopSettings | None = None


class UpdateShopRequest(StrictModel):
    name: Name | None = None
    description: Line | None = None
    website: Url | None = None
    business_info: BusinessInfo | None = None
    contact: Contact | None = None
    settings: ShopSettings | None = None
