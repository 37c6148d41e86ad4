"""Store connections: check the WooCommerce keys, encrypt them, one store per shop."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.models.base import utcnow
from app.payments.errors import InvalidRequest, Unauthorized
from app.payments.ids import new_id
from app.webhooks.target_guard import TargetCheck, check_target
from bridge.context import BridgeContext
from bridge.core_client import CoreApi
from bridge.errors import (
    InvalidSiteUrl,
    InvalidWooCredentials,
    ShopAlreadyConnected,
    StoreNotConnected,
    StoreUnreachable,
)
from bridge.masking import hint
from bridge.models import BridgeStore, SyncTask
from bridge.sync_log import record_calls
from bridge.task_actions import TaskStatus
from bridge.woo_client import (
    INVALID_SITE_URL,
    REDIRECT_REFUSED,
    SiteGuard,
    WooCall,
    WooCredentials,
    WooPermanentError,
    WooStore,
    WooTransientError,
)

logger = logging.getLogger(__name__)
CONNECTED = "connected"
DISCONNECTED = "disconnected"
# PUT on order 0 changes nothing: a key with write permission gets 400 "Invalid ID.", a
# read-only key 401 (GET alone cannot reveal a missing write permission; fixture README).
WRITE_PROBE_PATH = "orders/0"


@dataclass(frozen=True)
class ConnectRequest:
    site_url: str
    consumer_key: str
    consumer_secret: str
    shop_id: str | None

    def __repr__(self) -> str:
        return f"ConnectRequest({self.site_url!r}, shop_id={self.shop_id!r}, ***)"


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def key_mode(api_key: str) -> str:
    if api_key.startswith("sk_live_"):
        return "live"
    if api_key.startswith("sk_test_"):
        return "test"
    raise Unauthorized(details={"field": "x-api-key"})


def parse_connect(body: Any) -> ConnectRequest:
    if not isinstance(body, dict):
        raise InvalidRequest("Send a JSON object", code="invalid_json")
    raw_url = body.get("siteUrl")
    site_url = raw_url.strip().rstrip("/") if isinstance(raw_url, str) else ""
    try:
        parts = urlsplit(site_url)
        scheme, hostname, _port = parts.scheme, parts.hostname, parts.port
    except ValueError:  # "http://[abc", a port that is no number
        scheme, hostname = "", None
    if scheme not in ("http", "https") or not hostname or len(site_url) > 2048:
        raise InvalidSiteUrl(details={"field": "siteUrl", "reason": "invalid_url"})
    values = {}
    for field in ("consumerKey", "consumerSecret"):
        value = body.get(field)
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
            raise InvalidRequest(f"{field} is required", details={"field": field})
        values[field] = value.strip()
    shop_id = body.get("shopId")
    if shop_id is not None and not isinstance(shop_id, str):
        raise InvalidRequest("shopId must be a string", details={"field": "shopId"})
    return ConnectRequest(site_url, values["consumerKey"], values["consumerSecret"], shop_id)


def core_api(ctx: BridgeContext, api_key: str) -> CoreApi:
    return ctx.core(api_key)


def store_core_api(ctx: BridgeContext, store: BridgeStore) -> CoreApi:
    return core_api(ctx, ctx.box.decrypt(store.encrypted_api_key))


def woo_credentials(ctx: BridgeContext, store: BridgeStore) -> WooCredentials:
    return WooCredentials(
        store.site_url,
        ctx.box.decrypt(store.encrypted_consumer_key),
        ctx.box.decrypt(store.encrypted_consumer_secret),
    )


def guard_mode(ctx: BridgeContext, mode: str) -> str:
    """The target-guard mode for a store: loopback only for test stores, and only when the
    deployment allows loopback targets at all."""
    return mode if ctx.allow_loopback else "live"


def site_guard(ctx: BridgeContext, mode: str) -> SiteGuard:
    """The guard's verdict on a store address (loopback, private, metadata...) and the
    address to connect to."""
    target_mode = guard_mode(ctx, mode)

    def verdict(url: str) -> TargetCheck:
        return check_target(url, target_mode, ctx.resolver)

    return verdict


def check_site_url(ctx: BridgeContext, site_url: str, mode: str) -> None:
    if mode == "live" and urlsplit(site_url).scheme != "https":
        # Live keys and customer data never travel in clear text, as the API's live URLs.
        raise InvalidSiteUrl(
            "A store connected with a live key must use an https siteUrl",
            details={"field": "siteUrl", "reason": "https_required"},
        )
    verdict = site_guard(ctx, mode)(site_url)
    if not verdict.allowed:
        raise InvalidSiteUrl(details={"field": "siteUrl", "reason": str(verdict.reason)})


def _connect_failure(exc: WooPermanentError) -> Exception:
    if exc.code == INVALID_SITE_URL:
        return InvalidSiteUrl(details={"field": "siteUrl", "reason": str(exc)})
    if exc.code == REDIRECT_REFUSED:
        return StoreUnreachable(details={"field": "siteUrl", "reason": str(exc)})
    return InvalidWooCredentials(details={"status": exc.status, "wooCode": exc.code})


def check_woo_credentials(
    ctx: BridgeContext, request: ConnectRequest, mode: str = "test"
) -> list[WooCall]:
    calls: list[WooCall] = []
    woo = WooStore(
        WooCredentials(request.site_url, request.consumer_key, request.consumer_secret),
        ctx.woo_timeout,
        calls.append,
        site_guard(ctx, mode),
        ctx.woo_http,
    )
    try:
        woo.call("check_read", "GET", "orders", params={"per_page": 1})
    except WooTransientError as exc:
        raise StoreUnreachable(details={"field": "siteUrl", "reason": str(exc)}) from exc
    except WooPermanentError as exc:
        raise _connect_failure(exc) from exc
    try:
        woo.call("check_write", "PUT", WRITE_PROBE_PATH, {})
    except WooTransientError as exc:
        raise StoreUnreachable(details={"field": "siteUrl", "reason": str(exc)}) from exc
    except WooPermanentError as exc:
        if exc.code in (INVALID_SITE_URL, REDIRECT_REFUSED):
            raise _connect_failure(exc) from exc
        if exc.status in (401, 403):
            raise InvalidWooCredentials(
                "The WooCommerce key needs read/write permission",
                details={"status": exc.status, "wooCode": exc.code},
            ) from exc
    return calls


def _choose_shop(shops: list[dict[str, Any]], shop_id: str | None) -> str:
    if shop_id is not None:
        if not any(shop.get("id") == shop_id for shop in shops):
            raise InvalidRequest("No such shop for this API key", details={"field": "shopId"})
        return shop_id
    default = next((shop for shop in shops if shop.get("is_default")), None)
    if default is None:
        raise InvalidRequest(
            "Give shopId: this key has no default shop", details={"field": "shopId"}
        )
    return str(default["id"])


def connect_store(ctx: BridgeContext, api_key: str, body: Any) -> BridgeStore:
    """Authenticates the API key first; only then is the body looked at."""
    if not api_key:
        raise Unauthorized(
            "Send your API key in the x-api-key header", details={"field": "x-api-key"}
        )
    mode = key_mode(api_key)
    api = core_api(ctx, api_key)
    shops = api.list_shops()  # proves the API key works
    request = parse_connect(body)
    check_site_url(ctx, request.site_url, mode)
    shop_id = _choose_shop(shops, request.shop_id)
    calls = check_woo_credentials(ctx, request, mode)
    store_id = _store_id(ctx, shop_id)
    # The bridge's own endpoint secret: a webhook signed with the shop's secret (which any
    # key of the account can read) is not accepted as coming from the core.
    secret = api.endpoint_secret(ctx.webhook_url(store_id))
    now = utcnow()
    box = ctx.box
    with ctx.database.transaction() as db:
        store = db.scalars(select(BridgeStore).where(BridgeStore.shop_id == shop_id)).first()
        if store is not None and (
            store.id != store_id  # connected concurrently under another id
            or (store.status == CONNECTED and store.site_url != request.site_url)
        ):
            raise ShopAlreadyConnected(details={"shopId": shop_id, "field": "shopId"})
        # The key moves to this store; any other store it served is released.
        for other in db.scalars(
            select(BridgeStore).where(BridgeStore.api_key_hash == key_hash(api_key))
        ):
            if store is None or other.id != store.id:
                other.api_key_hash = None
        db.flush()
        if store is None:
            store = BridgeStore(id=store_id, shop_id=shop_id, created_at=now)
            db.add(store)
        store.mode = mode
        store.site_url = request.site_url
        store.status = CONNECTED
        store.api_key_hash = key_hash(api_key)
        store.encrypted_api_key = box.encrypt(api_key)
        store.encrypted_consumer_key = box.encrypt(request.consumer_key)
        store.encrypted_consumer_secret = box.encrypt(request.consumer_secret)
        store.consumer_key_hint = hint(request.consumer_key)
        store.encrypted_webhook_secret = box.encrypt(secret)
        store.secret_refreshed_at = now
        store.connected_at = now
        store.disconnected_at = None
        store.updated_at = now
        try:
            db.flush()
        except IntegrityError as exc:
            raise ShopAlreadyConnected(details={"shopId": shop_id, "field": "shopId"}) from exc
        record_calls(db, calls, store_id=store.id, attempt=0)
        # Syncs parked while the store was disconnected are due again.
        parked = SyncTask.status == TaskStatus.PENDING, SyncTask.next_attempt_at.is_(None)
        resumed = list(
            db.scalars(select(SyncTask.id).where(SyncTask.store_id == store.id, *parked))
        )
        if resumed:
            db.execute(
                update(SyncTask)
                .where(SyncTask.id.in_(resumed))
                .values(next_attempt_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    for task_id in resumed:
        ctx.enqueue(task_id, None)
    logger.info(
        "store connected", extra={"store_id": store.id, "shop_id": shop_id, "resumed": len(resumed)}
    )
    return store


def _store_id(ctx: BridgeContext, shop_id: str) -> str:
    """The id the shop's store has, or will have: its webhook URL is made from it."""
    with ctx.database.transaction() as db:
        found = db.scalars(select(BridgeStore.id).where(BridgeStore.shop_id == shop_id)).first()
    return found or new_id("bst")


