"""`x-api-key` authentication: the key's account and mode become the request's tenant."""

from __future__ import annotations

from flask import g, request

from app.payments.api_keys import authenticate
from app.payments.errors import Unauthorized
from app.payments.tenancy import Tenant
from app.web_db import db_session

HEADER = "x-api-key"


def require_tenant() -> Tenant:
    secret = request.headers.get(HEADER, "")
    if not secret:
        raise Unauthorized("Send your API key in the x-api-key header", details={"field": HEADER})
    tenant = authenticate(db_session(), secret)
    if tenant is None:
        raise Unauthorized(details={"field": HEADER})
    g.tenant = tenant
    return tenant


def current_tenant() -> Tenant:
    tenant: Tenant = g.tenant
    return tenant
