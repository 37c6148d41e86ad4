"""Accounts and API keys: `sk_test_`/`sk_live_` + 64 hex, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Account, ApiKey
from app.payments.errors import Conflict, NotFound
from app.payments.ids import IdPrefix, new_id
from app.payments.tenancy import Mode, Tenant

KEY_PATTERN = re.compile(r"^sk_(test|live)_[0-9a-f]{64}$")


@dataclass(frozen=True)
class IssuedKey:
    """The only moment the full key exists outside the client."""

    key_id: str
    secret: str
    mode: Mode
    display_prefix: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def mode_of(secret: str) -> Mode | None:
    match = KEY_PATTERN.fullmatch(secret)
    return Mode(match.group(1)) if match else None


def display_prefix(secret: str) -> str:
    return f"{secret[:12]}…{secret[-4:]}"


def create_account(db: Session, name: str, now: datetime) -> Account:
    if db.scalars(select(Account).where(Account.name == name)).first() is not None:
        raise Conflict(f"An account named {name!r} exists", code="account_exists")
    account = Account(id=new_id(IdPrefix.ACCOUNT), name=name, created_at=now)
    db.add(account)
    db.flush()
    return account


def find_account(db: Session, name: str) -> Account:
    account = db.scalars(select(Account).where(Account.name == name)).first()
    if account is None:
        raise NotFound(f"No account named {name!r}", code="account_not_found")
    return account


def create_key(db: Session, account: Account, mode: Mode, now: datetime) -> IssuedKey:
    secret = f"sk_{mode}_{secrets.token_hex(32)}"
    key = ApiKey(
        id=new_id(IdPrefix.API_KEY),
        account_id=account.id,
        mode=mode,
        key_hash=hash_key(secret),
        display_prefix=display_prefix(secret),
        created_at=now,
    )
    db.add(key)
    db.flush()
    return IssuedKey(key_id=key.id, secret=secret, mode=mode, display_prefix=key.display_prefix)


def list_keys(db: Session, account: Account | None = None) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at)
    if account is not None:
        query = query.where(ApiKey.account_id == account.id)
    return list(db.scalars(query))


def revoke_key(db: Session, key_id: str, now: datetime) -> ApiKey:
    key = db.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key {key_id!r}", code="api_key_not_found")
    if key.revoked_at is None:
        key.revoked_at = now
    return key


def authenticate(db: Session, secret: str) -> Tenant | None:
    """The tenant of an active key, or None. The lookup is by hash, never by the secret."""
    mode = mode_of(secret)
    if mode is None:
        return None
    row = db.execute(
        select(ApiKey.account_id, ApiKey.mode).where(
            ApiKey.key_hash == hash_key(secret), ApiKey.revoked_at.is_(None)
        )
    ).first()
    if row is None or row.mode != mode:
        return None
    return Tenant(account_id=row.account_id, mode=Mode(row.mode))
