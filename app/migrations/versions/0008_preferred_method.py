"""checkout sessions: the payment method the shopper chose on the shop (create-session's
paymentMethod), which the hosted page opens on

Revision ID: 0008_preferred_method
Revises: 0004_bridge
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_preferred_method"
down_revision = "0004_bridge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkout_sessions") as batch:
        batch.add_column(sa.Column("preferred_payment_method", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkout_sessions") as batch:
        batch.drop_column("preferred_payment_method")
