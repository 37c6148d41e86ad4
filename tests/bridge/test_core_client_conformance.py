"""Both implementations of the bridge's core client give the same answers: the in-process
one and the HTTP one against a live server, on one database. Results, documented errors and
Idempotency-Key replays (across the two, since they share the API's idempotency store)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.models.base import utcnow
from app.payments import api_keys
from bridge.core_client import CoreApi, CoreApiError, CoreUnavailable, HttpCore
from bridge.embedded_core import EmbeddedCore
from tests.app.checkout.checkout_helpers import pay
from tests.bridge.support import APPROVE
from tests.conftest import TEST_REDIS_URL, Merchant, make_merchant, make_settings, session_body
from tests.servers import free_port, gunicorn_server

ADDRESS = {"postalCode": "06236", "roadAddress": "서울특별시 강남구 테헤란로 123"}


@dataclass(frozen=True)
class Cores:
    in_process: Callable[[str], CoreApi]
    http: Callable[[str], CoreApi]
    merchant: Merchant
    revoke: Callable[[], None]
    browser: FlaskClient

    def both(self, call: Callable[[CoreApi], Any], key: str | None = None) -> list[Any]:
        """The outcome of `call` through each implementation, in-process first."""
        secret = key or self.merchant.test_key
        return [outcome(call, self.in_process(secret)), outcome(call, self.http(secret))]


def outcome(call: Callable[[CoreApi], Any], core: CoreApi) -> Any:
    try:
        return ("ok", call(core))
    except CoreApiError as error:
        return ("error", error.status, error.code, error.message, error.details)
    except CoreUnavailable:
        return ("unavailable",)


@pytest.fixture
def cores(fresh_database_url: str, redis_namespace: str, tmp_path: Path) -> Iterator[Cores]:
    port = free_port()
    values = {
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "REDIS_NAMESPACE": f"{redis_namespace}:cc{secrets.token_hex(3)}",
    }
    settings = make_settings(fresh_database_url, values["REDIS_NAMESPACE"], tmp_path, **values)
    app = create_app(settings)
    embedded = app.extensions["bridge"].core
    assert isinstance(embedded, EmbeddedCore)
    database = app.extensions["kc.database"]
    merchant = make_merchant(database)
    env = {
        **values,
        "KC_ENV": "test",
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "VAR_DIR": str(tmp_path),
        "API_KEY_CACHE_SECONDS": "0",
    }

    def revoke() -> None:
        with database.transaction() as db:
            api_keys.revoke_key(db, merchant.test_key_id, utcnow())

    with gunicorn_server(env, workers=2, port=port) as url:
        yield Cores(embedded, HttpCore(url), merchant, revoke, app.test_client())
    database.dispose()


def own_key(core: CoreApi, prefix: str) -> str:
    """An Idempotency-Key of each implementation's own, so each answers afresh."""
    return f"{prefix}-{type(core).__name__}"


def same(pair: list[Any]) -> Any:
    first, second = pair
    assert first == second
    return first


def test_results_and_errors_are_the_same(cores: Cores) -> None:
    shops = same(cores.both(lambda core: core.list_shops()))
    assert shops[0] == "ok"
    shop_id = shops[1][0]["id"]
    shop_secret = cores.browser.get(
        f"/api/shops/{shop_id}/webhook-secret", headers=cores.merchant.headers()
    ).get_json()["data"]["secret"]
    url = "https://receiver.example.test/hooks"
    registered = same(cores.both(lambda core: core.endpoint_secret(url)))
    assert registered[1].startswith("whsec_")
    assert registered[1] != shop_secret

    created = cores.in_process(cores.merchant.test_key).create_session(session_body(), "k-1")
    session_id = created["sessionId"]
    same(cores.both(lambda core: core.set_address(session_id, ADDRESS)))
    session = same(cores.both(lambda core: core.get_session(session_id)))
    assert (session[1]["status"], session[1]["address"]["postalCode"]) == ("pending", "06236")

    errors = [
        lambda core: core.get_session("cs_missing"),
        lambda core: core.endpoint_secret("not a url"),
        lambda core: core.set_address(session_id, {"postalCode": "1"}),
        lambda core: core.set_address("cs_missing", ADDRESS),
    ]
    for call in errors:
        answer = same(cores.both(call))
        assert answer[0] == "error", answer
        assert 400 <= answer[1] < 500, answer
    refused = cores.both(lambda core: core.refund(session_id, {"amount": 1}, own_key(core, "r")))
    bad_body = cores.both(lambda core: core.create_session({"items": []}, own_key(core, "b")))
    for pair in (refused, bad_body):
        answer = same(pair)
        assert answer[0] == "error", answer

    unknown = same(cores.both(lambda core: core.check_key(), key="sk_test_" + "0" * 64))
    assert unknown[:3] == ("error", 401, "invalid_api_key")
    assert same(cores.both(lambda core: core.check_key())) == ("ok", None)
    cores.revoke()
    for call in (lambda core: core.check_key(), lambda core: core.get_session(session_id)):
        revoked = same(cores.both(call))
        assert revoked[:3] == ("error", 401, "invalid_api_key")


def test_an_idempotency_key_replays_across_both_and_conflicts_alike(cores: Cores) -> None:
    key = cores.merchant.test_key
    local, remote = cores.in_process(key), cores.http(key)
    body = session_body()
    first = local.create_session(body, "same-key")
    assert remote.create_session(body, "same-key") == first
    second = remote.create_session(body, "other-key")
    assert local.create_session(body, "other-key") == second
    assert second["sessionId"] != first["sessionId"]

    changed = {**body, "platformOrderId": "order_999"}
    conflict = same(cores.both(lambda core: core.create_session(changed, "same-key")))
    assert conflict[:3] == ("error", 409, "idempotency_key_reused")

    cancelled = remote.cancel_session(first["sessionId"], "cancel-1")
    assert cancelled["status"] == "cancelled"
    assert local.cancel_session(first["sessionId"], "cancel-1") == cancelled
    again = cores.both(lambda core: core.cancel_session(first["sessionId"], own_key(core, "c")))
    answer = same(again)
    assert answer[:2] == ("error", 409)
    # An error answer is stored with its key too, and replayed by either implementation.
    refused = [
        outcome(lambda core: core.refund(second["sessionId"], {}, "refund-1"), core)
        for core in (local, remote)
    ]
    assert same(refused)[:2] == ("error", 409)


def test_refunds_replay_across_both(cores: Cores) -> None:
    key = cores.merchant.test_key
    local, remote = cores.in_process(key), cores.http(key)
    session_id = local.create_session(session_body(), "paid-1")["sessionId"]
    pay(cores.browser, session_id, "card", choices=APPROVE)
    first = local.refund(session_id, {"amount": 1000, "reason": "고객 요청"}, "refund-a")
    assert first["status"] == "succeeded"
    assert remote.refund(session_id, {"amount": 1000, "reason": "고객 요청"}, "refund-a") == first
    second = remote.refund(session_id, {"amount": 2000}, "refund-b")
    assert local.refund(session_id, {"amount": 2000}, "refund-b") == second
    assert second["refundId"] != first["refundId"]
    session = same(cores.both(lambda core: core.get_session(session_id)))
    assert session[1]["refundedAmount"] == 3000
    too_much = cores.both(
        lambda core: core.refund(session_id, {"amount": 10**6}, own_key(core, "x"))
    )
    assert same(too_much)[0] == "error"
