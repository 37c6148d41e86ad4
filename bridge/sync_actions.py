"""One sync task against one WooCommerce order: read the session from the API (the event
is only a hint), read the order as it is now, plan with `bridge.mapping.order_plans`, write
only what is missing, check the result.

Every task belongs to a session: outcomes of a superseded session (the order got a new
session since) change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models.base import utcnow
from bridge.context import BridgeContext
from bridge.mapping.order_plans import (
    PAID_ORDER_STATUSES,
    OrderPlan,
    claim_note,
    plan_cancelled,
    plan_failed,
    plan_paid,
    plan_refund,
    plan_virtual_account,
    refund_refused_note,
)
from bridge.mapping.payment_facts import PaymentFacts, facts_from_data
from bridge.mapping.verification import RefundNotSettled, Unconfirmed, confirmed_facts
from bridge.models import BridgeRefund, SyncTask
from bridge.task_actions import TaskAction
from bridge.woo_client import PERMANENT_500_CODES, WooPermanentError, WooStore, WooTransientError

# `GET /api/checkout/session/{id}` of the store's shop (raises CoreApiError/CoreUnavailable).
SessionReader = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class ActionResult:
    outcome: str  # "succeeded" (something written) or "skipped" (nothing to do)
    message: str
    # Whether WooCommerce shows the order paid; None when the order was not read.
    order_paid: bool | None = None


class NotTheLinkedOrder(Exception):
    """The store's order of this number is not the one the session was made for (the shop
    was connected again to another site): nothing is written to it."""


class RefundInFlight(WooTransientError):
    """A refund the plugin started is still being recorded: decide once it is."""


# Longer than any plugin refund request can take: a "requesting" row older than this was
# interrupted (the process died between the API refund and saving its id).
REFUND_IN_FLIGHT_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class RefundOrigin:
    origin: str | None  # "woocommerce" or "checkout" once the refund is linked
    interrupted: tuple[BridgeRefund, ...] = ()  # plugin refunds whose outcome was never saved


def _plan(task: SyncTask, order: dict[str, Any], facts: PaymentFacts) -> OrderPlan:
    action = TaskAction(task.action)
    if action is TaskAction.MARK_PAID:
        return plan_paid(order, facts)
    if action is TaskAction.AWAIT_DEPOSIT:
        return plan_virtual_account(order, facts)
    if action is TaskAction.MARK_FAILED:
        return plan_failed(order, facts, task.event_id or "")
    if action in (TaskAction.CANCEL_EXPIRED, TaskAction.CANCEL_CANCELLED):
        return plan_cancelled(order, facts, expired=action is TaskAction.CANCEL_EXPIRED)
    return plan_refund(order, facts)


def _refund_origin(ctx: BridgeContext, task: SyncTask, refund_id: str) -> RefundOrigin:
    """Who started this refund; raises while a refund from the plugin is being recorded."""
    with ctx.database.transaction() as db:
        links = list(
            db.scalars(
                select(BridgeRefund).where(
                    BridgeRefund.store_id == task.store_id,
                    BridgeRefund.wc_order_id == task.wc_order_id,
                )
            )
        )
    for link in links:
        if link.core_refund_id == refund_id:
            return RefundOrigin(link.origin)
    requesting = [r for r in links if r.origin == "woocommerce" and r.status == "requesting"]
    cutoff = utcnow() - REFUND_IN_FLIGHT_GRACE
    if any(r.updated_at > cutoff for r in requesting):
        raise RefundInFlight("a refund from WooCommerce is still being recorded")
    return RefundOrigin(None, tuple(requesting))


def _adopt_interrupted(
    ctx: BridgeContext, order: dict[str, Any], facts: PaymentFacts, origin: RefundOrigin
) -> bool:
    """Settle plugin refunds whose request was interrupted, from the order as it is now.
    WooCommerce keeps a refund record only when the gateway call succeeded, so a record
    with the row's id and this refund's amount is this refund (nothing to write); a row
    whose record is gone failed in WooCommerce's eyes, and this refund is recorded anew."""
    listed = {
        int(r["id"]): abs(int(float(r.get("total") or 0)))
        for r in order.get("refunds") or []
        if isinstance(r, dict) and str(r.get("id", "")).isdigit()
    }
    adopted = False
    now = utcnow()
    with ctx.database.transaction() as db:
        for interrupted in origin.interrupted:
            row = db.get(BridgeRefund, interrupted.id)
            if row is None or row.status != "requesting":
                continue
            kept = row.wc_refund_id in listed
            if kept and not adopted and listed[row.wc_refund_id or 0] == facts.refund_amount:
                row.core_refund_id = facts.refund_id
                row.amount = facts.refund_amount
                row.status = "succeeded"
                adopted = True
            elif not kept:
                row.status = "failed"
            row.updated_at = now
    return adopted


