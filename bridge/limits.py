"""Cross-process guards in Redis: at most N requests in flight per store, one sync per order
at a time, and a short per-store back-off after a store times out or errors.

Every guard expires on its own (a killed worker cannot hold one for ever) and losing Redis
loses nothing: tasks live in the database and are retried from there.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import redis

# Sorted set of holder tokens scored by their expiry: drop expired holders, then join if room.
_ACQUIRE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""
_RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass
class Guard:
    """Held slot and lock; `release()` frees both (safe to call twice)."""

    client: redis.Redis
    slot_key: str
    lock_key: str
    token: str
    released: bool = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        self.client.zrem(self.slot_key, self.token)
        self.client.eval(_RELEASE_LOCK, 1, self.lock_key, self.token)


class GuardBusy(Exception):
    """The order is being synced, or the store is at its concurrency cap."""


def acquire(
    client: redis.Redis, slot_key: str, lock_key: str, cap: int, lease_seconds: float
) -> Guard:
    token = secrets.token_hex(8)
    lease_ms = int(lease_seconds * 1000)
    if not client.set(lock_key, token, nx=True, px=lease_ms):
        raise GuardBusy("order busy")
    now_ms = int(time.time() * 1000)
    got = client.eval(
        _ACQUIRE_SLOT, 1, slot_key, now_ms, cap, now_ms + lease_ms, token, lease_ms * 2
    )
    if not got:
        client.eval(_RELEASE_LOCK, 1, lock_key, token)
        raise GuardBusy("store at capacity")
    return Guard(client, slot_key, lock_key, token)


def backoff_remaining(client: redis.Redis, key: str) -> float:
    ttl = client.pttl(key)
    return ttl / 1000 if ttl and ttl > 0 else 0.0


def start_backoff(client: redis.Redis, key: str, seconds: float) -> None:
    client.set(key, "1", px=max(1, int(seconds * 1000)))


def clear_backoff(client: redis.Redis, key: str) -> None:
    client.delete(key)
