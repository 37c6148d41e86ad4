"""checkout payments: attempts, virtual-account deposits, refunds, paid/refunded amounts

Revision ID: 0002_checkout
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.models.base

revision = "0002_checkout"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = app.models.base.UTCDateTime(timezone=True)


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["checkout_sessions.id"],
        name=op.f(f"fk_{table}_session_id_checkout_sessions"),
    )


def upgrade() -> None:
    with op.batch_alter_table("checkout_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("installment_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("virtual_account", JSON, nullable=True))
        batch_op.add_column(
            sa.Column("paid_amount", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("refunded_amount", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False)
        )

    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("installment_months", sa.Integer(), nullable=True),
        sa.Column("transaction_id", sa.String(length=200), nullable=True),
        sa.Column("failure_code", sa.String(length=32), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("gateway_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        _session_fk("payment_attempts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
    )
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_attempts_session_created", ["session_id", "created_at"], unique=False
        )

    op.create_table(
        "virtual_account_deposits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("expected_amount", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("failure_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        _session_fk("virtual_account_deposits"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_virtual_account_deposits")),
        sa.UniqueConstraint(
            "gateway", "event_id", name=op.f("uq_virtual_account_deposits_gateway_event_id")
        ),
    )
    with op.batch_alter_table("virtual_account_deposits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_virtual_account_deposits_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("gateway", sa.String(length=16), nullable=False),
        sa.Column("gateway_refund_id", sa.String(length=200), nullable=False),
        sa.Column("notify_customer", sa.Boolean(), nullable=False),
        sa.Column("refund_account", JSON, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("processed_at", UTC, nullable=True),
        _session_fk("refunds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_refunds_session_created", ["session_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_refunds_session_created")
    op.drop_table("refunds")
    with op.batch_alter_table("virtual_account_deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_virtual_account_deposits_session_id"))
    op.drop_table("virtual_account_deposits")
    with op.batch_alter_table("payment_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_attempts_session_created")
    op.drop_table("payment_attempts")
    with op.batch_alter_table("checkout_sessions", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
        batch_op.drop_column("refunded_amount")
        batch_op.drop_column("paid_amount")
        batch_op.drop_column("virtual_account")
        batch_op.drop_column("installment_months")
