"""crèche: an agent's check of each declared criterion (verified, or refused with an internal reason)

Revision ID: d5c8a1f3e7b2
Revises: b7d41e2a9c63
Create Date: 2026-12-02 16:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d5c8a1f3e7b2"
down_revision = "b7d41e2a9c63"
branch_labels = None
depends_on = None


def upgrade():
    # A new table only: the application table (its triggers and expression indexes) is not touched.
    op.create_table(
        "creche_criterion_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["request_id"], ["creche_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "code"),
    )
    op.create_index(
        op.f("ix_creche_criterion_check_request_id"), "creche_criterion_check", ["request_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_creche_criterion_check_request_id"), table_name="creche_criterion_check")
    op.drop_table("creche_criterion_check")
