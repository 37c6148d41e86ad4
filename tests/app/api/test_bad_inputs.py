"""A table of bad inputs: each gets its documented 4xx and error shape, never a 500,
and a refused create leaves no session behind."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.api.responses import ErrorResponse
from app.db import Database
from app.models import CheckoutSession
from tests.conftest import Merchant, session_body

Mutation = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutation
    code: str
    field: str
    status: int = 400


def setter(path: str, value: Any) -> Mutation:
    def _apply(body: dict[str, Any]) -> None:
        target: Any = body
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is DELETE:
            del target[last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return _apply


DELETE = object()
ITEM = {"name": "x", "price": 1000, "quantity": 1}

CREATE_CASES = [
    Case("float price", setter("items.0.price", 29000.0), "invalid_type", "items[0].price"),
    Case("fractional price", setter("items.0.price", 29000.5), "invalid_type", "items[0].price"),
    Case("string price", setter("items.0.price", "29000"), "invalid_type", "items[0].price"),
    Case("bool price", setter("items.0.price", True), "invalid_type", "items[0].price"),
    Case("negative price", setter("items.0.price", -1), "out_of_range", "items[0].price"),
    Case("overflow price", setter("items.0.price", 10**30), "out_of_range", "items[0].price"),
    Case("zero quantity", setter("items.0.quantity", 0), "out_of_range", "items[0].quantity"),
    Case("huge quantity", setter("items.0.quantity", 10000), "out_of_range", "items[0].quantity"),
    Case("float quantity", setter("items.0.quantity", 1.5), "invalid_type", "items[0].quantity"),
    Case("empty items", setter("items", []), "invalid_length", "items"),
    Case("too many items", setter("items", [ITEM] * 101), "invalid_length", "items"),
    Case("items not a list", setter("items", {"name": "x"}), "invalid_type", "items"),
    Case("missing items", setter("items", DELETE), "missing_field", "items"),
    Case("empty item name", setter("items.0.name", ""), "invalid_length", "items[0].name"),
    Case("long item name", setter("items.0.name", "가" * 201), "invalid_length", "items[0].name"),
    Case(
        "control chars",
        setter("items.0.name", "bad\x00name"),
        "invalid_characters",
        "items[0].name",
    ),
    Case("missing price", setter("items.0.price", DELETE), "missing_field", "items[0].price"),
    Case("total mismatch", setter("totalAmount", 28000), "amount_mismatch", "totalAmount"),
    Case("float total", setter("totalAmount", 29000.0), "invalid_type", "totalAmount"),
    Case("missing total", setter("totalAmount", DELETE), "missing_field", "totalAmount"),
    Case("zero total", setter("totalAmount", 0), "out_of_range", "totalAmount"),
    Case("string total", setter("totalAmount", "29,000원"), "invalid_type", "totalAmount"),
    Case("negative shipping", setter("shippingAmount", -100), "out_of_range", "shippingAmount"),
    Case("USD", setter("currency", "USD"), "unsupported_currency", "currency"),
    Case("currency number", setter("currency", 410), "invalid_type", "currency"),
    Case("relative return url", setter("returnUrl", "/success"), "invalid_url", "returnUrl"),
    Case(
        "ftp cancel url", setter("cancelUrl", "ftp://yourstore.com/x"), "invalid_url", "cancelUrl"
    ),
    Case("javascript url", setter("returnUrl", "javascript:alert(1)"), "invalid_url", "returnUrl"),
    Case("space in url", setter("returnUrl", "https://your store.com"), "invalid_url", "returnUrl"),
    Case(
        "huge url", setter("returnUrl", "https://a.com/" + "a" * 3000), "invalid_url", "returnUrl"
    ),
    Case("bad webhook url", setter("webhookUrl", "not a url"), "invalid_url", "webhookUrl"),
    Case("missing return url", setter("returnUrl", DELETE), "missing_field", "returnUrl"),
    Case("bad email", setter("customer.email", "not-an-email"), "invalid_email", "customer.email"),
    Case("missing email", setter("customer.email", DELETE), "missing_field", "customer.email"),
    Case("bad phone", setter("customer.phone", "12345"), "invalid_phone", "customer.phone"),
    Case(
        "letters phone",
        setter("customer.phone", "010-abcd-efgh"),
        "invalid_phone",
        "customer.phone",
    ),
    Case("missing customer", setter("customer", DELETE), "missing_field", "customer"),
    Case("customer string", setter("customer", "홍길동"), "invalid_type", "customer"),
    Case(
        "too many metadata keys",
        setter("metadata", {f"k{i}": "v" for i in range(51)}),
        "invalid_metadata",
        "metadata",
    ),
    Case(
        "long metadata value", setter("metadata", {"k": "v" * 501}), "invalid_metadata", "metadata"
    ),
    Case("metadata number", setter("metadata", {"k": 1}), "invalid_metadata", "metadata"),
    Case("expiry too long", setter("expiresIn", 8 * 24 * 3600), "out_of_range", "expiresIn"),
    Case(
        "expiry in the past",
        setter("expiresAt", "2020-01-01T00:00:00Z"),
        "invalid_expiry",
        "expiresAt",
    ),
    Case(
        "naive expiry", setter("expiresAt", "2030-01-01T00:00:00"), "invalid_datetime", "expiresAt"
    ),
    Case("unknown field", setter("totalAmmount", 29000), "unknown_field", "totalAmmount"),
    Case("bad platform", setter("platform", "Woo Commerce!"), "invalid_format", "platform"),
    Case(
        "long order id", setter("platformOrderId", "x" * 201), "invalid_length", "platformOrderId"
    ),
]


def session_count(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(CheckoutSession)) or 0


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = ErrorResponse.model_validate(response.get_json())
    assert body.error.code == code, body
    if field is not None:
        assert body.error.details["field"] == field, body


@pytest.mark.parametrize("case", CREATE_CASES, ids=lambda case: case.name)
def test_bad_create_session_body(
    client: FlaskClient, merchant: Merchant, database: Database, case: Case
):
    body = copy.deepcopy(session_body())
    case.mutate(body)
    before = session_count(database)
    response = client.post("/api/checkout/create-session", json=body, headers=merchant.headers())
    assert_error(response, case.status, case.code, case.field)
    assert session_count(database) == before


def test_live_key_requires_https_urls(client: FlaskClient, merchant: Merchant):
    body = session_body(returnUrl="http://yourstore.com/success")
    response = client.post(
        "/api/checkout/create-session", json=body, headers=merchant.headers("live")
    )
    assert_error(response, 400, "insecure_url", "returnUrl")
    sandbox = client.post("/api/checkout/create-session", json=body, headers=merchant.headers())
    assert sandbox.status_code == 201


RAW_BODY_CASES = [
    ("malformed json", b'{"items": [', "application/json", 400, "invalid_json"),
    (
        "not json content type",
        b"platform=custom",
        "application/x-www-form-urlencoded",
        400,
        "invalid_content_type",
    ),
    ("json array body", b"[1, 2, 3]", "application/json", 400, "invalid_request"),
    ("json string body", b'"hello"', "application/json", 400, "invalid_request"),
    ("empty body", b"", "application/json", 400, "invalid_json"),
    ("deep nesting", b"[" * 100000 + b"]" * 100000, "application/json", 400, "invalid_json"),
    (
        "deep object nesting",
        b'{"a":' * 100000 + b"1" + b"}" * 100000,
        "application/json",
        400,
        "invalid_json",
    ),
    ("unclosed nesting", b"[" * 100000, "application/json", 400, "invalid_json"),
    (
        "nesting past the limit",
        b'{"metadata": ' + b"[" * 65 + b"]" * 65 + b"}",
        "application/json",
        400,
        "invalid_json",
    ),
    (
        "huge integer",
        b'{"totalAmount": ' + b"9" * 5000 + b"}",
        "application/json",
        400,
        "invalid_json",
    ),
    ("invalid utf-8", b'{"platform": "\xff\xfe"}', "application/json", 400, "invalid_json"),
    (
        "over 1 MiB",
        b'{"x": "' + b"a" * (1024 * 1024) + b'"}',
        "application/json",
        413,
        "request_too_large",
    ),
]


@pytest.mark.parametrize(
    ("name", "raw", "content_type", "status", "code"),
    RAW_BODY_CASES,
    ids=[case[0] for case in RAW_BODY_CASES],
)
def test_bad_raw_bodies(
    client: FlaskClient,
    merchant: Merchant,
    name: str,
    raw: bytes,
    content_type: str,
    status: int,
    code: str,
):
    response = client.post(
        "/api/checkout/create-session",
        data=raw,
        headers={**merchant.headers(), "Content-Type": content_type},
    )
    assert_error(response, status, code)


def test_missing_key_is_401(client: FlaskClient):
    response = client.post("/api/checkout/create-session", json=session_body())
    assert_error(response, 401, "invalid_api_key", "x-api-key")


@pytest.mark.parametrize(
    "key",
    [
        "sk_live_your_key_here",
        "sk_test_" + "0" * 64,
        "sk_test_" + "A" * 64,
        "pk_test_" + "a" * 64,
        "sk_test_" + "a" * 63,
        "키" * 10,
    ],
)
def test_malformed_or_unknown_keys_are_401(client: FlaskClient, key: str):
    response = client.get("/api/checkout/sessions", headers={"x-api-key": key})
    assert_error(response, 401, "invalid_api_key")


def test_revoked_key_is_401(
    client: FlaskClient, merchant: Merchant, database: Database, create_session
):
    from app.models.base import utcnow
    from app.payments.api_keys import revoke_key

    session_id = create_session()
    with database.transaction() as session:
        revoke_key(session, merchant.test_key_id, utcnow())
    response = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert_error(response, 401, "invalid_api_key")


def test_test_key_cannot_see_or_change_live_sessions(
    client: FlaskClient, merchant: Merchant, create_session
):
    live_id = create_session("live")
    for method, path in [
        ("get", f"/api/checkout/session/{live_id}"),
        ("patch", f"/api/checkout/session/{live_id}"),
        ("post", f"/api/checkout/session/{live_id}/cancel"),
    ]:
        response = getattr(client, method)(path, json={}, headers=merchant.headers("test"))
        assert_error(response, 404, "invalid_session", "sessionId")
    listed = client.get("/api/checkout/sessions", headers=merchant.headers("test")).get_json()
    assert live_id not in [s["sessionId"] for s in listed["data"]]


def test_other_account_gets_404_not_403(
    client: FlaskClient, merchant: Merchant, other_merchant: Merchant, create_session
):
    session_id = create_session()
    for method in ("get", "patch"):
        response = getattr(client, method)(
            f"/api/checkout/session/{session_id}", json={}, headers=other_merchant.headers()
        )
        assert_error(response, 404, "invalid_session")
    cancel = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=other_merchant.headers()
    )
    assert_error(cancel, 404, "invalid_session")
    still = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert still.get_json()["data"]["status"] == "pending"


def test_unknown_session_uses_documented_error(client: FlaskClient, merchant: Merchant):
    response = client.get("/api/checkout/session/cs_invalid123", headers=merchant.headers())
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "code": "invalid_session",
            "message": "The specified session ID is invalid or has expired",
            "details": {"sessionId": "cs_invalid123", "field": "sessionId"},
        }
    }


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"postalCode": "1234", "address": "서울"}, "invalid_postal_code", "postalCode"),
        ({"postalCode": "123456", "address": "서울"}, "invalid_postal_code", "postalCode"),
        ({"postalCode": "06236"}, "missing_field", "address"),
        ({"address": "서울"}, "missing_field", "postalCode"),
        ({"postalCode": 6236, "address": "서울"}, "invalid_type", "postalCode"),
    ],
)
def test_bad_addresses(
    client: FlaskClient, create_session, body: dict[str, Any], code: str, field: str
):
    session_id = create_session()
    response = client.patch(f"/api/checkout/session/{session_id}/address", json=body)
    assert_error(response, 400, code, field)


def test_address_for_unknown_session_is_404(client: FlaskClient):
    response = client.patch(
        "/api/checkout/session/cs_nope/address", json={"postalCode": "06236", "address": "서울"}
    )
    assert_error(response, 404, "invalid_session")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "²"}, "limit"),  # str.isdigit() but not int()
        ({"limit": "101"}, "limit"),
        ({"status": "paid"}, "status"),
        ({"cursor": "!!!not-a-cursor"}, "cursor"),
        # Nested past the parser's recursion limit: a 400 like any other bad cursor.
        ({"cursor": base64.urlsafe_b64encode(b"[" * 3000).decode()}, "cursor"),
    ],
)
def test_bad_list_queries(
    client: FlaskClient, merchant: Merchant, query: dict[str, str], field: str
):
    response = client.get("/api/checkout/sessions", query_string=query, headers=merchant.headers())
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["field"] == field


def test_bad_update_bodies(client: FlaskClient, merchant: Merchant, create_session):
    session_id = create_session()
    for body, code in [
        ({"customer": {"email": "nope"}}, "invalid_email"),
        ({"status": "completed"}, "unknown_field"),
        ({"totalAmount": 1}, "unknown_field"),
        ({"metadata": {"k": "v" * 600}}, "invalid_metadata"),
    ]:
        response = client.patch(
            f"/api/checkout/session/{session_id}", json=body, headers=merchant.headers()
        )
        assert_error(response, 400, code)
