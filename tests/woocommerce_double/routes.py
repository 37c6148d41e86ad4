"""The wc/v3 routes the double serves, each a small function from Context to Reply."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from . import catalog
from .context import Context, Reply
from .errors import WooError, invalid_order_id, missing_param
from .models import Order
from .orders import create_order, update_order, validate_status
from .refunds import create_refund
from .serialize import VERSION, link, note_json, order_json, refund_json

Handler = Callable[[Context, dict[str, str]], Reply]
EDITABLE = ("POST", "PUT", "PATCH")


def _order(ctx: Context, order_id: str, missing_status: int) -> Order:
    order = ctx.store.orders.get(int(order_id))
    if order is None:
        raise invalid_order_id(missing_status)
    return order


def _order_for_child(ctx: Context, order_id: str) -> Order:
    order = ctx.store.orders.get(int(order_id))
    if order is None:
        raise WooError("woocommerce_rest_order_invalid_id", "Invalid order ID.", 404)
    return order


# orders ----------------------------------------------------------------------------------
def list_orders(ctx: Context, _: dict[str, str]) -> Reply:
    ctx.require("list")
    page = ctx.integer("page", 1, 1)
    per_page = ctx.integer("per_page", 10, 1, 100)
    statuses = _statuses(ctx.params.get("status", "any"))
    search = str(ctx.params.get("search") or "").lower()
    with ctx.store.lock:
        found = [
            o
            for o in ctx.store.orders.values()
            if _status_matches(o, statuses) and (not search or search in _haystack(o))
        ]
        newest_first = str(ctx.params.get("order", "desc")).lower() != "asc"
        found.sort(key=lambda o: (o.created, o.id), reverse=newest_first)
        items = found[(page - 1) * per_page : page * per_page]
        body = [order_json(o, ctx.store, ctx.home) for o in items]
    # WP_Query reports no total at all for a page past the end (fixture: X-WP-Total 0).
    total = len(found) if items else 0
    pages = math.ceil(total / per_page) if total else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    links = _pagination_links(ctx, page, pages, prepared=bool(items))
    if links:
        headers["Link"] = links
    return Reply(200, body, headers)


def _statuses(raw: Any) -> list[str]:
    values = raw if isinstance(raw, list) else str(raw).split(",")
    return [v.strip() for v in values if v.strip()] or ["any"]


def _status_matches(order: Order, statuses: list[str]) -> bool:
    if "any" in statuses:
        # 'any' covers every order status, the checkout-draft included (fixture).
        return order.status not in ("auto-draft", "trash")
    return order.status in statuses


def _haystack(order: Order) -> str:
    """What the HPOS search looks at: addresses, emails, items and the transaction id."""
    parts = [str(order.id), order.transaction_id, order.order_key]
    parts += list(order.billing.values()) + list(order.shipping.values())
    parts += [i.name for i in order.line_items]
    return " ".join(parts).lower()


def _pagination_links(ctx: Context, page: int, pages: int, prepared: bool) -> str:
    params: dict[str, str] = dict(ctx.query)
    # WordPress echoes the request's own query (OAuth parameters included). Defaults that
    # item preparation writes back into the request (dp, context) appear only when at least
    # one order was prepared, as in the fixtures.
    if "status" not in params:
        params["status[0]"] = "any"
    if prepared:
        params.setdefault("dp", "0")
        params.setdefault("context", "view")
    links = []
    base = f"{ctx.api}/orders"
    if page > 1:
        prev_page = min(page - 1, pages)
        links.append(f'<{base}?{urlencode({**params, "page": str(prev_page)})}>; rel="prev"')
    if page < pages:
        links.append(f'<{base}?{urlencode({**params, "page": str(page + 1)})}>; rel="next"')
    return ", ".join(links)


def create_order_route(ctx: Context, _: dict[str, str]) -> Reply:
    validate_status(ctx.params)
    ctx.require("create")
    order = create_order(ctx.store, _with_booleans(ctx, ("set_paid",)))
    location = f"{ctx.api}/orders/{order.id}"
    return Reply(201, order_json(order, ctx.store, ctx.home), {"Location": location})


def get_order(ctx: Context, args: dict[str, str]) -> Reply:
    # The permission check only runs for an existing order, so a missing id answers 404.
    order = ctx.store.orders.get(int(args["id"]))
    if order is not None:
        ctx.require("view")
    order = _order(ctx, args["id"], 404)
    return Reply(200, order_json(order, ctx.store, ctx.home))


def update_order_route(ctx: Context, args: dict[str, str]) -> Reply:
    validate_status(ctx.params)
    if ctx.store.orders.get(int(args["id"])) is not None:
        ctx.require("edit")
    order = _order(ctx, args["id"], 400)
    update_order(ctx.store, order, _with_booleans(ctx, ("set_paid",)))
    return Reply(200, order_json(order, ctx.store, ctx.home))


def _with_booleans(ctx: Context, names: tuple[str, ...]) -> dict[str, Any]:
    body = dict(ctx.params)
    for name in names:
        if name in body:
            body[name] = ctx.boolean(name)
    return body


# notes -----------------------------------------------------------------------------------
def list_notes(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("list")
    order = _order_for_child(ctx, args["order_id"])
    kind = str(ctx.params.get("type", "any"))
    notes = ctx.store.notes_of(order.id)
    if kind == "customer":
        notes = [n for n in notes if n.customer_note]
    elif kind == "internal":
        notes = [n for n in notes if not n.customer_note]
    # A plain array with no X-WP-Total header (fixture order-notes-list).
    return Reply(200, [note_json(n, ctx.home) for n in notes])


def create_note(ctx: Context, args: dict[str, str]) -> Reply:
    if "note" not in ctx.params:
        raise missing_param("note")
    customer_note = ctx.boolean("customer_note", False)
    ctx.require("create")
    order = _order_for_child(ctx, args["order_id"])
    text = str(ctx.params.get("note") or "")
    if not text:
        raise WooError(
            "woocommerce_rest_cannot_create_order_note",
            "Cannot create order note, please try again.",
            500,
        )
    note = ctx.store.add_note(order.id, text, bool(customer_note))
    location = f"{ctx.api}/orders/{order.id}/notes/{note.id}"
    return Reply(201, note_json(note, ctx.home), {"Location": location})


def get_note(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("view")
    order = _order_for_child(ctx, args["order_id"])
    note = ctx.store.notes.get(int(args["id"]))
    if note is None or note.order_id != order.id:
        raise WooError("woocommerce_rest_invalid_id", "Invalid resource ID.", 404)
    return Reply(200, note_json(note, ctx.home))


# refunds ---------------------------------------------------------------------------------
def list_refunds(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("list")
    order = _order_for_child(ctx, args["order_id"])
    refunds = sorted((ctx.store.refunds[r] for r in order.refund_ids), key=lambda r: -r.id)
    headers = {"X-WP-Total": str(len(refunds)), "X-WP-TotalPages": "1" if refunds else "0"}
    return Reply(200, [refund_json(r, ctx.home) for r in refunds], headers)


def create_refund_route(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("create")
    order = ctx.store.orders.get(int(args["order_id"]))
    if order is None:
        # WooCommerce passes a bare 404 as data, so WordPress answers HTTP 500 here.
        raise WooError("woocommerce_rest_invalid_order_id", "Invalid order ID.", 500, 404)
    body = _with_booleans(ctx, ("api_refund",))
    user_id = ctx.key.user_id if ctx.key is not None else 1
    refund = create_refund(ctx.store, order, body, user_id)
    # WooCommerce builds this header from the route pattern, not the real URL (fixture).
    location = f"{ctx.api}/orders/(?P<order_id>[\\d]+)/refunds/{refund.id}"
    return Reply(201, refund_json(refund, ctx.home), {"Location": location})


def get_refund(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("view")
    order = _order_for_child(ctx, args["order_id"])
    refund = ctx.store.refunds.get(int(args["id"]))
    if refund is None or refund.order_id != order.id:
        raise WooError("woocommerce_rest_invalid_id", "Invalid ID.", 404)
    return Reply(200, refund_json(refund, ctx.home))


# catalog and store -----------------------------------------------------------------------
def create_product(ctx: Context, _: dict[str, str]) -> Reply:
    ctx.require("create")
    product = catalog.create_product(ctx.store, ctx.params)
    body = catalog.product_json(product, ctx.store, ctx.home)
    return Reply(201, body, {"Location": f"{ctx.api}/products/{product.id}"})


def get_product(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("view")
    product = ctx.store.products.get(int(args["id"]))
    if product is None:
        raise WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    return Reply(200, catalog.product_json(product, ctx.store, ctx.home))


def create_coupon(ctx: Context, _: dict[str, str]) -> Reply:
    if "code" not in ctx.params:
        raise catalog.missing_code()
    ctx.require("create")
    coupon = catalog.create_coupon(ctx.store, ctx.params)
    body = catalog.coupon_json(coupon, ctx.home)
    return Reply(201, body, {"Location": f"{ctx.api}/coupons/{coupon.id}"})


def create_tax(ctx: Context, _: dict[str, str]) -> Reply:
    ctx.require("create")
    rate = catalog.create_tax_rate(ctx.store, ctx.params)
    return Reply(
        201, catalog.tax_rate_json(rate, ctx.home), {"Location": f"{ctx.api}/taxes/{rate.id}"}
    )


def update_setting(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("edit_setting")
    body = catalog.update_setting(ctx.store, args["group"], args["id"], ctx.params.get("value"))
    return Reply(200, catalog.setting_json(body, ctx.home))


def system_status(ctx: Context, _: dict[str, str]) -> Reply:
    ctx.require("list")
    body = {
        "environment": {
            "home_url": ctx.home,
            "site_url": ctx.home,
            "version": VERSION,
            "wp_version": "6.8.8",
        },
        "database": {},
        "active_plugins": [],
        "inactive_plugins": [],
        "dropins_mu_plugins": {"dropins": [], "mu_plugins": []},
        "theme": {},
        "settings": {
            "api_enabled": True,
            "currency": "KRW",
            "currency_symbol": "&#8361;",
            "currency_position": "right",
            "thousand_separator": ",",
            "decimal_separator": ".",
            "number_of_decimals": 0,
        },
        "security": {"secure_connection": False, "hide_errors": True},
        "pages": [],
        "post_type_counts": [],
        "logging": {},
    }
    return Reply(200, body)


def country(ctx: Context, args: dict[str, str]) -> Reply:
    ctx.require("list")
    if args["code"].lower() != "kr":
        raise WooError(
            "woocommerce_rest_data_invalid_location",
            "There are no locations matching these parameters.",
            404,
        )
    body = {
        "code": "KR",
        "name": "South Korea",
        # WooCommerce has no state list for Korea; the state field is optional and hidden.
        "states": [],
        "_links": {
            "self": [link(f"{ctx.api}/data/countries/kr", ["GET"])],
            "collection": [link(f"{ctx.api}/data/countries")],
        },
    }
    return Reply(200, body)


def namespace_index(ctx: Context, _: dict[str, str]) -> Reply:
    """Public: answers 200 without credentials, so it cannot be used to check a key."""
    names = [*RECORDED_INDEX_ROUTES, *(f"/wc/v3{p}" for _, p, _ in ROUTE_PATTERNS if p)]
    routes = {name: {"namespace": "wc/v3"} for name in names}
    return Reply(200, {"namespace": "wc/v3", "routes": routes})


# The first 25 routes of the real index (fixture api-index-authenticated), then ours.
RECORDED_INDEX_ROUTES = (
    "/wc/v3",
    "/wc/v3/coupons",
    "/wc/v3/coupons/(?P<id>[\\d]+)",
    "/wc/v3/coupons/batch",
    "/wc/v3/customers",
    "/wc/v3/customers/(?P<customer_id>[\\d]+)/downloads",
    "/wc/v3/customers/(?P<id>[\\d]+)",
    "/wc/v3/customers/batch",
    "/wc/v3/data",
    "/wc/v3/data/continents",
    "/wc/v3/data/continents/(?P<location>[\\w-]+)",
    "/wc/v3/data/countries",
    "/wc/v3/data/countries/(?P<location>[\\w-]+)",
    "/wc/v3/data/currencies",
    "/wc/v3/data/currencies/(?P<currency>[\\w-]{3})",
    "/wc/v3/data/currencies/current",
    "/wc/v3/layout-templates",
    "/wc/v3/layout-templates/(?P<id>\\w[\\w\\s\\-]*)",
    "/wc/v3/marketplace/create-order",
    "/wc/v3/marketplace/featured",
    "/wc/v3/marketplace/refresh",
    "/wc/v3/marketplace/subscriptions",
    "/wc/v3/marketplace/subscriptions/activate",
    "/wc/v3/marketplace/subscriptions/activate-plugin",
    "/wc/v3/marketplace/subscriptions/connect",
)

ROUTE_PATTERNS: list[tuple[tuple[str, ...], str, Handler]] = [
    (("GET",), "/orders", list_orders),
    (("POST",), "/orders", create_order_route),
    (("GET",), r"/orders/(?P<id>\d+)", get_order),
    (EDITABLE, r"/orders/(?P<id>\d+)", update_order_route),
    (("GET",), r"/orders/(?P<order_id>\d+)/notes", list_notes),
    (("POST",), r"/orders/(?P<order_id>\d+)/notes", create_note),
    (("GET",), r"/orders/(?P<order_id>\d+)/notes/(?P<id>\d+)", get_note),
    (("GET",), r"/orders/(?P<order_id>\d+)/refunds", list_refunds),
    (("POST",), r"/orders/(?P<order_id>\d+)/refunds", create_refund_route),
    (("GET",), r"/orders/(?P<order_id>\d+)/refunds/(?P<id>\d+)", get_refund),
    (("POST",), "/products", create_product),
    (("GET",), r"/products/(?P<id>\d+)", get_product),
    (("POST",), "/coupons", create_coupon),
    (("POST",), "/taxes", create_tax),
    (EDITABLE, r"/settings/(?P<group>[\w-]+)/(?P<id>[\w-]+)", update_setting),
    (("GET",), "/system_status", system_status),
    (("GET",), r"/data/countries/(?P<code>[\w-]+)", country),
    (("GET",), "", namespace_index),
]


def match(method: str, route: str) -> tuple[Handler, dict[str, str]] | None:
    """`route` is the part after /wp-json/wc/v3, without a trailing slash."""
    for methods, pattern, handler in ROUTE_PATTERNS:
        found = re.fullmatch(pattern, route)
        if found and (method in methods or (method == "HEAD" and "GET" in methods)):
            return handler, found.groupdict()
    return None