def store_for_key(ctx: BridgeContext, api_key: str) -> BridgeStore:
    """The key is authenticated as `/api` does (a revoked key gets its 401), then its store
    is looked up."""
    if not api_key:
        raise Unauthorized(
            "Send your API key in the x-api-key header", details={"field": "x-api-key"}
        )
    core_api(ctx, api_key).check_key()
    with ctx.database.transaction() as db:
        store = db.scalars(
            select(BridgeStore).where(
                BridgeStore.api_key_hash == key_hash(api_key), BridgeStore.status == CONNECTED
            )
        ).first()
    if store is None:
        raise StoreNotConnected()
    return store


def disconnect_store(ctx: BridgeContext, store_id: str) -> BridgeStore:
    now = utcnow()
    with ctx.database.transaction() as db:
        store = db.get(BridgeStore, store_id)
        if store is None:
            raise StoreNotConnected()
        store.status = DISCONNECTED
        store.api_key_hash = None
        # Credentials are dropped, not kept encrypted: a reconnect supplies fresh ones.
        store.encrypted_consumer_key = ""
        store.encrypted_consumer_secret = ""
        store.disconnected_at = now
        store.updated_at = now
    logger.info("store disconnected", extra={"store_id": store_id})
    return store


def store_dict(ctx: BridgeContext, store: BridgeStore) -> dict[str, Any]:
    return {
        "storeId": store.id,
        "shopId": store.shop_id,
        "siteUrl": store.site_url,
        "mode": store.mode,
        "status": store.status,
        "consumerKey": store.consumer_key_hint,
        "webhookUrl": ctx.webhook_url(store.id),
        "connectedAt": store.connected_at.isoformat().replace("+00:00", "Z"),
    }
