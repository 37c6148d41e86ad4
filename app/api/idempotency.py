"""`Idempotency-Key` on POST: claim the key, run once, store the response in the same commit.

The claim row is committed before the handler runs, so a concurrent duplicate sees it and
gets 409. The response is written in the handler's own transaction, so "response stored"
and "effect committed" are one fact: a claim left without a response after its request
ended means nothing was committed, and the key can be claimed again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Response, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.models import IdempotencyRecord
from app.models.base import utcnow
from app.payments.errors import Conflict, InvalidRequest
from app.payments.tenancy import Tenant
from app.web_db import database

HEADER = "Idempotency-Key"
REPLAY_WINDOW = timedelta(hours=24)
# A claim without a response this old belongs to a request that died before committing.
ABANDONED_AFTER = timedelta(seconds=60)
MAX_KEY_LENGTH = 255


def fingerprint() -> str:
    return fingerprint_of(request.method, request.path, request.get_data(cache=True))


def fingerprint_of(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def _claim(session: Session, tenant: Tenant, key: str, print_: str, now: datetime) -> None:
    session.add(
        IdempotencyRecord(
            account_id=tenant.account_id,
            mode=tenant.mode,
            key=key,
            fingerprint=print_,
            created_at=now,
        )
    )
    session.commit()


def _existing(session: Session, tenant: Tenant, key: str) -> IdempotencyRecord | None:
    return session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == tenant.account_id,
            IdempotencyRecord.mode == tenant.mode,
            IdempotencyRecord.key == key,
        )
    ).one_or_none()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(
        record.response_body, status=record.response_status, mimetype="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin(tenant: Tenant) -> Response | None:
    """Claim the request's key; a response to return instead of running the handler, or None."""
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST":
        return None
    record = claim(database(), tenant, key, fingerprint(), utcnow())
    if record is not None:
        return _replay(record)
    g.idempotency_claim = (tenant, key)
    return None


def claim(
    database: Database, tenant: Tenant, key: str, print_: str, now: datetime
) -> IdempotencyRecord | None:
    """Claim `key` for a request with fingerprint `print_`: None when claimed (run the
    request), else the stored first answer to replay. Flask-free: the bridge's in-process
    core client shares this store with the API."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidRequest(
            "Idempotency-Key must be 1-255 printable characters",
            code="invalid_idempotency_key",
            details={"field": HEADER},
        )
    with database.session_factory() as session:
        for _attempt in range(2):
            try:
                _claim(session, tenant, key, print_, now)
                return None
            except IntegrityError:
                session.rollback()
            record = _existing(session, tenant, key)
            if record is None:
                continue
            if now - record.created_at > REPLAY_WINDOW or (
                record.response_status is None and now - record.created_at > ABANDONED_AFTER
            ):
                session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
                session.commit()
                continue
            if record.fingerprint != print_:
                raise Conflict(
                    "This Idempotency-Key was used with a different request",
                    code="idempotency_key_reused",
                    details={"field": HEADER},
                )
            if record.response_status is None:
                raise Conflict(
                    "A request with this Idempotency-Key is still in progress",
                    code="idempotency_key_in_use",
                    details={"field": HEADER},
                )
            return record
    raise Conflict(
        "A request with this Idempotency-Key is still in progress",
        code="idempotency_key_in_use",
        details={"field": HEADER},
    )


def record_response(session: Session, response: Response) -> None:
    """Store the first response inside the request's transaction (call before commit)."""
    claim_: tuple[Tenant, str] | None = g.get("idempotency_claim")
    if claim_ is not None:
        store_response(session, *claim_, response.status_code, response.get_data(as_text=True))


def store_response(session: Session, tenant: Tenant, key: str, status: int, body: str) -> None:
    """Store a claimed key's first answer in `session` (before its commit)."""
    record = _existing(session, tenant, key)
    if record is not None:
        record.response_status = status
        record.response_body = body


def release(response_status: int) -> None:
    """After a server error nothing was committed: free the key so the client can retry."""
    claim_: tuple[Tenant, str] | None = g.get("idempotency_claim")
    if claim_ is not None and response_status >= 500:
        release_claim(database(), *claim_)


def release_claim(database: Database, tenant: Tenant, key: str) -> None:
    """Free a claim that got no answer (its request failed without committing)."""
    with database.session_factory() as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.account_id == tenant.account_id,
                IdempotencyRecord.mode == tenant.mode,
                IdempotencyRecord.key == key,
                IdempotencyRecord.response_status.is_(None),
            )
        )
        session.commit()
