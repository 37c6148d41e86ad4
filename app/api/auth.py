"""`x-api-key` authentication: the key's account and mode become the request's tenant."""

from __future__ import annotations

from flask import current_app, g, request

from app.api.tenant_cache import TenantCache
from app.payments.api_keys import authenticate, hash_key
from app.payments.errors import Unauthorized
from app.payments.tenancy import Tenant
from app.web_db import database, db_session

HEADER = "x-api-key"


def _lookup(secret: str) -> Tenant | None:
    cache: TenantCache = current_app.extensions["kc.tenant_cache"]
    key_hash = hash_key(secret)
    tenant = cache.get(key_hash)
    if tenant is not None:
        return tenant
    session = db_session()
    tenant = authenticate(session, secret)
    if database().is_sqlite:
        # End the read so no lock is held while idempotency claims its key on another
        # connection (SQLite transactions here are IMMEDIATE: they take the write lock).
        session.rollback()
    if tenant is not None:
        cache.put(key_hash, tenant)
    return tenant


def require_tenant() -> Tenant:
    secret = request.headers.get(HEADER, "")
    if not secret:
        raise Unauthorized("Send your API key in the x-api-key header", details={"field": HEADER})
    tenant = _lookup(secret)
    if tenant is None:
        raise Unauthorized(details={"field": HEADER})
    g.tenant = tenant
    return tenant


def current_tenant() -> Tenant:
    tenant: Tenant = g.tenant
    return tenant
