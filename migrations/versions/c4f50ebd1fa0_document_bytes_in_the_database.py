"""The proofs' bytes in the database (table document_content), no longer in files under instance/documents: every
app machine serves every proof. The upgrade copies each file into the table and leaves it on the disk, for
`adhesions purge` to remove once this is committed; a file that is missing is named (the document's number) and
skipped, its row stays (its download answers « introuvable », as it did). The downgrade writes the files back.

Revision ID: c4f50ebd1fa0
Revises: 5d2a8c0e41b7
Create Date: 2026-12-02 11:10:00

"""
import logging
import os
import re
import secrets
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = 'c4f50ebd1fa0'
down_revision = '5d2a8c0e41b7'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.passfamille')
# The names the earlier versions gave (random hex and an extension): a name is never a path.
STORED_NAME = re.compile(r'[A-Za-z0-9_-]{1,70}\.[a-z]{2,4}')
EXTENSIONS = {'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png'}

document = sa.table(
    'document', sa.column('id', sa.Integer), sa.column('stored_name', sa.String), sa.column('content_type', sa.String)
)
content = sa.table('document_content', sa.column('document_id', sa.Integer), sa.column('data', sa.LargeBinary))


def _folder() -> Path:
    return Path(current_app.config['DOCUMENTS_FOLDER'])


def upgrade():
    op.create_table('document_content',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.alter_column('stored_name', existing_type=sa.String(length=80), nullable=True)

    bind, folder = op.get_bind(), _folder()
    rows = bind.execute(sa.select(document.c.id, document.c.stored_name).order_by(document.c.id)).all()
    moved = 0
    # One file in memory at a time (10 MB at most).
    for document_id, name in rows:
        path = folder / name
        if not STORED_NAME.fullmatch(name) or not path.is_file():
            log.warning(
                'Justificatif n° %s : fichier %s absent de %s, non repris dans la base '
                '(la demande le mentionne toujours, son téléchargement répond « introuvable »).',
                document_id, name, folder,
            )
            continue
        bind.execute(content.insert().values(document_id=document_id, data=path.read_bytes()))
        moved += 1
    if rows:
        log.warning(
            '%s justificatif(s) sur %s copié(s) dans la base depuis %s ; `flask --app wsgi adhesions purge` en '
            'supprimera les fichiers.', moved, len(rows), folder,
        )


def downgrade():
    bind, folder = op.get_bind(), _folder()
    rows = bind.execute(
        sa.select(document.c.id, document.c.stored_name, document.c.content_type).order_by(document.c.id)
    ).all()
    if rows:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for document_id, name, content_type in rows:
        if not name:  # sent after the upgrade: a name as the earlier versions gave
            name = f"{secrets.token_hex(16)}.{EXTENSIONS.get(content_type, 'bin')}"
            bind.execute(document.update().where(document.c.id == document_id).values(stored_name=name))
        data = bind.execute(sa.select(content.c.data).where(content.c.document_id == document_id)).scalar()
        if data is None:
            continue  # missing already before the upgrade
        partial = folder / f'.{name}.partiel'
        partial.write_bytes(data)
        partial.chmod(0o600)
        os.replace(partial, folder / name)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.alter_column('stored_name', existing_type=sa.String(length=80), nullable=False)
    op.drop_table('document_content')
