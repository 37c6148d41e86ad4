"""All models, imported so that `Base.metadata` knows every table."""

from app.models.account import Account, ApiKey
from app.models.base import Base
from app.models.checkout_session import CheckoutSession
from app.models.event import Event
from app.models.idempotency import IdempotencyRecord

__all__ = ["Account", "ApiKey", "Base", "CheckoutSession", "Event", "IdempotencyRecord"]
