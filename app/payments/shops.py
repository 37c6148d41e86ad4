"""Shops: profiles, settings and webhook signing secrets (rotatable, both sign for 24 h)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.crypto import SecretBox
from app.models import Shop, ShopWebhookSecret
from app.payments.errors import NotFound
from app.payments.ids import IdPrefix, new_id
from app.payments.shop_inputs import CreateShopRequest, UpdateShopRequest
from app.payments.tenancy import Tenant
from app.payments.upsert import first_or_insert
from app.webhooks.signing import generate_secret

ROTATION_OVERLAP = timedelta(hours=24)
DEFAULT_SETTINGS: dict[str, Any] = {"currency": "KRW", "timezone": "Asia/Seoul", "language": "ko"}
PROFILE_FIELDS = ("description", "website", "business_info", "contact")


class ShopNotFound(NotFound):
    code = "shop_not_found"
    message = "No such shop"

    def __init__(self, shop_id: str) -> None:
        super().__init__(details={"shopId": shop_id, "field": "shopId"})


def _add_secret(db: Session, box: SecretBox, shop: Shop, now: datetime) -> str:
    secret = generate_secret()
    db.add(ShopWebhookSecret(shop_id=shop.id, encrypted_secret=box.encrypt(secret), created_at=now))
    return secret


def create_shop(
    db: Session, box: SecretBox, tenant: Tenant, request: CreateShopRequest, now: datetime
) -> Shop:
    body = request.model_dump(exclude_none=True)
    shop = Shop(
        id=new_id(IdPrefix.SHOP),
        account_id=tenant.account_id,
        mode=tenant.mode,
        name=request.name,
        status="active",
        is_default=False,
        profile={key: body[key] for key in PROFILE_FIELDS if key in body},
        settings={**DEFAULT_SETTINGS, **body.get("settings", {})},
        created_at=now,
        updated_at=now,
    )
    db.add(shop)
    db.flush()
    _add_secret(db, box, shop, now)
    return shop


def default_shop(db: Session, tenant: Tenant, now: datetime) -> Shop:
    """The tenant's default shop, made on first need (it signs sessions given no shopId);
    its secret is made when first needed (`signing_secrets`)."""
    query = select(Shop).where(
        Shop.account_id == tenant.account_id, Shop.mode == tenant.mode, Shop.is_default.is_(True)
    )
    return first_or_insert(
        db,
        query,
        lambda: Shop(
            id=new_id(IdPrefix.SHOP),
            account_id=tenant.account_id,
            mode=tenant.mode,
            name="Default shop",
            status="active",
            is_default=True,
            profile={},
            settings=dict(DEFAULT_SETTINGS),
            created_at=now,
            updated_at=now,
        ),
    )


def get_shop(db: Session, tenant: Tenant, shop_id: str) -> Shop:
    shop = db.get(Shop, shop_id)
    if shop is None or shop.account_id != tenant.account_id or shop.mode != tenant.mode:
        raise ShopNotFound(shop_id)
    return shop


def list_shops(db: Session, tenant: Tenant, now: datetime) -> list[Shop]:
    """Every shop of the tenant; the default one is provisioned on first look so its
    webhook secret can be read before the first session exists."""
    default_shop(db, tenant, now)
    query = select(Shop).where(Shop.account_id == tenant.account_id, Shop.mode == tenant.mode)
    return list(db.scalars(query.order_by(Shop.created_at)))


def update_shop(
    db: Session, tenant: Tenant, shop_id: str, request: UpdateShopRequest, now: datetime
) -> Shop:
    shop = get_shop(db, tenant, shop_id)
    body = request.model_dump(exclude_none=True)
    if "name" in body:
        shop.name = body["name"]
    profile = dict(shop.profile)
    for key in PROFILE_FIELDS:
        if key in body:
            value = body[key]
            profile[key] = {**profile.get(key, {}), **value} if isinstance(value, dict) else value
    shop.profile = profile
    if "settings" in body:
        shop.settings = {**shop.settings, **body["settings"]}
    shop.updated_at = now
    return shop


def _live_secret_rows(db: Session, shop_id: str, now: datetime) -> list[ShopWebhookSecret]:
    rows = db.scalars(
        select(ShopWebhookSecret)
        .where(
            ShopWebhookSecret.shop_id == shop_id,
            or_(ShopWebhookSecret.expires_at.is_(None), ShopWebhookSecret.expires_at > now),
        )
        .order_by(ShopWebhookSecret.created_at.desc(), ShopWebhookSecret.id.desc())
    )
    return list(rows)


def signing_secrets(db: Session, box: SecretBox, shop_id: str, now: datetime) -> list[str]:
    """Secrets that sign now: the current one first, then rotated ones still in overlap."""
    rows = _live_secret_rows(db, shop_id, now)
    if not rows:
        # First need of a default shop's secret: lock the shop so only one is made.
        shop = db.scalars(select(Shop).where(Shop.id == shop_id).with_for_update()).one()
        rows = _live_secret_rows(db, shop.id, now)
        if not rows:
            return [_add_secret(db, box, shop, now)]
    return [box.decrypt(row.encrypted_secret) for row in rows]


def rotate_secret(
    db: Session, box: SecretBox, tenant: Tenant, shop_id: str, now: datetime
) -> tuple[str, datetime]:
    """A new current secret; the previous ones keep signing for 24 h. Returns (new, until)."""
    shop = get_shop(db, tenant, shop_id)
    signing_secrets(db, box, shop.id, now)
    until = now + ROTATION_OVERLAP
    current = db.scalars(
        select(ShopWebhookSecret).where(
            ShopWebhookSecret.shop_id == shop.id,
            or_(ShopWebhookSecret.expires_at.is_(None), ShopWebhookSecret.expires_at > until),
        )
    )
    for row in current:
        row.expires_at = until
    return _add_secret(db, box, shop, now), until
