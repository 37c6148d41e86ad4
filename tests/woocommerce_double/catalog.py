"""Products, coupons, tax rates and settings: just enough for orders to be built on them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from .errors import WooError
from .models import Coupon, Product, TaxRate
from .money import fmt, fmt2, to_decimal
from .serialize import ALL_METHODS, gmt_date, link, local_date
from .store import Store

# Settings the double understands, with the labels WooCommerce returns for them.
SETTINGS: dict[tuple[str, str], dict[str, Any]] = {
    ("general", "woocommerce_calc_taxes"): {
        "label": "Enable taxes",
        "description": "Enable tax rates and calculations",
        "type": "checkbox",
        "default": "no",
        "tip": "Rates will be configurable and taxes will be calculated during checkout.",
    },
    ("tax", "woocommerce_prices_include_tax"): {
        "label": "Prices entered with tax",
        "description": "",
        "type": "radio",
        "default": "no",
        "options": {
            "yes": "Yes, I will enter prices inclusive of tax",
            "no": "No, I will enter prices exclusive of tax",
        },
        "tip": (
            "This option is important as it will affect how you input prices. "
            "Changing it will not update existing products."
        ),
    },
}


def slugify(name: str) -> str:
    """sanitize_title(): lower case, punctuation dropped, spaces to dashes, UTF-8 escaped."""
    text = re.sub(r"[/.]", "-", name.lower())
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-")


def create_product(store: Store, body: dict[str, Any]) -> Product:
    with store.lock:
        product = Product(
            id=store.next_post_id(),
            name=str(body.get("name", "")),
            sku=str(body.get("sku", "")),
            price=to_decimal(body.get("sale_price") or body.get("regular_price")),
            virtual=bool(body.get("virtual", False)),
            downloadable=bool(body.get("downloadable", False)),
            tax_status=str(body.get("tax_status") or "taxable"),
            tax_class=str(body.get("tax_class") or ""),
            created=store.clock(),
            extra={k: body[k] for k in ("regular_price", "status", "type") if k in body},
        )
        store.products[product.id] = product
        return product


def product_json(product: Product, store: Store, home: str) -> dict[str, Any]:
    slug = slugify(product.name)
    encoded = quote(slug, safe="-_").lower()
    regular = str(product.extra.get("regular_price", fmt(product.price)))
    shipping = not product.virtual
    return {
        "id": product.id,
        "name": product.name,
        "slug": encoded,
        "permalink": f"{home}/product/{encoded}/",
        "date_created": local_date(product.created),
        "date_created_gmt": gmt_date(product.created),
        "date_modified": local_date(product.created),
        "date_modified_gmt": gmt_date(product.created),
        "type": product.extra.get("type", "simple"),
        "status": product.extra.get("status", "publish"),
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": product.sku,
        "price": fmt(product.price),
        "regular_price": regular,
        "sale_price": "",
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": False,
        "purchasable": True,
        "total_sales": 0,
        "virtual": product.virtual,
        "downloadable": product.downloadable,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": product.tax_status,
        "tax_class": product.tax_class,
        "manage_stock": False,
        "stock_quantity": None,
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_required": shipping,
        "shipping_taxable": shipping and product.tax_status == "taxable",
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "average_rating": "0",
        "rating_count": 0,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}],
        "brands": [],
        "tags": [],
        "images": [],
        "attributes": [],
        "default_attributes": [],
        "variations": [],
        "grouped_products": [],
        "menu_order": 0,
        "price_html": (
            '<span class="woocommerce-Price-amount amount"><bdi>'
            f"{int(product.price):,}"
            '<span class="woocommerce-Price-currencySymbol">&#8361;</span></bdi></span>'
        ),
        "related_ids": sorted(p for p in store.products if p != product.id)[:5],
        "meta_data": [],
        "stock_status": "instock",
        "has_options": False,
        "post_password": "",
        "global_unique_id": "",
        "permalink_template": f"{home}/product/%pagename%/",
        "generated_slug": slug,
        "_links": {
            "self": [link(f"{home}/wp-json/wc/v3/products/{product.id}", ALL_METHODS)],
            "collection": [link(f"{home}/wp-json/wc/v3/products")],
        },
    }


def create_coupon(store: Store, body: dict[str, Any]) -> Coupon:
    code = str(body.get("code", "")).strip().lower()  # wc_format_coupon_code()
    if not code:
        raise missing_code()
    with store.lock:
        if store.coupon_by_code(code) is not None:
            raise WooError(
                "woocommerce_rest_coupon_code_already_exists",
                "The coupon code already exists",
                400,
            )
        coupon = Coupon(
            id=store.next_post_id(),
            code=code,
            discount_type=str(body.get("discount_type") or "fixed_cart"),
            amount=to_decimal(body.get("amount")),
            description=str(body.get("description", "")),
            created=store.clock(),
        )
        store.coupons[coupon.id] = coupon
        return coupon


def missing_code() -> WooError:
    return WooError(
        "rest_missing_callback_param",
        "Missing parameter(s): code",
        400,
        {"status": 400, "params": ["code"]},
    )


def coupon_json(coupon: Coupon, home: str) -> dict[str, Any]:
    return {
        "id": coupon.id,
        "code": coupon.code,
        "amount": fmt2(coupon.amount),
        "status": "publish",
        "date_created": local_date(coupon.created),
        "date_created_gmt": gmt_date(coupon.created),
        "date_modified": local_date(coupon.created),
        "date_modified_gmt": gmt_date(coupon.created),
        "discount_type": coupon.discount_type,
        "description": coupon.description,
        "date_expires": None,
        "date_expires_gmt": None,
        "usage_count": coupon.usage_count,
        "individual_use": False,
        "product_ids": [],
        "excluded_product_ids": [],
        "usage_limit": None,
        "usage_limit_per_user": None,
        "limit_usage_to_x_items": None,
        "free_shipping": False,
        "product_categories": [],
        "excluded_product_categories": [],
        "exclude_sale_items": False,
        "minimum_amount": "0.00",
        "maximum_amount": "0.00",
        "email_restrictions": [],
        "used_by": [],
        "meta_data": [],
        "_links": {
            "self": [link(f"{home}/wp-json/wc/v3/coupons/{coupon.id}", ALL_METHODS)],
            "collection": [link(f"{home}/wp-json/wc/v3/coupons")],
        },
    }


def create_tax_rate(store: Store, body: dict[str, Any]) -> TaxRate:
    tax_class = str(body.get("class") or "standard")
    with store.lock:
        rate = TaxRate(
            id=store.next_tax_rate_id(),
            country=str(body.get("country", "")).upper(),
            state=str(body.get("state", "")).upper(),
            rate=to_decimal(body.get("rate")),
            name=str(body.get("name", "")),
            priority=int(body.get("priority", 1)),
            compound=bool(body.get("compound", False)),
            shipping=bool(body.get("shipping", True)),
            # Order items store the standard class as "".
            tax_class="" if tax_class == "standard" else tax_class,
        )
        store.tax_rates[rate.id] = rate
        return rate


def tax_rate_json(rate: TaxRate, home: str) -> dict[str, Any]:
    return {
        "id": rate.id,
        "country": rate.country,
        "state": rate.state,
        "postcode": "",
        "city": "",
        "rate": f"{rate.rate:.4f}",
        "name": rate.name,
        "priority": rate.priority,
        "compound": rate.compound,
        "shipping": rate.shipping,
        "order": 0,
        "class": rate.tax_class or "standard",
        "postcodes": [],
        "cities": [],
        "_links": {
            "self": [link(f"{home}/wp-json/wc/v3/taxes/{rate.id}", ALL_METHODS)],
            "collection": [link(f"{home}/wp-json/wc/v3/taxes")],
        },
    }


def update_setting(store: Store, group: str, setting_id: str, value: Any) -> dict[str, Any]:
    spec = SETTINGS.get((group, setting_id))
    if spec is None:
        raise WooError("rest_setting_setting_invalid", "Invalid setting.", 404)
    text = str(value)
    if setting_id == "woocommerce_calc_taxes":
        store.settings.calc_taxes = text == "yes"
    else:
        store.settings.prices_include_tax = text == "yes"
    return {"id": setting_id, **spec, "value": text, "group_id": group}


def setting_json(body: dict[str, Any], home: str) -> dict[str, Any]:
    group, setting_id = body["group_id"], body["id"]
    base = f"{home}/wp-json/wc/v3/settings/{group}"
    return {
        **body,
        "_links": {
            "self": [link(f"{base}/{setting_id}", ["GET", "POST", "PUT", "PATCH"])],
            "collection": [link(base)],
        },
    }
