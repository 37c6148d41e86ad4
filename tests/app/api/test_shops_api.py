"""Shops API as the reference document shows it, plus the webhook secret."""

from __future__ import annotations

import base64

from flask.testing import FlaskClient

from tests.conftest import Merchant

SHOP = {
    "name": "My Korean Store",
    "description": "Premium Korean products",
    "website": "https://mystore.com",
    "business_info": {
        "business_number": "123-45-67890",
        "business_name": "My Store Co., Ltd.",
        "ceo_name": "김철수",
        "address": "Seoul, Gangnam-gu, Teheran-ro 123",
    },
    "contact": {"email": "contact@mystore.com", "phone": "+82-2-1234-5678"},
    "settings": {"currency": "KRW", "timezone": "Asia/Seoul", "language": "ko"},
}


def test_create_get_update_shop_as_documented(client: FlaskClient, merchant: Merchant):
    created = client.post("/api/shops", json=SHOP, headers=merchant.headers())
    assert created.status_code == 201
    shop = created.get_json()
    assert shop["id"].startswith("shop_")
    got = client.get(f"/api/shops/{shop['id']}", headers=merchant.headers()).get_json()
    assert got["name"] == "My Korean Store"
    assert got["status"] == "active"
    assert got["business_info"]["business_number"] == "123-45-67890"
    assert got["business_info"]["verified"] is False
    assert "kakao_pay" in got["payment_methods"]
    assert got["created_at"].endswith("Z")
    patch = client.patch(
        f"/api/shops/{shop['id']}",
        json={
            "settings": {
                "webhook_url": "https://mystore.com/webhooks",
                "notification_email": "admin@mystore.com",
                "auto_refund_enabled": True,
                "payment_timeout": 1800,
            }
        },
        headers=merchant.headers(),
    )
    assert patch.status_code == 200
    settings = patch.get_json()["settings"]
    assert settings["webhook_url"] == "https://mystore.com/webhooks"
    assert settings["payment_timeout"] == 1800
    assert settings["timezone"] == "Asia/Seoul"


def test_shop_validation_and_isolation(
    client: FlaskClient, merchant: Merchant, other_merchant: Merchant
):
    bad = client.post(
        "/api/shops",
        json={**SHOP, "business_info": {"business_number": "12345"}},
        headers=merchant.headers(),
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["details"]["field"] == "business_info.business_number"
    insecure = client.post(
        "/api/shops",
        json={"name": "x", "settings": {"webhook_url": "http://mystore.com/hook"}},
        headers=merchant.headers("live"),
    )
    assert insecure.get_json()["error"]["code"] == "insecure_url"
    shop = client.post("/api/shops", json=SHOP, headers=merchant.headers()).get_json()
    for headers in (other_merchant.headers(), merchant.headers("live")):
        assert client.get(f"/api/shops/{shop['id']}", headers=headers).status_code == 404
        assert (
            client.get(f"/api/shops/{shop['id']}/webhook-secret", headers=headers).status_code
            == 404
        )
    wrong_shop = client.post(
        "/api/checkout/create-session",
        headers=other_merchant.headers(),
        json={
            "shopId": shop["id"],
            "items": [{"name": "x", "price": 1000, "quantity": 1}],
            "customer": {"name": "a", "email": "a@example.com"},
            "totalAmount": 1000,
            "returnUrl": "https://a.com/r",
            "cancelUrl": "https://a.com/c",
        },
    )
    assert wrong_shop.status_code == 404


def test_webhook_secret_format_and_rotation(client: FlaskClient, merchant: Merchant):
    shop = client.post("/api/shops", json=SHOP, headers=merchant.headers()).get_json()
    first = client.get(
        f"/api/shops/{shop['id']}/webhook-secret", headers=merchant.headers()
    ).get_json()["data"]
    assert first["secret"].startswith("whsec_")
    assert len(base64.b64decode(first["secret"].removeprefix("whsec_"))) == 32
    assert first["activeSecrets"] == 1
    rotated = client.post(
        f"/api/shops/{shop['id']}/webhook-secret/rotate", headers=merchant.headers()
    ).get_json()["data"]
    assert rotated["secret"] != first["secret"]
    assert rotated["previousSecretsExpireAt"].endswith("Z")
    after = client.get(
        f"/api/shops/{shop['id']}/webhook-secret", headers=merchant.headers()
    ).get_json()["data"]
    assert after["secret"] == rotated["secret"]
    assert after["activeSecrets"] == 2


def test_default_shop_is_provisioned_and_used(
    client: FlaskClient, merchant: Merchant, create_session
):
    shops = client.get("/api/shops", headers=merchant.headers()).get_json()["data"]
    assert [s["is_default"] for s in shops] == [True]
    session_id = create_session()
    data = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers()).get_json()[
        "data"
    ]
    assert data["shopId"] == shops[0]["id"]
    again = client.get("/api/shops", headers=merchant.headers()).get_json()["data"]
    assert len(again) == 1


def test_stored_secret_is_encrypted(client: FlaskClient, merchant: Merchant, database):
    from sqlalchemy import select

    from app.models import ShopWebhookSecret

    shop = client.post("/api/shops", json=SHOP, headers=merchant.headers()).get_json()
    secret = client.get(
        f"/api/shops/{shop['id']}/webhook-secret", headers=merchant.headers()
    ).get_json()["data"]["secret"]
    with database.transaction() as db:
        stored = db.scalars(
            select(ShopWebhookSecret.encrypted_secret).where(
                ShopWebhookSecret.shop_id == shop["id"]
            )
        ).one()
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored


def test_racing_first_events_make_one_default_shop_and_one_endpoint(database, merchant):
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from app.models import Shop, WebhookEndpoint
    from app.models.base import utcnow
    from app.payments import sessions
    from app.payments.inputs import CreateSessionRequest
    from app.payments.tenancy import Mode, Tenant
    from tests.conftest import session_body

    tenant = Tenant(merchant.account_id, Mode.TEST)
    request = CreateSessionRequest.model_validate(
        session_body(webhookUrl="https://merchant.example/race")
    )

    def create_and_cancel(_: int) -> None:
        with database.transaction() as db:
            session_id = sessions.create_session(db, tenant, request, utcnow()).id
        with database.transaction() as db:
            sessions.cancel_session(db, tenant, session_id, utcnow())

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create_and_cancel, range(16)))
    with database.transaction() as db:
        shops = db.scalar(
            select(func.count())
            .select_from(Shop)
            .where(Shop.account_id == merchant.account_id, Shop.mode == "test")
        )
        endpoints = db.scalar(
            select(func.count())
            .select_from(WebhookEndpoint)
            .where(WebhookEndpoint.account_id == merchant.account_id)
        )
    assert shops == 1
    assert endpoints == 1
