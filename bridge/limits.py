"""Cross-process guards in Redis: at most N requests in flight per store, one sync per order
at a time, and a short per-store back-off after a store times out or errors.

Taking a guard is one script (one round trip): the store's back-off, its cap (one probe at
a time after a failure), the order lock and the store slot are checked and taken together.
Every guard expires on its own (a killed worker cannot hold one for ever) and losing Redis
loses nothing: tasks live in the database and are retried from there.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import redis

# KEYS: order lock, store slots (sorted set of holder tokens scored by expiry), back-off,
# failures. ARGV: token, now ms, lease ms, cap. Returns {reason, back-off ms left}.
_ACQUIRE = """
local wait = redis.call('PTTL', KEYS[3])
if wait > 0 then return {'backoff', wait} end
local cap = tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[4]) == 1 then cap = 1 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[2]) >= cap then return {'capacity', 0} end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then return {'order', 0} end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[3]))
return {'ok', 0}
"""
# KEYS: order lock, store slots. ARGV: token.
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


@dataclass(frozen=True)
class GuardKeys:
    slots: str
    order: str
    backoff: str
    failures: str


@dataclass
class Guard:
    """Held slot and lock; `release()` frees both (safe to call twice)."""

    client: redis.Redis
    keys: GuardKeys
    token: str
    released: bool = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        self.client.register_script(_RELEASE)(
            keys=[self.keys.order, self.keys.slots], args=[self.token]
        )


class GuardBusy(Exception):
    """The order is being synced, the store is at its cap, or the store is backing off
    (`backoff_seconds` > 0)."""

    def __init__(self, reason: str, backoff_seconds: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.backoff_seconds = backoff_seconds


def acquire(client: redis.Redis, keys: GuardKeys, cap: int, lease_seconds: float) -> Guard:
    token = secrets.token_hex(8)
    lease_ms = int(lease_seconds * 1000)
    now_ms = int(time.time() * 1000)
    reason, wait_ms = client.register_script(_ACQUIRE)(
        keys=[keys.order, keys.slots, keys.backoff, keys.failures],
        args=[token, now_ms, lease_ms, cap],
    )
    reason = reason.decode() if isinstance(reason, bytes) else str(reason)
    if reason != "ok":
        raise GuardBusy(reason, int(wait_ms) / 1000)
    return Guard(client, keys, token)


def start_backoff(client: redis.Redis, key: str, seconds: float) -> None:
    client.set(key, "1", px=max(1, int(seconds * 1000)))
