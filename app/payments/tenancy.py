"""Who is asking: an account in one mode. Data of the two modes never mixes."""

from __future__ import annotations

from dataclasses import dataclass

from app.modes import Mode

__all__ = ["Mode", "Tenant"]


@dataclass(frozen=True)
class Tenant:
    account_id: str
    mode: Mode
