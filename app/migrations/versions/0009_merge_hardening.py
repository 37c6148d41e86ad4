"""merge the endpoint-secret, money-intent and preferred-method branches

Revision ID: 0009_merge
Revises: 0005_endpoint_secret, 0006_money_intents, 0008_preferred_method
"""

revision = "0009_merge"
down_revision = ("0005_endpoint_secret", "0006_money_intents", "0008_preferred_method")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
