"""merge the checkout/payments and webhooks branches

Revision ID: 0003_merge
Revises: 0002_checkout, 0002_webhooks
"""

revision = "0003_merge"
down_revision = ("0002_checkout", "0002_webhooks")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
