"""Response bodies as pydantic models: the OpenAPI source, and what tests check replies against."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from app.payments.status import SessionStatus


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Closed):
    code: str
    message: str
    details: dict[str, Any]


class ErrorResponse(Closed):
    error: ErrorBody


class CreateSessionResponse(Closed):
    success: bool
    sessionId: str
    checkoutUrl: str
    expiresAt: str


class SessionCustomer(BaseModel):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class SessionAddress(Closed):
    postalCode: str
    address: str | None
    roadAddress: str | None
    jibunAddress: str | None
    detailAddress: str | None


class VirtualAccountData(Closed):
    bank: str
    bankCode: str
    accountNumber: str
    holder: str
    dueDate: str
    amount: int


class RefundResponse(Closed):
    refundId: str
    status: str
    amount: int
    reason: str | None
    processedAt: str | None


class SessionData(Closed):
    sessionId: str
    status: SessionStatus
    mode: str
    shopId: str | None
    platform: str
    platformOrderId: str | None
    items: list[dict[str, Any]]
    totalAmount: int
    shippingAmount: int
    discountAmount: int
    currency: str
    customer: SessionCustomer
    address: SessionAddress | None
    metadata: dict[str, str]
    checkoutUrl: str
    returnUrl: str
    cancelUrl: str
    webhookUrl: str | None
    paymentMethod: str | None  # the method paid with
    preferredPaymentMethod: str | None  # create-session's paymentMethod: the page opens on it
    gateway: str | None
    gatewayTransactionId: str | None
    createdAt: str
    updatedAt: str
    expiresAt: str
    completedAt: str | None
    cancelledAt: str | None
    expiredAt: str | None
    installmentMonths: int | None = None
    virtualAccount: VirtualAccountData | None = None
    paidAmount: int = 0
    refundedAmount: int = 0
    refundableAmount: int = 0
    refunds: list[RefundResponse] = []


class SessionResponse(Closed):
    success: bool
    data: SessionData


class SessionListResponse(Closed):
    success: bool
    data: list[SessionData]
    hasMore: bool
    nextCursor: str | None


class AddressData(Closed):
    sessionId: str
    address: SessionAddress


class AddressResponse(Closed):
    success: bool
    data: AddressData


class HealthResponse(BaseModel):
    status: str
    checks: dict[str, bool] | None = None


class ShopResponse(BaseModel):
    id: str
    name: str
    status: str
    mode: str
    is_default: bool
    description: str | None
    website: str | None
    business_info: dict[str, Any]
    contact: dict[str, Any]
    settings: dict[str, Any]
    payment_methods: list[str]
    custom_domain: str | None
    created_at: str
    updated_at: str


class ShopListResponse(Closed):
    success: bool
    data: list[ShopResponse]


class WebhookSecretData(BaseModel):
    shopId: str
    secret: str
    activeSecrets: int | None = None
    previousSecretsExpireAt: str | None = None


class WebhookSecretResponse(Closed):
    success: bool
    data: WebhookSecretData


class WebhookEndpointData(Closed):
    id: str
    url: str
    secret: str


class WebhookEndpointResponse(Closed):
    success: bool
    data: WebhookEndpointData


class DeliveryData(BaseModel):
    id: str
    url: str
    status: str
    attempts: int
    nextAttemptAt: str | None
    deliveredAt: str | None
    lastStatusCode: int | None
    lastError: str | None
    attemptLog: list[dict[str, Any]] | None = None


class EventData(Closed):
    id: str
    event: str
    createdAt: str
    data: dict[str, Any]
    sessionId: str | None
    deliveries: list[DeliveryData]


class EventResponse(Closed):
    success: bool
    data: EventData


class EventListResponse(Closed):
    success: bool
    data: list[EventData]
    hasMore: bool
    nextCursor: str | None
