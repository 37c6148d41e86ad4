"""Field rules shared by the request models; each failure carries a public error code."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
# phonenumbers reads letters as keypad digits (vanity numbers); customers' phones have none.
_PHONE_CHARS = re.compile(r"^\+?[0-9 ().-]{7,30}$")
MAX_URL_LENGTH = 2048


def no_control_chars(value: str) -> str:
    if _CONTROL_CHARS.search(value):
        raise PydanticCustomError("invalid_characters", "Control characters are not allowed")
    return value


def korean_phone(value: str) -> str:
    """Normalise the usual Korean forms (010-1234-5678, 01012345678, +82 10 ...) to +82-10-…"""
    if not _PHONE_CHARS.fullmatch(value):
        raise PydanticCustomError("invalid_phone", "Not a valid phone number")
    try:
        number = phonenumbers.parse(value, "KR")
    except phonenumbers.NumberParseException as exc:
        raise PydanticCustomError("invalid_phone", "Not a valid phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise PydanticCustomError("invalid_phone", "Not a valid phone number")
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return formatted.replace(" ", "-")


def absolute_http_url(value: str, info: ValidationInfo) -> str:
    if len(value) > MAX_URL_LENGTH or any(ch.isspace() for ch in value):
        raise PydanticCustomError("invalid_url", "Must be an absolute http(s) URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("invalid_url", "Must be an absolute http(s) URL")
    mode = (info.context or {}).get("mode")
    if mode == "live" and parts.scheme != "https":
        raise PydanticCustomError("insecure_url", "Live mode requires https URLs")
    return value


def postal_code(value: str) -> str:
    if not _POSTAL_CODE.fullmatch(value):
        raise PydanticCustomError("invalid_postal_code", "A Korean postal code has 5 digits")
    return value
