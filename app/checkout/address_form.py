"""The shipping address fields of the hosted page: what they show, and what a submitted
form changes.

The page shows three fields (postal code, one address line, detail line) of an address that
may hold more (the bridge sets ``address`` with the city and ``roadAddress`` without it; Daum
Postcode adds ``jibunAddress``). Paying with the fields as shown keeps every stored field; a
new detail line changes only that; a new address replaces the address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.payments.errors import InvalidRequest
from app.payments.inputs import AddressUpdate
from app.payments.validation import parse

SHOWN_FIELDS = ("postalCode", "address", "detailAddress")
#: Filled by the page's script from Daum Postcode's answer (never typed).
SEARCH_FIELDS = ("roadAddress", "jibunAddress")


def shown(stored: Mapping[str, Any] | None) -> dict[str, str]:
    address = stored or {}
    return {
        "postalCode": address.get("postalCode") or "",
        "address": address.get("roadAddress") or address.get("address") or "",
        "detailAddress": address.get("detailAddress") or "",
    }


def _parse(body: dict[str, Any]) -> AddressUpdate:
    try:
        return parse(AddressUpdate, body)
    except InvalidRequest as exc:
        raise InvalidRequest(code="invalid_address", details=exc.details) from exc


def submitted(form: Mapping[str, str], stored: Mapping[str, Any] | None) -> AddressUpdate | None:
    """The address change the form asks for, or None when it changes nothing."""
    values = {key: form.get(key, "").strip() for key in (*SHOWN_FIELDS, *SEARCH_FIELDS)}
    before = shown(stored)
    searched = any(values[key] for key in SEARCH_FIELDS)
    same_place = all(values[key] == before[key] for key in ("postalCode", "address"))
    if stored and same_place and not searched:
        if values["detailAddress"] == before["detailAddress"]:
            return None
        kept = {key: value for key, value in stored.items() if value}
        kept.pop("detailAddress", None)
        if values["detailAddress"]:
            kept["detailAddress"] = values["detailAddress"]
        return _parse(kept)
    if not any(values.values()):
        return None
    return _parse({key: value for key, value in values.items() if value})
