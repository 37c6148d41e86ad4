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
    session = db_session()
    tenant = authenticate(session, secret)
    # End the read so no lock is held while idempotency claims its key on another connection
    # (SQLite transactions here are IMMEDIATE, i.e. they take the write lock).
    session.rollback()
    if tenant is None:
        raise Unauthorized(details={"field": HEADER})
    g.tenant = tenant
    return tenant


def current_tenant() -> Tenant:
    tenant: Tenant = g.tenant
    return tenant
