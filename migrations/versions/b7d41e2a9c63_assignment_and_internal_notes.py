"""The agents' assignment of an application (« pris en charge par », with its index for « Mes dossiers »), their
internal notes on it, and the search's other words (children's first names, e-mail, address) folded in a column
of their own, indexed like the folded names; the e-mail indexed case aside, for the probable duplicates.

On SQLite a column with a foreign key needs a batch, which copies `application` and loses its tally triggers and
its median index: both are made again after it (the tally's counts are unchanged: the copy fires no trigger).

Revision ID: b7d41e2a9c63
Revises: b7d2e5c81a43
Create Date: 2026-12-02 15:40:00

"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa

from passfamille.folding import fold_details


# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c63'
down_revision = 'b7d2e5c81a43'
branch_labels = None
depends_on = None

BATCH = 1000
DECISION_DELAY_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_application_decision_delay ON application "
    "((julianday(decided_at) - julianday(created_at))) "
    "WHERE status IN ('accepted', 'refused') AND decided_at IS NOT NULL"
)


def _fill_folded_details():
    """Every existing row, folded in Python by the same function as new rows, a thousand rows at a time; a crèche
    request's child with it."""
    connection = op.get_bind()
    application = sa.table(
        'application',
        sa.column('id', sa.Integer),
        sa.column('children', sa.JSON),
        sa.column('email', sa.String),
        sa.column('address', sa.JSON),
        sa.column('folded_details', sa.Text),
    )
    creche = sa.table('creche_request', sa.column('application_id', sa.Integer), sa.column('child_first_name', sa.String))
    rows_of = (
        sa.select(application.c.id, application.c.children, application.c.email, application.c.address, creche.c.child_first_name)
        .select_from(application.outerjoin(creche, creche.c.application_id == application.c.id))
    )
    last = 0
    while rows := connection.execute(rows_of.where(application.c.id > last).order_by(application.c.id).limit(BATCH)).all():
        connection.execute(
            sa.update(application).where(application.c.id == sa.bindparam('row_id')).values(folded_details=sa.bindparam('folded')),
            [
                {'row_id': row.id, 'folded': fold_details(row.children, row.email, row.address, row.child_first_name)}
                for row in rows
            ],
        )
        last = rows[-1].id


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('application', sa.Column('folded_details', sa.Text(), nullable=True))
    _fill_folded_details()
    op.create_index(op.f('ix_application_folded_details'), 'application', ['folded_details'], unique=False)

    if sqlite:
        with op.batch_alter_table('application', schema=None) as batch_op:
            batch_op.add_column(sa.Column('assigned_agent_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                'fk_application_assigned_agent_id_agent', 'agent', ['assigned_agent_id'], ['id'], ondelete='SET NULL'
            )
        _after_sqlite_batch()
    else:
        op.add_column('application', sa.Column('assigned_agent_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            'fk_application_assigned_agent_id_agent', 'application', 'agent', ['assigned_agent_id'], ['id'],
            ondelete='SET NULL',
        )
    op.add_column('application', sa.Column('assigned_at', sa.DateTime(), nullable=True))
    op.create_index('ix_application_assigned_created', 'application', ['assigned_agent_id', 'created_at', 'id'], unique=False)
    # After the batch, which would drop an index on an expression.
    op.create_index('ix_application_email_lower', 'application', [sa.text('lower(email)')], unique=False)

    op.create_table(
        'application_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('form_token', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['agent.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('form_token'),
    )
    op.create_index(op.f('ix_application_note_application_id'), 'application_note', ['application_id'], unique=False)


def _sqlite_tally_triggers() -> tuple[str, ...]:
    """The tally's triggers, as migration b7d2e5c81a43 creates them (read from it, not copied)."""
    path = Path(__file__).with_name('b7d2e5c81a43_application_tally.py')
    spec = importlib.util.spec_from_file_location('application_tally_migration', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SQLITE_TRIGGERS


def _after_sqlite_batch():
    op.execute(DECISION_DELAY_INDEX)
    for name in ('application_tally_insert', 'application_tally_delete', 'application_tally_update'):
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    for statement in _sqlite_tally_triggers():
        op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.drop_index(op.f('ix_application_note_application_id'), table_name='application_note')
    op.drop_table('application_note')
    op.drop_index('ix_application_assigned_created', table_name='application')
    op.drop_index('ix_application_email_lower', table_name='application')
    op.drop_index(op.f('ix_application_folded_details'), table_name='application')
    if sqlite:
        with op.batch_alter_table('application', schema=None) as batch_op:
            batch_op.drop_column('assigned_at')
            batch_op.drop_column('assigned_agent_id')
            batch_op.drop_column('folded_details')
        _after_sqlite_batch()
    else:
        op.drop_constraint('fk_application_assigned_agent_id_agent', 'application', type_='foreignkey')
        op.drop_column('application', 'assigned_at')
        op.drop_column('application', 'assigned_agent_id')
        op.drop_column('application', 'folded_details')
