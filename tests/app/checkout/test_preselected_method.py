"""The hosted page opens on the method the shopper chose on the shop: the plugin's ?method=
first, then the session's preferredPaymentMethod, else card; unknown values are ignored."""

from __future__ import annotations

import re

import pytest

from tests.app.checkout.checkout_helpers import open_page


def checked_methods(html: str) -> list[str]:
    radios = re.findall(r'<input type="radio" name="method" value="([a-z_]+)"\s*(checked)?', html)
    return [value for value, checked in radios if checked]


def page(client, session_id: str, query: str = "") -> str:
    response = open_page(client, session_id, query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_card_without_a_preference(client, create_session):
    assert checked_methods(page(client, create_session())) == ["card"]


@pytest.mark.parametrize("method", ["virtual_account", "kakao_pay", "samsung_pay"])
def test_the_sessions_preferred_method_is_checked(client, create_session, method):
    html = page(client, create_session(paymentMethod=method))
    assert checked_methods(html) == [method]


def test_the_query_parameter_wins_when_it_is_a_method(client, create_session):
    session_id = create_session(paymentMethod="kakao_pay")
    assert checked_methods(page(client, session_id, "&method=naver_pay")) == ["naver_pay"]


@pytest.mark.parametrize("query", ["&method=bitcoin", "&method=", "&method=%22%3E%3Cscript%3E"])
def test_an_unknown_query_method_falls_back_to_the_preference(client, create_session, query):
    session_id = create_session(paymentMethod="transfer")
    html = page(client, session_id, query)
    assert checked_methods(html) == ["transfer"]
    assert '"><script>' not in html
