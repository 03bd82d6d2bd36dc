"""The back-office at 100,000 applications: the applicants' names folded in a column of their own (what the agents'
search reads, indexed), and indexes matching the list's filters and orders (démarche, status, newest first or by reference) and the
dashboard's counts (bracket and QF source; decisions) and, on SQLite, its median time to decision (the decisions in
the order of their delay). The single-column indexes on the date, status and bracket are covered by the new ones.

Revision ID: e3b1c7a94f20
Revises: ac175c05a030
Create Date: 2026-12-02 11:40:00

"""
from alembic import op
import sqlalchemy as sa

from passfamille.folding import fold_names


# revision identifiers, used by Alembic.
revision = 'e3b1c7a94f20'
down_revision = 'ac175c05a030'
branch_labels = None
depends_on = None

BATCH = 1000
LIST_INDEXES = (
    ('ix_application_created', ['created_at', 'id']),
    ('ix_application_demarche_status_created', ['demarche', 'status', 'created_at', 'id']),
    ('ix_application_demarche_created', ['demarche', 'created_at', 'id']),
    ('ix_application_status_created', ['status', 'created_at', 'id', 'decided_at']),
    ('ix_application_status_reference', ['status', 'reference']),
)


def _fill_folded_names():
    """Every existing row, folded in Python by the same function as new rows (exactly what the search compared
    before), a thousand rows at a time."""
    connection = op.get_bind()
    application = sa.table(
        'application',
        sa.column('id', sa.Integer),
        sa.column('birth_name', sa.String),
        sa.column('usage_name', sa.String),
        sa.column('first_names', sa.String),
        sa.column('folded_names', sa.Text),
    )
    names = sa.select(application.c.id, application.c.birth_name, application.c.usage_name, application.c.first_names)
    last = 0
    while rows := connection.execute(names.where(application.c.id > last).order_by(application.c.id).limit(BATCH)).all():
        connection.execute(
            sa.update(application).where(application.c.id == sa.bindparam('row_id')).values(folded_names=sa.bindparam('folded')),
            [{'row_id': row.id, 'folded': fold_names(row.birth_name, row.usage_name, row.first_names)} for row in rows],
        )
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('folded_names', sa.Text(), nullable=True))
    _fill_folded_names()
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.alter_column('folded_names', existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f('ix_application_folded_names'), ['folded_names'], unique=False)
        for name, columns in LIST_INDEXES:
            batch_op.create_index(name, columns, unique=False)
        batch_op.drop_index('ix_application_status')
        batch_op.drop_index('ix_application_created_at')
    if op.get_bind().dialect.name == 'sqlite':
        op.create_index(
            'ix_application_decision_delay', 'application', [sa.text('(julianday(decided_at) - julianday(created_at))')],
            sqlite_where=sa.text("status IN ('accepted', 'refused') AND decided_at IS NOT NULL"),
        )
    with op.batch_alter_table('pass_famille_request', schema=None) as batch_op:
        batch_op.create_index('ix_pass_famille_request_bracket_source', ['bracket_code', 'qf_source'], unique=False)
        batch_op.drop_index('ix_pass_famille_request_bracket_code')


def downgrade():
    with op.batch_alter_table('pass_famille_request', schema=None) as batch_op:
        batch_op.create_index('ix_pass_famille_request_bracket_code', ['bracket_code'], unique=False)
        batch_op.drop_index('ix_pass_famille_request_bracket_source')
    if op.get_bind().dialect.name == 'sqlite':
        op.drop_index('ix_application_decision_delay', table_name='application')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_status', ['status'], unique=False)
        batch_op.create_index('ix_application_created_at', ['created_at'], unique=False)
        for name, _columns in LIST_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_index(batch_op.f('ix_application_folded_names'))
        batch_op.drop_column('folded_names')
