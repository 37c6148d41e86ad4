"""Shops API (reference document "Shops API"), plus the webhook signing secret."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from app.api.auth import current_tenant
from app.api.body import json_body
from app.crypto import SecretBox
from app.models import Shop
from app.models.base import utcnow
from app.payments import shops as service
from app.payments.shop_inputs import CreateShopRequest, UpdateShopRequest
from app.payments.timefmt import isoformat_z
from app.payments.validation import parse
from app.web_db import db_session

bp = Blueprint("shops", __name__)
PAYMENT_METHODS = [
    "card",
    "virtual_account",
    "transfer",
    "kakao_pay",
    "naver_pay",
    "toss_pay",
    "samsung_pay",
]


def _box() -> SecretBox:
    box: SecretBox = current_app.extensions["kc.secret_box"]
    return box


def shop_dict(shop: Shop) -> dict[str, Any]:
    profile = shop.profile
    business = {**profile.get("business_info", {}), "verified": False}
    return {
        "id": shop.id,
        "name": shop.name,
        "status": shop.status,
        "mode": shop.mode,
        "is_default": shop.is_default,
        "description": profile.get("description"),
        "website": profile.get("website"),
        "business_info": business,
        "contact": profile.get("contact", {}),
        "settings": shop.settings,
        "payment_methods": PAYMENT_METHODS,
        "custom_domain": None,
        "created_at": isoformat_z(shop.created_at),
        "updated_at": isoformat_z(shop.updated_at),
    }


def _shop_response(shop: Shop, status: int = 200) -> Response:
    response = jsonify(shop_dict(shop))
    response.status_code = status
    return response


@bp.post("/shops")
def create_shop() -> Response:
    tenant = current_tenant()
    body = parse(CreateShopRequest, json_body(), {"mode": tenant.mode})
    return _shop_response(service.create_shop(db_session(), _box(), tenant, body, utcnow()), 201)


@bp.get("/shops")
def list_shops() -> Response:
    shops = service.list_shops(db_session(), current_tenant(), utcnow())
    return jsonify({"success": True, "data": [shop_dict(shop) for shop in shops]})


@bp.get("/shops/<shop_id>")
def get_shop(shop_id: str) -> Response:
    return _shop_response(service.get_shop(db_session(), current_tenant(), shop_id))


@bp.patch("/shops/<shop_id>")
def update_shop(shop_id: str) -> Response:
    tenant = current_tenant()
    body = parse(UpdateShopRequest, json_body(), {"mode": tenant.mode})
    return _shop_response(service.update_shop(db_session(), tenant, shop_id, body, utcnow()))


@bp.get("/shops/<shop_id>/webhook-secret")
def get_webhook_secret(shop_id: str) -> Response:
    shop = service.get_shop(db_session(), current_tenant(), shop_id)
    secrets_now = service.signing_secrets(db_session(), _box(), shop.id, utcnow())
    return jsonify(
        {
            "success": True,
            "data": {
                "shopId": shop.id,
                "secret": secrets_now[0],
                "activeSecrets": len(secrets_now),
            },
        }
    )


@bp.post("/shops/<shop_id>/webhook-secret/rotate")
def rotate_webhook_secret(shop_id: str) -> Response:
    json_body(required=False)
    secret, until = service.rotate_secret(db_session(), _box(), current_tenant(), shop_id, utcnow())
    return jsonify(
        {
            "success": True,
            "data": {
                "shopId": shop_id,
                "secret": secret,
                "previousSecretsExpireAt": isoformat_z(until),
            },
        }
    )
