"""A test double of a WooCommerce 10.0.2 store's REST API (wc/v3), served over HTTP.

Built from the recorded fixtures in tests/fixtures/woocommerce-10.0.2. See server.py for
the entry point and README-style notes in each module for the WooCommerce rules it copies.
"""

from .faults import Faults
from .models import ApiKey, Permission
from .server import WooCommerceDouble

__all__ = ["ApiKey", "Faults", "Permission", "WooCommerceDouble"]
