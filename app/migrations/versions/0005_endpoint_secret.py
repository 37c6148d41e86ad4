"""webhook endpoints: an optional signing secret of their own

Revision ID: 0005_endpoint_secret
Revises: 0004_bridge
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_endpoint_secret"
down_revision = "0004_bridge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("encrypted_secret", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("encrypted_secret")
