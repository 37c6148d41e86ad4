"""Order statuses, their labels and the one function that changes a status."""

from __future__ import annotations

from .models import Order
from .store import Store

# The enum WordPress validates `status` against, in the order its error message lists them.
STATUSES = (
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)

LABELS = {
    "auto-draft": "Draft",
    "pending": "Pending payment",
    "processing": "Processing",
    "on-hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
}

DRAFTS = ("auto-draft", "checkout-draft")


def enum_message(name: str = "status") -> str:
    listed = ", ".join(STATUSES[:-1]) + ", and " + STATUSES[-1]
    return f"{name} is not one of {listed}."


def set_status(store: Store, order: Order, new_status: str) -> None:
    """WC_Order::status_transition: any move is allowed, forwards, backwards or sideways.

    Each real change adds one private note. Leaving a draft adds none: creating an order
    through REST passes through 'checkout-draft' and the fixtures show no note for it.
    """
    old = order.status
    if old == new_status:
        return
    order.status = new_status
    now = store.clock()
    _maybe_set_date_paid(order, now)
    if new_status == "completed":
        order.date_completed = now
    if old not in DRAFTS:
        store.add_note(
            order.id, f"Order status changed from {LABELS[old]} to {LABELS[new_status]}."
        )


def _maybe_set_date_paid(order: Order, now: object) -> None:
    """`date_paid` is set once, on the status payment would lead to; never cleared."""
    if order.date_paid is not None:
        return
    paid_status = "processing" if order.needs_processing else "completed"
    if order.status == paid_status or (paid_status == "processing" and order.status == "completed"):
        order.date_paid = now  # type: ignore[assignment]


def payment_complete(store: Store, order: Order, transaction_id: str | None) -> None:
    """WC_Order::payment_complete for the statuses it accepts; others only keep the id."""
    if order.status in ("on-hold", "pending", "failed", "cancelled"):
        if transaction_id:
            order.transaction_id = transaction_id
        if order.date_paid is None:
            order.date_paid = store.clock()
        set_status(store, order, "processing" if order.needs_processing else "completed")
