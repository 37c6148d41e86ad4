"""The shopper's link to a session's hosted page, and the capability only that link carries.

A session id travels far (return URLs, webhooks, the merchant's analytics), so it authorises
nothing on the hosted page. The ``checkoutUrl`` the API hands the merchant adds ``t``: an
HMAC-SHA256 of the session id under a key of its own purpose. It is deterministic, so a link
handed out twice (the bridge reuses an open session) is the same link, and needs no storage.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from urllib.parse import urlencode

from app.keys import purpose_key

PURPOSE = "checkout-capability"
#: The query parameter of the shopper's link that carries the capability.
CAPABILITY_PARAM = "t"


@dataclass(frozen=True)
class CheckoutLinks:
    public_base_url: str
    key: bytes = field(repr=False)

    @classmethod
    def from_root_secret(cls, public_base_url: str, root_secret: str) -> CheckoutLinks:
        return cls(public_base_url.rstrip("/"), purpose_key(root_secret, PURPOSE))

    def token(self, session_id: str) -> str:
        digest = hmac.new(self.key, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def verify(self, session_id: str, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(self.token(session_id).encode(), token.encode())

    def page_url(self, session_id: str) -> str:
        """The hosted page without the capability (what the browser shows once it holds it)."""
        return f"{self.public_base_url}/checkout/{session_id}"

    def shopper_url(self, session_id: str) -> str:
        """The ``checkoutUrl``: the page plus the capability, for the merchant to hand over."""
        query = urlencode({CAPABILITY_PARAM: self.token(session_id)})
        return f"{self.page_url(session_id)}?{query}"
