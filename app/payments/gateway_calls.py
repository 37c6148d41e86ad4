"""Calling a gateway from the core: its exceptions become our one error hierarchy, or, for
money calls recorded on a pending row, an outcome to settle that row with."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, CursorResult, Select, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.gateways import errors as gw
from app.gateways.provider import GatewayProvider
from app.models.base import utcnow
from app.payments.errors import CheckoutError, Conflict, InvalidRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A row still pending this long after its last gateway call is asked again by the sweep
#: (with the same idempotency key). Well above any gateway call's deadline, so the sweep
#: never races the request that is still waiting for the answer.
RETRY_PENDING_AFTER = timedelta(minutes=2)


class GatewayUnavailable(CheckoutError):
    """No usable answer from the gateway (timeout, transport): 500, safe to retry."""

    code = "gateway_unavailable"
    message = "The payment gateway did not answer; it is safe to retry"


@contextmanager
def gateway_call() -> Iterator[None]:
    try:
        yield
    except gw.InvalidRedirect as exc:
        raise InvalidRequest(
            "The payment result is not valid for this session",
            code="invalid_redirect",
            details={"field": "params"},
        ) from exc
    except gw.InvalidRequest as exc:
        raise InvalidRequest(exc.message, code=exc.code) from exc
    except gw.GatewayDeclined as exc:
        raise Conflict(
            exc.message, code="gateway_declined", details={"gatewayCode": exc.gateway_code}
        ) from exc
    except gw.GatewayTimeout as exc:
        raise GatewayUnavailable(code="gateway_timeout") from exc
    except gw.GatewayError as exc:
        raise GatewayUnavailable() from exc


@dataclass(frozen=True)
class Refused:
    """The gateway answered and said no: a final outcome."""

    code: str
    message: str


def ask_gateway(call: Callable[[], T]) -> T | Refused | None:
    """Run a money call whose row was committed pending first: its result, ``Refused`` when
    the gateway said no, or None when the outcome is unknown (timeout, transport, server
    error): the row stays pending and the sweep asks again with the same idempotency key."""
    try:
        return call()
    except (gw.GatewayDeclined, gw.InvalidRequest) as exc:
        return Refused(exc.gateway_code or exc.code, exc.message)
    except gw.GatewayError as exc:
        log.warning("gateway outcome unknown, left pending", extra={"code": exc.code})
        return None


SessionFactory = Callable[[], Session]
#: Asks the gateway again about one pending row (by id) and settles it.
RetryOne = Callable[[SessionFactory, str, GatewayProvider, datetime], None]


def retry_listed(
    session_factory: SessionFactory,
    ids: list[str],
    retry: RetryOne,
    gateways: GatewayProvider,
    now: datetime,
) -> int:
    """The sweeps' loop: each row on its own, so one that fails never holds up the others
    (it stays pending and is tried again next round)."""
    for row_id in ids:
        try:
            retry(session_factory, row_id, gateways, now)
        except Exception:
            log.exception("sweep retry failed", extra={"row_id": row_id})
    return len(ids)


def claim_for_retry(
    db: Session,
    row_id: InstrumentedAttribute[str],
    key: str,
    stamp: InstrumentedAttribute[Any],
    still_pending: ColumnElement[bool],
    now: datetime,
) -> bool:
    """Take one row for this retry, committed before the gateway is asked: a compare-and-set
    of its last-attempt stamp, so an overlapping sweep round (one slowed by its gateway
    outlives the sweep lease) leaves it alone for ``RETRY_PENDING_AFTER``. The stamp is the
    real time when later than ``now``: a long round's ``now`` is stale, and a claim stamped
    with it would look old to the next round."""
    claimed = cast(
        CursorResult[Any],
        db.execute(
            update(row_id.class_)
            .where(row_id == key, still_pending, stamp <= now - RETRY_PENDING_AFTER)
            .values({stamp.key: max(now, utcnow())})
        ),
    )
    db.commit()
    return claimed.rowcount == 1


def stale_pending(model: Any, pending: str, now: datetime, batch_size: int) -> Select[Any]:
    """Ids of `model` rows (refunds, gateway operations) still `pending` longer than
    ``RETRY_PENDING_AFTER`` after their last gateway call, oldest first."""
    return (
        select(model.id)
        .where(model.status == pending, model.last_attempt_at <= now - RETRY_PENDING_AFTER)
        .order_by(model.last_attempt_at)
        .limit(batch_size)
    )


def retry_selected(
    session_factory: SessionFactory,
    query: Select[Any],
    retry: RetryOne,
    gateways: GatewayProvider,
    now: datetime,
) -> int:
    """`retry_listed` over the ids `query` selects (read in a transaction of its own)."""
    with session_factory() as db:
        ids = [str(row_id) for row_id in db.scalars(query)]
    return retry_listed(session_factory, ids, retry, gateways, now)
