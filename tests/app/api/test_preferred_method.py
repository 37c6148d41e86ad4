"""create-session's optional paymentMethod: the method the shopper chose on the shop, kept as
preferredPaymentMethod (paymentMethod in responses stays the method actually paid with)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.api.responses import SessionResponse
from tests.app.checkout.checkout_helpers import pay
from tests.conftest import Merchant, session_body

CREATE = "/api/checkout/create-session"


def read(client: FlaskClient, merchant: Merchant, session_id: str) -> dict:
    response = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert response.status_code == 200
    data: dict = SessionResponse.model_validate(response.get_json()).data.model_dump()
    return data


@pytest.mark.parametrize(
    "method",
    ["card", "virtual_account", "transfer", "kakao_pay", "naver_pay", "toss_pay", "samsung_pay"],
)
def test_the_chosen_method_is_kept_and_returned(
    client: FlaskClient, merchant: Merchant, method: str
):
    created = client.post(
        CREATE, json=session_body(paymentMethod=method), headers=merchant.headers()
    )
    assert created.status_code == 201, created.get_json()

    data = read(client, merchant, created.get_json()["sessionId"])
    assert data["preferredPaymentMethod"] == method
    assert data["paymentMethod"] is None  # nothing paid yet


def test_without_a_choice_the_preference_is_null(client: FlaskClient, merchant: Merchant):
    created = client.post(CREATE, json=session_body(), headers=merchant.headers())
    assert read(client, merchant, created.get_json()["sessionId"])["preferredPaymentMethod"] is None


@pytest.mark.parametrize("value", ["bitcoin", "KAKAO_PAY", "", 3, ["card"]])
def test_an_unknown_method_is_a_400_naming_the_field(
    client: FlaskClient, merchant: Merchant, value: object
):
    response = client.post(
        CREATE, json=session_body(paymentMethod=value), headers=merchant.headers()
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["details"]["field"] == "paymentMethod", error


def test_paying_with_another_method_leaves_the_preference_alone(
    client: FlaskClient, merchant: Merchant
):
    created = client.post(
        CREATE, json=session_body(paymentMethod="kakao_pay"), headers=merchant.headers()
    )
    session_id = created.get_json()["sessionId"]

    approve = {"card_number": "4330-0000-0000-0001", "action": "approve"}
    pay(client, created.get_json()["checkoutUrl"], method="card", choices=approve)

    data = read(client, merchant, session_id)
    assert data["status"] == "completed"
    assert data["paymentMethod"] == "card"
    assert data["preferredPaymentMethod"] == "kakao_pay"


def test_openapi_documents_the_field(client: FlaskClient):
    spec = client.get("/openapi.json").get_json()
    request = spec["components"]["schemas"]["CreateSessionRequest"]["properties"]
    assert "paymentMethod" in request
    assert "preferredPaymentMethod" in spec["components"]["schemas"]["SessionData"]["properties"]
