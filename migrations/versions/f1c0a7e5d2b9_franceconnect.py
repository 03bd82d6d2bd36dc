"""FranceConnect: a draft's login in progress (state, nonce, then the ID token for the logout), and how an
application's identity was known (« franceconnect » or « identite », typed by the family).

Revision ID: f1c0a7e5d2b9
Revises: d5e8a1c3f702
Create Date: 2026-12-02 18:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f1c0a7e5d2b9"
down_revision = "d5e8a1c3f702"
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (no batch): on SQLite the application table keeps its tally triggers and expression indexes.
    op.add_column("draft", sa.Column("franceconnect", sa.JSON(), nullable=True))
    op.add_column("application", sa.Column("identity_modality", sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column("application", "identity_modality")
    op.drop_column("draft", "franceconnect")
