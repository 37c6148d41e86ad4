"""The JSON API under /api: thin blueprints over `app.payments`."""
