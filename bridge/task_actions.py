"""The kinds of sync task, stored as their values."""

from __future__ import annotations

from enum import StrEnum


class TaskAction(StrEnum):
    MARK_PAID = "mark_paid"
    AWAIT_DEPOSIT = "await_deposit"
    MARK_FAILED = "mark_failed"
    CANCEL_EXPIRED = "cancel_expired"
    CANCEL_CANCELLED = "cancel_cancelled"
    RECORD_REFUND = "record_refund"


class TaskStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    FAILED = "failed"
    DEAD = "dead"
