"""The agents' assignment of an application (« pris en charge par », with its index for « Mes dossiers ») and their
internal notes on it.

Revision ID: b7d41e2a9c63
Revises: e3b1c7a94f20
Create Date: 2026-12-02 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c63'
down_revision = 'e3b1c7a94f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_agent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            'fk_application_assigned_agent_id_agent', 'agent', ['assigned_agent_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_index('ix_application_assigned_created', ['assigned_agent_id', 'created_at', 'id'], unique=False)

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
    with op.batch_alter_table('application_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_note_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_note_application_id'))
    op.drop_table('application_note')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_assigned_created')
        batch_op.drop_constraint('fk_application_assigned_agent_id_agent', type_='foreignkey')
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('assigned_agent_id')
