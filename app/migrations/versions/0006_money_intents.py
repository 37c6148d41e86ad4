"""money intents: refunds and confirmations recorded before the gateway call; voids and
account closings

Revision ID: 0006_money_intents
Revises: 0004_bridge
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models.base

revision = "0006_money_intents"
down_revision = "0004_bridge"
branch_labels = None
depends_on = None

UTC = app.models.base.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_params", JSON, nullable=True))
        batch_op.create_index(
            "ix_payment_attempts_status_updated", ["status", "updated_at"], unique=False
        )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.alter_column(
            "gateway_refund_id", existing_type=sa.String(length=200), nullable=True
        )
        batch_op.add_column(sa.Column("refundable_before", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("request_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_attempt_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("failure_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failure_message", sa.Text(), nullable=True))
        batch_op.create_index(
            "ix_refunds_status_attempted", ["status", "last_attempt_at"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_refunds_session_id_request_key"), ["session_id", "request_key"]
        )
    op.create_table(
        "gateway_operations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("attempt_id", sa.String(length=40), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("transaction_id", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_attempt_at", UTC, nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("settled_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["payment_attempts.id"],
            name=op.f("fk_gateway_operations_attempt_id_payment_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["checkout_sessions.id"],
            name=op.f("fk_gateway_operations_session_id_checkout_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_operations")),
        sa.UniqueConstraint(
            "kind", "attempt_id", name=op.f("uq_gateway_operations_kind_attempt_id")
        ),
    )
    with op.batch_alter_table("gateway_operations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gateway_operations_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            "ix_gateway_operations_status_attempted", ["status", "last_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("gateway_operations", schema=None) as batch_op:
        batch_op.drop_index("ix_gateway_operations_status_attempted")
        batch_op.drop_index(batch_op.f("ix_gateway_operations_session_id"))
    op.drop_table("gateway_operations")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_refunds_session_id_request_key"), type_="unique")
        batch_op.drop_index("ix_refunds_status_attempted")
        batch_op.drop_column("failure_message")
        batch_op.drop_column("failure_code")
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("request_key")
        batch_op.drop_column("refundable_before")
        # Rows written pending never got a gateway id; they cannot go back to NOT NULL.
        batch_op.execute(
            "UPDATE refunds SET gateway_refund_id = '' WHERE gateway_refund_id IS NULL"
        )
        batch_op.alter_column(
            "gateway_refund_id", existing_type=sa.String(length=200), nullable=False
        )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_attempts_status_updated")
        batch_op.drop_column("return_params")