def _remember_refund(ctx: BridgeContext, task: SyncTask, facts: PaymentFacts, wc_id: Any) -> None:
    now = utcnow()
    try:
        with ctx.database.transaction() as db:
            db.add(
                BridgeRefund(
                    store_id=task.store_id,
                    wc_order_id=task.wc_order_id or 0,
                    wc_refund_id=int(wc_id) if str(wc_id).isdigit() else None,
                    core_refund_id=facts.refund_id,
                    origin="checkout",
                    amount=facts.refund_amount,
                    status="recorded",
                    response=None,
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError:
        pass  # recorded by an earlier attempt


def _answer_object(answer: Any, what: str) -> dict[str, Any]:
    """A store that answers 2xx with `null`, a list or an HTML page is broken, not busy:
    retrying the same request cannot help."""
    if not isinstance(answer, dict):
        raise WooPermanentError(f"WooCommerce answered {what} with {_kind(answer)}, not an object")
    return answer


def _kind(answer: Any) -> str:
    return "nothing" if answer is None else type(answer).__name__


def _has_note(woo: WooStore, path: str, marker: str) -> bool:
    notes = woo.call("read_notes", "GET", f"{path}/notes")
    if not isinstance(notes, list):
        raise WooPermanentError(f"WooCommerce answered the notes with {_kind(notes)}, not a list")
    return any(marker in str(note.get("note") or "") for note in notes if isinstance(note, dict))


def _confirmed(task: SyncTask, read_session: SessionReader) -> PaymentFacts:
    """The facts the API backs (raises `Unconfirmed`, or `RefundInFlight` while the core
    settles the refund)."""
    session = read_session(str(task.session_id))
    try:
        return confirmed_facts(TaskAction(task.action), task.payload, session)
    except RefundNotSettled as exc:
        raise RefundInFlight(str(exc)) from exc


def run_action(
    ctx: BridgeContext,
    task: SyncTask,
    woo: WooStore,
    current_session: str | None,
    read_session: SessionReader,
    order_key: str | None,
) -> ActionResult:
    action = TaskAction(task.action)
    hint = facts_from_data(task.payload)
    if not current_session or hint.session_id != current_session:
        return ActionResult("skipped", "stale: not the order's current checkout session")
    try:
        facts = _confirmed(task, read_session)
    except Unconfirmed as exc:
        return ActionResult("skipped", f"not confirmed by the API: {exc}")
    origin = RefundOrigin(None)
    if action is TaskAction.RECORD_REFUND:
        origin = _refund_origin(ctx, task, facts.refund_id or "")
        if origin.origin == "woocommerce":
            return ActionResult("skipped", "refund started in WooCommerce: already recorded")
    path = f"orders/{task.wc_order_id}"
    order = _answer_object(woo.call("read_order", "GET", path), "the order")
    if order_key and order.get("order_key") != order_key:
        raise NotTheLinkedOrder(
            f"order {task.wc_order_id} is not the order the session was made for"
        )
    if origin.interrupted and _adopt_interrupted(ctx, order, facts, origin):
        return ActionResult("skipped", "refund started in WooCommerce: record found")
    plan = _plan(task, order, facts)
    update, check_notes = claim_note(order, plan)
    wrote = False
    if update:
        order = _answer_object(woo.call("update_order", "PUT", path, update), "the update")
        wrote = True
        status = str(order.get("status"))
        if plan.expect and status not in plan.expect:
            raise WooPermanentError(
                f"order stayed {status!r}; expected one of {sorted(plan.expect)}"
            )
    if plan.refund:
        created = _create_refund(woo, path, plan.refund, facts)
        wrote = True
        _remember_refund(ctx, task, facts, created.get("id"))
    marker = plan.note_marker
    if plan.note and marker and not (check_notes and _has_note(woo, path, marker)):
        # The deposit account is for the customer: WooCommerce e-mails customer notes.
        customer = action is TaskAction.AWAIT_DEPOSIT
        woo.call(
            "add_note", "POST", f"{path}/notes", {"note": plan.note, "customer_note": customer}
        )
        wrote = True
    paid = str(order.get("status")) in PAID_ORDER_STATUSES
    return ActionResult("succeeded" if wrote else "skipped", plan.reason, order_paid=paid)


def _create_refund(
    woo: WooStore, path: str, body: dict[str, Any], facts: PaymentFacts
) -> dict[str, Any]:
    """POST the refund record; when WooCommerce refuses it (more than the order's remaining
    amount, say), the order gets a note saying so before the task fails."""
    try:
        return _answer_object(woo.call("create_refund", "POST", f"{path}/refunds", body), "refund")
    except WooPermanentError as refused:
        if refused.code not in PERMANENT_500_CODES:
            raise
        note, marker = refund_refused_note(facts, str(refused))
        if not _has_note(woo, path, marker):
            woo.call("add_note", "POST", f"{path}/notes", {"note": note, "customer_note": False})
        raise WooPermanentError(
            f"refund {facts.refund_id} of {facts.refund_amount} won not recorded: {refused}",
            refused.status,
            refused.code,
        ) from refused
