"""urllib3 pools (and a requests adapter) whose connections answer to `deadline`: each
request hands its connection to the calling thread's deadline before anything is sent."""

from __future__ import annotations

from typing import Any

import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from app.outbound.deadline import Deadline, adopt

# The TCP connect (and TLS handshake) of one request, at most; the deadline may cut it shorter.
CONNECT_TIMEOUT_SECONDS = 5.0


def _end_if_expired(connection: HTTPConnection) -> None:
    """A connection made after its call's deadline (the name lookup, which no socket timeout
    bounds, outlasted it: the watchdog found no socket to shut down) is not used."""
    limit: Deadline | None = getattr(connection, "kc_deadline", None)
    if limit is not None and limit.expired:
        connection.close()
        raise ConnectTimeoutError(connection, "connected after the call's deadline")


class DeadlineHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        adopt(self)
        super().request(*args, **kwargs)

    def connect(self) -> None:
        super().connect()
        _end_if_expired(self)


class DeadlineHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        adopt(self)
        super().request(*args, **kwargs)

    def connect(self) -> None:
        super().connect()
        _end_if_expired(self)


class DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {
    "http": DeadlineHTTPConnectionPool,
    "https": DeadlineHTTPSConnectionPool,
}


def pool_manager(**kwargs: Any) -> urllib3.PoolManager:
    manager = urllib3.PoolManager(**kwargs)
    manager.pool_classes_by_scheme = POOL_CLASSES
    return manager


def socket_timeout(limit: Deadline) -> urllib3.Timeout:
    """Per-operation timeouts within `limit`: the watchdog ends the call at the deadline, these
    only keep connect from outliving it. Raises a urllib3 timeout once it has passed."""
    remaining = limit.remaining()
    if remaining <= 0:
        raise Urllib3Timeout("deadline passed before the request started")
    return urllib3.Timeout(connect=min(CONNECT_TIMEOUT_SECONDS, remaining), read=remaining)


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter over deadline-aware pools (also through a plain HTTP proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
        manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is urllib3.ProxyManager:
            manager.pool_classes_by_scheme = POOL_CLASSES
        return manager


def with_deadlines(session: requests.Session) -> requests.Session:
    """`session`, its http(s) requests now sent through deadline-aware pools."""
    for prefix in ("http://", "https://"):
        if not isinstance(session.get_adapter(prefix), DeadlineAdapter):
            session.mount(prefix, DeadlineAdapter())
    return session
