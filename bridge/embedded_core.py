"""The core reached in process: the services the `/api` views call, with the API's
semantics (tenant from the key, mode, Idempotency-Key store, documented errors), and no HTTP
call to this very server, which with sync web workers would wait on itself."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.api import idempotency
from app.api.errors import status_for
from app.api.shops import shop_dict
from app.api.tenant_cache import TenantCache
from app.crypto import SecretBox
from app.db import Database
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession
from app.models.base import utcnow
from app.payments import sessions, shops
from app.payments.api_keys import authenticate, hash_key
from app.payments.checkout_links import CheckoutLinks
from app.payments.errors import CheckoutError, Unauthorized
from app.payments.inputs import AddressUpdate, CreateSessionRequest
from app.payments.refund_inputs import RefundBody
from app.payments.refunds import RefundInput, refund_session
from app.payments.representation import refund_to_dict, session_to_dict
from app.payments.tenancy import Tenant
from app.payments.timefmt import isoformat_z
from app.payments.validation import parse
from app.webhooks.endpoints import endpoint_dict, register_endpoint
from bridge.core_client import (
    CoreApi,
    CoreApiError,
    CoreUnavailable,
    interpret,
    request_body,
)

logger = logging.getLogger(__name__)
KEY_HEADER = "x-api-key"
# (HTTP status, JSON answer), as the API would answer.
Answer = tuple[int, dict[str, Any]]
# A request's work as one tenant in one transaction.
Work = Callable[[Session, Tenant, datetime], Answer]


@dataclass(frozen=True)
class EmbeddedCore:
    """The connector for the core of this very service (built by `init_bridge`)."""

    database: Database
    box: SecretBox
    tenants: TenantCache
    gateways: GatewayProvider
    links: CheckoutLinks

    def __repr__(self) -> str:
        return f"EmbeddedCore({self.links.public_base_url!r})"

    def __call__(self, api_key: str) -> CoreApi:
        return InProcessCoreApi(self, api_key)


def _error_answer(error: CheckoutError) -> Answer:
    body = {"code": error.code, "message": error.message, "details": error.details}
    return status_for(error), {"error": body}


def _api_error(error: CheckoutError) -> CoreApiError:
    """What the HTTP client raises for the API's answer to a client error."""
    details = _as_sent(error.details)
    return CoreApiError(status_for(error), error.code, error.message, details)


def _as_sent(payload: dict[str, Any]) -> Any:
    """The answer as a client of the HTTP API would parse it."""
    return json.loads(json.dumps(payload, ensure_ascii=False))


