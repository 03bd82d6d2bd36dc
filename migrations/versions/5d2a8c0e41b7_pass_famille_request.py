"""The Pass Famille's facts in their own table, one-to-one with the application (like creche_request): the quotient
familial and its source, the decision and its rules, the review (refusal, document asked for, pass). A crèche row
no longer carries them (nor the placeholder rules_version « préinscription en crèche »).

Revision ID: 5d2a8c0e41b7
Revises: 9f00c41bd573
Create Date: 2026-12-02 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2a8c0e41b7'
down_revision = '9f00c41bd573'
branch_labels = None
depends_on = None

# The columns that move, in the order of both tables.
MOVED = (
    'qf_value', 'qf_provider', 'qf_year', 'qf_month', 'qf_source', 'qf_fetched_at', 'qf_verified_by_id',
    'qf_verified_at', 'eligible', 'bracket_code', 'tariff', 'decision', 'rules_version', 'refusal_reason',
    'requested_document', 'pass_number', 'pass_valid_from', 'pass_valid_until',
)
CRECHE_RULES_VERSION = "préinscription en crèche"


def _columns(nullable_rules: bool):
    return [
        sa.Column('qf_value', sa.Integer(), nullable=True),
        sa.Column('qf_provider', sa.String(length=10), nullable=True),
        sa.Column('qf_year', sa.Integer(), nullable=True),
        sa.Column('qf_month', sa.Integer(), nullable=True),
        sa.Column('qf_source', sa.String(length=10), nullable=True),
        sa.Column('qf_fetched_at', sa.DateTime(), nullable=True),
        sa.Column('qf_verified_by_id', sa.Integer(), nullable=True),
        sa.Column('qf_verified_at', sa.DateTime(), nullable=True),
        sa.Column('eligible', sa.Boolean(), nullable=True),
        sa.Column('bracket_code', sa.String(length=20), nullable=True),
        sa.Column('tariff', sa.String(length=20), nullable=True),
        sa.Column('decision', sa.JSON(), nullable=nullable_rules),
        sa.Column('rules_version', sa.String(length=200), nullable=nullable_rules),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.Column('requested_document', sa.Text(), nullable=True),
        sa.Column('pass_number', sa.String(length=30), nullable=True),
        sa.Column('pass_valid_from', sa.Date(), nullable=True),
        sa.Column('pass_valid_until', sa.Date(), nullable=True),
    ]


def upgrade():
    op.create_table('pass_famille_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    *_columns(nullable_rules=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['qf_verified_by_id'], ['agent.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id'),
    sa.UniqueConstraint('pass_number')
    )
    with op.batch_alter_table('pass_famille_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pass_famille_request_bracket_code'), ['bracket_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_pass_famille_request_qf_source'), ['qf_source'], unique=False)
    moved = ', '.join(MOVED)
    op.execute(
        f"INSERT INTO pass_famille_request (application_id, {moved}) "
        f"SELECT id, {moved} FROM application WHERE demarche = 'pass_famille'"
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint('fk_application_qf_verified_by_id_agent', type_='foreignkey')
        batch_op.drop_constraint('uq_application_pass_number', type_='unique')
        for name in MOVED:
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        for column in _columns(nullable_rules=True):
            batch_op.add_column(column)
    for name in MOVED:
        op.execute(
            f"UPDATE application SET {name} = (SELECT p.{name} FROM pass_famille_request p "
            f"WHERE p.application_id = application.id)"
        )
    # A crèche row carried an empty decision and a placeholder for the rules that made its figures.
    application = sa.table('application', sa.column('demarche'), sa.column('decision', sa.JSON()),
                           sa.column('rules_version'))
    op.execute(application.update().where(application.c.demarche != 'pass_famille')
               .values(decision={}, rules_version=CRECHE_RULES_VERSION))
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.alter_column('decision', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('rules_version', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint('uq_application_pass_number', ['pass_number'])
        batch_op.create_foreign_key('fk_application_qf_verified_by_id_agent', 'agent', ['qf_verified_by_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('pass_famille_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pass_famille_request_qf_source'))
        batch_op.drop_index(batch_op.f('ix_pass_famille_request_bracket_code'))
    op.drop_table('pass_famille_request')
