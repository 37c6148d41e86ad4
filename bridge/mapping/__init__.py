"""Pure translation between WooCommerce REST v3 shapes and the public API (no Flask, no I/O)."""