@dataclass(frozen=True)
class InProcessCoreApi:
    core: EmbeddedCore
    api_key: str

    def __repr__(self) -> str:
        return "InProcessCoreApi(api_key=***)"

    def _tenant(self) -> Tenant:
        """As `/api` authenticates: by the key's hash, through the same short-lived cache."""
        if not self.api_key:
            raise Unauthorized(
                "Send your API key in the x-api-key header", details={"field": KEY_HEADER}
            )
        key_hash = hash_key(self.api_key)
        tenant = self.core.tenants.get(key_hash)
        if tenant is None:
            with self.core.database.transaction() as db:
                tenant = authenticate(db, self.api_key)
            if tenant is None:
                raise Unauthorized(details={"field": KEY_HEADER})
            self.core.tenants.put(key_hash, tenant)
        return tenant

    def _transact(self, work: Callable[[Session, datetime], Answer]) -> dict[str, Any]:
        """One request's work in one transaction, errors answered as the API answers them."""
        try:
            with self.core.database.transaction() as db:
                status, payload = work(db, utcnow())
        except CheckoutError as error:
            status, payload = _error_answer(error)
        except Exception as exc:
            logger.exception("core call failed")
            raise CoreUnavailable("the checkout API failed") from exc
        return interpret(status, _as_sent(payload))

    def _authenticated(self) -> Tenant:
        """The key's tenant; an unknown or revoked key raises the API's 401."""
        try:
            return self._tenant()
        except CheckoutError as error:
            raise _api_error(error) from error
        except Exception as exc:
            logger.exception("core call failed")
            raise CoreUnavailable("the checkout API failed") from exc

    def _run(self, work: Work) -> dict[str, Any]:
        tenant = self._authenticated()
        return self._transact(lambda db, now: work(db, tenant, now))

    def _post(self, path: str, body: dict[str, Any] | None, key: str, work: Work) -> dict[str, Any]:
        """A POST with an Idempotency-Key, through the API's own idempotency store: the
        first answer (success or 4xx) is stored with the effect, and replayed after."""
        tenant = self._authenticated()
        print_ = idempotency.fingerprint_of("POST", path, request_body(body))
        try:
            record = idempotency.claim(self.core.database, tenant, key, print_, utcnow())
        except CheckoutError as error:  # a malformed key, or one in use or reused
            raise _api_error(error) from error
        except Exception as exc:
            logger.exception("core call failed")
            raise CoreUnavailable("the checkout API failed") from exc
        if record is not None:
            stored = json.loads(record.response_body or "null")
            return interpret(record.response_status or 500, stored)
        try:
            with self.core.database.transaction() as db:
                status, payload = work(db, tenant, utcnow())
                self._store(db, tenant, key, status, payload)
        except CheckoutError as error:
            status, payload = _error_answer(error)
            if status < 500:
                # The effect is undone, but the answer is kept so a retry gets the same error.
                with self.core.database.transaction() as db:
                    self._store(db, tenant, key, status, payload)
        except Exception as exc:
            logger.exception("core call failed")
            idempotency.release_claim(self.core.database, tenant, key)
            raise CoreUnavailable("the checkout API failed") from exc
        if status >= 500:
            idempotency.release_claim(self.core.database, tenant, key)
        return interpret(status, _as_sent(payload))

    @staticmethod
    def _store(db: Session, tenant: Tenant, key: str, status: int, payload: Any) -> None:
        text = json.dumps(payload, ensure_ascii=False)
        idempotency.store_response(db, tenant, key, status, text)

    def _session_dict(self, session: CheckoutSession) -> dict[str, Any]:
        return session_to_dict(session, self.core.links)

    # --- the API's resources ------------------------------------------------------------
    def check_key(self) -> None:
        self._authenticated()

    def list_shops(self) -> list[dict[str, Any]]:
        def work(db: Session, tenant: Tenant, now: datetime) -> Answer:
            found = shops.list_shops(db, tenant, now)
            return 200, {"success": True, "data": [shop_dict(shop) for shop in found]}

        return list(self._run(work)["data"])

    def endpoint_secret(self, url: str) -> str:
        def work(db: Session, tenant: Tenant, now: datetime) -> Answer:
            endpoint, secret = register_endpoint(db, self.core.box, tenant, {"url": url}, now)
            return 200, {"success": True, "data": endpoint_dict(endpoint, secret)}

        return str(self._run(work)["data"]["secret"])

    def create_session(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        def work(db: Session, tenant: Tenant, now: datetime) -> Answer:
            request = parse(CreateSessionRequest, body, {"mode": tenant.mode})
            session = sessions.create_session(db, tenant, request, now)
            return 201, {
                "success": True,
                "sessionId": session.id,
                "checkoutUrl": self.core.links.shopper_url(session.id),
                "expiresAt": isoformat_z(session.expires_at),
            }

        return self._post("/api/checkout/create-session", body, idempotency_key, work)

    def get_session(self, session_id: str) -> dict[str, Any]:
        def work(db: Session, tenant: Tenant, now: datetime) -> Answer:
            session = sessions.get_session(db, tenant, session_id, now)
            return 200, {"success": True, "data": self._session_dict(session)}

        return dict(self._run(work)["data"])

    def set_address(self, session_id: str, address: dict[str, Any]) -> None:
        # Customer-facing in the API: authorised by the session, not by a key.
        def work(db: Session, now: datetime) -> Answer:
            session = sessions.update_address(db, session_id, parse(AddressUpdate, address), now)
            data = {"sessionId": session.id, "address": session.address}
            return 200, {"success": True, "data": data}

        self._transact(work)

    def cancel_session(self, session_id: str, idempotency_key: str) -> dict[str, Any]:
        def work(db: Session, tenant: Tenant, now: datetime) -> Answer:
            session = sessions.cancel_session(db, tenant, session_id, now)
            return 200, {"success": True, "data": self._session_dict(session)}

        path = f"/api/checkout/session/{session_id}/cancel"
        return dict(self._post(path, None, idempotency_key, work)["data"])

    def refund(self, session_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        def work(db: Session, tenant: Tenant, now: datetime) -> Answer:
            parsed = parse(RefundBody, body)
            request = RefundInput(
                amount=parsed.amount,
                reason=parsed.reason,
                notify_customer=parsed.notify_customer,
                expected_refundable_amount=parsed.expectedRefundableAmount,
                refund_account=(
                    parsed.refundAccount.to_bank_account() if parsed.refundAccount else None
                ),
                # The gateway's idempotency key too, as the API passes its header.
                request_key=idempotency_key,
            )
            refund = refund_session(db, tenant, session_id, request, self.core.gateways, now)
            return 201, refund_to_dict(refund)

        path = f"/api/checkout/session/{session_id}/refund"
        return self._post(path, body, idempotency_key, work)
