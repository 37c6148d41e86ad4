"""All models, imported so that `Base.metadata` knows every table."""

from app.models.account import Account, ApiKey
from app.models.base import Base
from app.models.checkout_session import CheckoutSession
from app.models.event import Event
from app.models.gateway_operation import GatewayOperation
from app.models.idempotency import IdempotencyRecord
from app.models.payment import PaymentAttempt, VirtualAccountDeposit
from app.models.refund import Refund
from app.models.shop import Shop, ShopWebhookSecret
from app.models.webhook import DeliveryAttempt, EventDelivery, WebhookEndpoint
from bridge.models import BridgeStore  # noqa: F401 - registers every bridge table

__all__ = [
    "Account",
    "ApiKey",
    "Base",
    "CheckoutSession",
    "DeliveryAttempt",
    "Event",
    "EventDelivery",
    "GatewayOperation",
    "IdempotencyRecord",
    "PaymentAttempt",
    "Refund",
    "Shop",
    "ShopWebhookSecret",
    "VirtualAccountDeposit",
    "WebhookEndpoint",
]
