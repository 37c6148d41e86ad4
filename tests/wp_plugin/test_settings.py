"""The settings page's buttons and guards, and the debug log's redaction, in the real store."""

from __future__ import annotations

import re

from tests.servers import wait_for
from tests.wp_plugin.rig import Admin, Service, Store, form_with_action
from tests.wp_plugin.test_classic_checkout import paid_order


def notice(response_text: str) -> str:
    found = re.search(r'class="notice notice-(\w+)', response_text)
    return found.group(1) if found else ""


def test_test_connection_reports_the_store(connected: Admin):
    answer = connected.submit("korea_checkout_test")
    assert "kc_notice=test_ok" in answer.url
    assert notice(answer.text) == "success"


def test_saving_the_mask_keeps_the_key_and_a_bad_key_is_refused(connected: Admin, service: Service):
    page = connected.settings_page()
    shown = re.search(r'id="korea-checkout-api-key" name="api_key" [^>]*value="([^"]*)"', page)
    assert shown is not None
    assert shown.group(1) != service.merchant.test_key
    kept = connected.submit(
        "korea_checkout_save",
        {
            "api_url": service.url,
            "api_key": shown.group(1),
            "methods[]": ["card", "virtual_account", "kakao_pay"],
        },
    )
    assert "kc_notice=saved" in kept.url
    assert "Connected (bst_" in connected.settings_page()
    refused = connected.submit(
        "korea_checkout_save",
        {"api_url": service.url, "api_key": "pk_wrong", "methods[]": ["card", "kakao_pay"]},
    )
    assert "kc_notice=bad_key" in refused.url
    assert "Sandbox (test payments)" in refused.text
    connected.submit(
        "korea_checkout_save",
        {"api_url": service.url, "methods[]": ["card", "virtual_account", "kakao_pay"]},
    )


def test_actions_need_the_nonce(connected: Admin, store: Store):
    form = form_with_action(connected.settings_page(), "korea_checkout_connect")
    forged = connected.http.post(
        f"{store.url}/wp-admin/admin-post.php",
        data={**form, "_wpnonce": "0000000000"},
        timeout=60,
    )
    assert forged.status_code == 403


def test_debug_log_redacts_keys_and_personal_data(connected: Admin, store: Store, service: Service):
    connected.submit(
        "korea_checkout_save",
        {
            "api_url": service.url,
            "methods[]": ["card", "virtual_account", "kakao_pay"],
            "debug": "1",
        },
    )
    try:
        paid_order(store, service)
    finally:
        connected.submit(
            "korea_checkout_save",
            {"api_url": service.url, "methods[]": ["card", "virtual_account", "kakao_pay"]},
        )
    logs = list((store.wp_dir / "wp-content" / "uploads" / "wc-logs").glob("korea-checkout-*"))
    assert logs
    text = "".join(path.read_text(encoding="utf-8") for path in logs)
    assert "bridge answer" in text
    assert service.merchant.test_key not in text
    assert "hong@example.com" not in text
    assert "010-1234-5678" not in text


def test_order_screen_shows_the_payment_and_the_timeline(
    connected: Admin, store: Store, service: Service
):
    order_id, session_id = paid_order(store, service)
    page = connected.http.get(
        f"{store.url}/wp-admin/admin.php?page=wc-orders&action=edit&id={order_id}", timeout=60
    ).text
    box = re.search(r'id="korea-checkout-payment".*?</ol>', page, flags=re.S)
    assert box is not None, page[:1000]
    assert session_id in box.group(0)
    assert store.order(order_id)["transaction_id"] in box.group(0)
    assert "korea-checkout-timeline" in box.group(0)


def test_the_page_shows_the_last_status_update_from_the_bridge(
    connected: Admin, store: Store, service: Service
):
    order_id, _session_id = paid_order(store, service)

    def shown() -> bool:
        found = re.search(r'id="korea-checkout-last-update">([^<]*)<', connected.settings_page())
        return found is not None and found.group(1).startswith(f"Order #{order_id} at ")

    wait_for(shown, 60, "the bridge's update on the settings page")
