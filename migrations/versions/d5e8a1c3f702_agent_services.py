"""The services (démarches) an agent works for: Pass Famille, crèche or both; every existing account has both.

Revision ID: d5e8a1c3f702
Revises: d5c8a1f3e7b2
Create Date: 2026-12-02 16:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d5e8a1c3f702"
down_revision = "d5c8a1f3e7b2"
branch_labels = None
depends_on = None


def upgrade():
    # A plain add_column (no batch): on SQLite it keeps the table as it is.
    op.add_column(
        "agent",
        sa.Column("services", sa.String(length=40), nullable=False, server_default="pass_famille creche"),
    )


def downgrade():
    with op.batch_alter_table("agent") as batch_op:
        batch_op.drop_column("services")
