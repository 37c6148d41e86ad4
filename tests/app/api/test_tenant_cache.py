"""The key memo: hits within the TTL, misses after it, bounded size."""

from __future__ import annotations

from app.api.tenant_cache import TenantCache
from app.payments.tenancy import Mode, Tenant

TENANT = Tenant("acct_1", Mode.LIVE)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_remembers_until_ttl_then_forgets():
    clock = FakeClock()
    cache = TenantCache(ttl_seconds=5, clock=clock)
    assert cache.get("h") is None
    cache.put("h", TENANT)
    clock.now += 4.9
    assert cache.get("h") == TENANT
    clock.now += 0.1
    assert cache.get("h") is None


def test_zero_ttl_never_remembers():
    cache = TenantCache(ttl_seconds=0, clock=FakeClock())
    cache.put("h", TENANT)
    assert cache.get("h") is None


def test_size_is_bounded():
    cache = TenantCache(ttl_seconds=60, max_entries=3, clock=FakeClock())
    for n in range(10):
        cache.put(f"h{n}", TENANT)
    assert len(cache._entries) <= 3
    assert cache.get("h9") == TENANT
