"""The Sessions API as the reference document shows it, sent as written (keys replaced)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.api.responses import CreateSessionResponse, SessionListResponse, SessionResponse
from app.db import Database
from app.models import Event, EventDelivery
from tests.app.checkout.checkout_helpers import open_window
from tests.conftest import Merchant, session_body

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_create_session_example_returns_documented_shape(client: FlaskClient, merchant: Merchant):
    response = client.post(
        "/api/checkout/create-session", json=session_body(), headers=merchant.headers()
    )
    assert response.status_code == 201
    body = CreateSessionResponse.model_validate(response.get_json())
    assert body.success is True
    assert re.fullmatch(r"cs_[0-9a-f]{32}", body.sessionId)
    # The documented shape plus the shopper's capability (see test_checkout_url_...).
    page, capability = body.checkoutUrl.split("?t=")
    assert page == f"https://checkout.example.test/checkout/{body.sessionId}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", capability)
    expires = datetime.strptime(body.expiresAt, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=24)


def test_headless_example_with_product_id_and_webhook(client: FlaskClient, merchant: Merchant):
    body = session_body(platform="headless", webhookUrl="https://yourstore.com/webhooks/checkout")
    body["items"] = [
        {"name": "Sample Product", "price": 29000, "quantity": 1, "productId": "prod_123"}
    ]
    del body["metadata"]
    response = client.post("/api/checkout/create-session", json=body, headers=merchant.headers())
    assert response.status_code == 201, response.get_json()


def test_get_session_matches_documented_fields(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    response = client.get(
        f"/api/checkout/session/{session_id}",
        headers={**merchant.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    body = SessionResponse.model_validate(response.get_json())
    data = body.data
    assert body.success is True
    assert data.sessionId == session_id
    assert data.status == "pending"
    assert data.platformOrderId == "order_123"
    assert data.totalAmount == 29000
    assert data.currency == "KRW"
    assert data.customer.name == "홍길동"
    assert data.customer.email == "customer@example.com"
    assert data.customer.phone == "+82-10-1234-5678"
    assert ISO_Z.fullmatch(data.createdAt)
    assert ISO_Z.fullmatch(data.expiresAt)
    assert data.completedAt is None
    assert data.metadata == {"internal_order_id": "12345"}


def test_update_session_example_merges_customer_and_metadata(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    response = client.patch(
        f"/api/checkout/session/{session_id}",
        json={
            "customer": {"name": "김철수", "email": "updated@example.com"},
            "metadata": {"updated_reason": "customer_info_change"},
        },
        headers=merchant.headers(),
    )
    assert response.status_code == 200, response.get_json()
    data = SessionResponse.model_validate(response.get_json()).data
    assert data.customer.name == "김철수"
    assert data.customer.email == "updated@example.com"
    assert data.customer.phone == "+82-10-1234-5678"
    assert data.metadata == {"internal_order_id": "12345", "updated_reason": "customer_info_change"}


def test_metadata_key_removed_with_empty_string(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    response = client.patch(
        f"/api/checkout/session/{session_id}",
        json={"metadata": {"internal_order_id": ""}},
        headers=merchant.headers(),
    )
    assert response.get_json()["data"]["metadata"] == {}


def test_address_example_needs_no_api_key(client: FlaskClient, create_session):
    session_id = create_session()
    response = client.patch(
        f"/api/checkout/session/{session_id}/address",
        json={
            "address": "서울 강남구 테헤란로 123",
            "postalCode": "06236",
            "roadAddress": "서울 강남구 테헤란로 123",
        },
    )
    assert response.status_code == 200, response.get_json()
    address = response.get_json()["data"]["address"]
    assert address["postalCode"] == "06236"
    assert address["roadAddress"] == "서울 강남구 테헤란로 123"


def test_address_keeps_lot_number_and_detail(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    client.patch(
        f"/api/checkout/session/{session_id}/address",
        json={
            "postalCode": "06236",
            "roadAddress": "서울 강남구 테헤란로 123",
            "jibunAddress": "서울 강남구 역삼동 737",
            "detailAddress": "101동 202호",
        },
    )
    data = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers()).get_json()
    assert data["data"]["address"] == {
        "postalCode": "06236",
        "address": "서울 강남구 테헤란로 123",
        "roadAddress": "서울 강남구 테헤란로 123",
        "jibunAddress": "서울 강남구 역삼동 737",
        "detailAddress": "101동 202호",
    }


def test_cancel_then_cancel_again_is_invalid_state(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    first = client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    assert first.status_code == 200
    assert first.get_json()["data"]["status"] == "cancelled"
    assert first.get_json()["data"]["cancelledAt"] is not None
    second = client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "invalid_state"


def test_update_after_cancel_is_invalid_state(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    response = client.patch(
        f"/api/checkout/session/{session_id}",
        json={"metadata": {"a": "b"}},
        headers=merchant.headers(),
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["details"]["status"] == "cancelled"
    address = client.patch(
        f"/api/checkout/session/{session_id}/address",
        json={"postalCode": "06236", "address": "서울"},
    )
    assert address.status_code == 409


def test_list_sessions_paginates_with_cursor_and_filters(
    client: FlaskClient, merchant: Merchant, create_session
):
    ids = [create_session(platformOrderId=f"order_{n}") for n in range(5)]
    client.post(f"/api/checkout/session/{ids[0]}/cancel", headers=merchant.headers())
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        response = client.get(
            "/api/checkout/sessions", query_string=query, headers=merchant.headers()
        )
        page = SessionListResponse.model_validate(response.get_json())
        seen += [s.sessionId for s in page.data]
        assert len(page.data) <= 2
        if not page.hasMore:
            break
        cursor = page.nextCursor
    assert seen == list(reversed(ids))
    cancelled = client.get(
        "/api/checkout/sessions", query_string={"status": "cancelled"}, headers=merchant.headers()
    ).get_json()
    assert [s["sessionId"] for s in cancelled["data"]] == [ids[0]]
    by_order = client.get(
        "/api/checkout/sessions",
        query_string={"platformOrderId": "order_3"},
        headers=merchant.headers(),
    ).get_json()
    assert [s["sessionId"] for s in by_order["data"]] == [ids[3]]


def test_shipping_and_discount_are_part_of_the_total(client: FlaskClient, merchant: Merchant):
    body = session_body(shippingAmount=3000, discountAmount=2000, totalAmount=30000)
    response = client.post("/api/checkout/create-session", json=body, headers=merchant.headers())
    assert response.status_code == 201, response.get_json()


def test_phone_forms_are_normalised(client: FlaskClient, merchant: Merchant, create_session):
    for given in ("010-1234-5678", "01012345678", "+82 10 1234 5678", "+821012345678"):
        session_id = create_session(
            customer={"name": "홍길동", "email": "a@example.com", "phone": given}
        )
        data = client.get(
            f"/api/checkout/session/{session_id}", headers=merchant.headers()
        ).get_json()["data"]
        assert data["customer"]["phone"] == "+82-10-1234-5678", given


def test_custom_expiry_up_to_seven_days(client: FlaskClient, merchant: Merchant):
    response = client.post(
        "/api/checkout/create-session",
        json=session_body(expiresIn=7 * 24 * 3600),
        headers=merchant.headers(),
    )
    assert response.status_code == 201
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    response = client.post(
        "/api/checkout/create-session",
        json=session_body(expiresAt=later),
        headers=merchant.headers(),
    )
    assert response.status_code == 201
    expires = datetime.strptime(response.get_json()["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(expires.replace(tzinfo=UTC) - datetime.fromisoformat(later)) < timedelta(seconds=1)


def test_address_endpoint_allows_cross_origin_calls(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    path = f"/api/checkout/session/{session_id}/address"
    preflight = client.options(
        path,
        headers={
            "Origin": "https://yourstore.com",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    patched = client.patch(
        path,
        json={"postalCode": "06236", "address": "서울"},
        headers={"Origin": "https://yourstore.com"},
    )
    assert patched.headers["Access-Control-Allow-Origin"] == "*"
    merchant_only = client.get(
        f"/api/checkout/session/{session_id}",
        headers={**merchant.headers(), "Origin": "https://evil.example"},
    )
    assert "Access-Control-Allow-Origin" not in merchant_only.headers


def test_checkout_url_carries_a_capability_of_its_own_session(
    client: FlaskClient, merchant: Merchant
):
    """The id alone opens nothing on the hosted page, so the link the merchant hands the
    shopper adds an unguessable capability; reading the session again gives the same link."""
    urls = []
    for _ in range(2):
        created = client.post(
            "/api/checkout/create-session", json=session_body(), headers=merchant.headers()
        ).get_json()
        read = client.get(
            f"/api/checkout/session/{created['sessionId']}", headers=merchant.headers()
        )
        assert read.get_json()["data"]["checkoutUrl"] == created["checkoutUrl"]
        urls.append(created["checkoutUrl"])
    assert urls[0].split("?t=")[1] != urls[1].split("?t=")[1]


def _address_events(database: Database, session_id: str) -> list[dict]:
    with database.transaction() as db:
        query = (
            select(Event)
            .where(Event.session_id == session_id, Event.type == "session.address_updated")
            .order_by(Event.created_at)
        )
        return [event.data for event in db.scalars(query)]


def test_every_address_change_is_an_event_not_a_webhook(
    client: FlaskClient, create_session, database: Database
):
    session_id = create_session(webhookUrl="https://yourstore.com/webhooks/checkout")
    path = f"/api/checkout/session/{session_id}/address"
    first = {"postalCode": "06236", "address": "서울 강남구 테헤란로 123"}
    second = {**first, "detailAddress": "4층"}
    for body in (first, first, second):
        assert client.patch(path, json=body).status_code == 200
    events = _address_events(database, session_id)
    assert [event["address"]["detailAddress"] for event in events] == [None, "4층"]
    assert events[0]["previousAddress"] is None
    assert events[1]["previousAddress"] == events[0]["address"]
    with database.transaction() as db:
        deliveries = (
            select(func.count())
            .select_from(EventDelivery)
            .join(Event, Event.id == EventDelivery.event_id)
            .where(Event.session_id == session_id)
        )
        assert db.scalar(deliveries) == 0


def test_address_freezes_once_payment_starts(
    client: FlaskClient, merchant: Merchant, create_session, database: Database
):
    session_id = create_session()
    open_window(client, session_id, "card")
    status = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert status.get_json()["data"]["status"] == "processing"
    response = client.patch(
        f"/api/checkout/session/{session_id}/address",
        json={"postalCode": "06236", "address": "서울 강남구 테헤란로 123"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    assert response.get_json()["error"]["details"]["status"] == "processing"
    assert _address_events(database, session_id) == []


def test_the_merchant_may_still_cancel_a_processing_session(
    client: FlaskClient, merchant: Merchant, create_session
):
    session_id = create_session()
    open_window(client, session_id, "card")
    response = client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    assert response.status_code == 200
    assert response.get_json()["data"]["status"] == "cancelled"
