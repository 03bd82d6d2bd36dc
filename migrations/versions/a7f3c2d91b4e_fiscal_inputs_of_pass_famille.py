"""What an avis d'imposition says, for rules whose basis is a municipal quotient: the revenu fiscal de référence,
the nombre de parts, the year of the income and their source, on the Pass Famille request.

Revision ID: a7f3c2d91b4e
Revises: f1c0a7e5d2b9
Create Date: 2026-12-02 18:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7f3c2d91b4e"
down_revision = "f1c0a7e5d2b9"
branch_labels = None
depends_on = None

COLUMNS = (
    ("fiscal_rfr", sa.Integer()),
    ("fiscal_parts", sa.String(length=6)),
    ("fiscal_year", sa.Integer()),
    ("fiscal_source", sa.String(length=10)),
)


def upgrade():
    # Plain add_column (no batch): on SQLite the table is kept as it is.
    for name, type_ in COLUMNS:
        op.add_column("pass_famille_request", sa.Column(name, type_, nullable=True))


def downgrade():
    # SQLite 3.35+ and PostgreSQL drop a column in place: no copy of the table.
    for name, _ in reversed(COLUMNS):
        op.drop_column("pass_famille_request", name)
