"""CSRF protection for every form of the hosted pages (Flask-WTF's signed, session-bound
tokens); the gateway's return endpoint is exempt because it is authenticated by the
gateway's own sealed values instead."""

from __future__ import annotations

from flask import request
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from app.payments.errors import InvalidRequest

FIELD = "csrf_token"
#: A checkout page may sit open for a while; a stale token only asks for a reload.
TIME_LIMIT_SECONDS = 6 * 3600


class CsrfFailed(InvalidRequest):
    code = "csrf_failed"
    message = "The form is out of date; reload the page and try again"


def csrf_token() -> str:
    return str(generate_csrf())


def check_csrf() -> None:
    try:
        validate_csrf(request.form.get(FIELD, ""), time_limit=TIME_LIMIT_SECONDS)
    except ValidationError as exc:
        raise CsrfFailed() from exc
