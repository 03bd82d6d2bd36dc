"""The provenance of an avis d'imposition obtained from the DGFiP (API Impôt particulier): when it was fetched and
the DGFiP's correlation id of the call, on the Pass Famille request (never the numéro fiscal).

Revision ID: c9e4f1a2b7d3
Revises: a7f3c2d91b4e
Create Date: 2026-12-02 18:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c9e4f1a2b7d3"
down_revision = "a7f3c2d91b4e"
branch_labels = None
depends_on = None

COLUMNS = (
    ("fiscal_fetched_at", sa.DateTime()),
    ("fiscal_correlation_id", sa.String(length=36)),
)


def upgrade():
    # Plain add_column (no batch): on SQLite the table is kept as it is.
    for name, type_ in COLUMNS:
        op.add_column("pass_famille_request", sa.Column(name, type_, nullable=True))


def downgrade():
    for name, _ in reversed(COLUMNS):
        op.drop_column("pass_famille_request", name)
