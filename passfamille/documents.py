"""Uploaded proofs: type checked by content, size bounded, their bytes kept in the database.

In the database (table document_content, one row per proof) rather than on a disk: every app machine serves any
proof, a backup of the database holds them, and no second service (object store) is needed for what a commune
receives (at most 10 MB a file, a handful per application). Versions before kept them under instance/documents;
the migration that moved them left the files for `adhesions purge` to remove (see forget_moved_files).
"""

from pathlib import Path

from flask import current_app
from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, select

from .extensions import db
from .models import Document, DocumentContent

MAX_BYTES = 10 * 1024 * 1024
# The file's first bytes decide its type; the browser's declared type and the file name are not trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf", "PDF"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG"),
)
LABELS = {content_type: label for _, content_type, _, label in SIGNATURES}
EXTENSIONS = {content_type: extension for _, content_type, extension, _ in SIGNATURES}


def legacy_folder() -> Path:
    """Where versions before kept the proofs' files (DOCUMENTS_FOLDER): read only to move or remove them."""
    return Path(current_app.config["DOCUMENTS_FOLDER"])


# Kinds of the crèche's proofs: "critere-<code>" for a criterion of the points grid, and the resources proof.
# The quotient familial proofs a family may send (the wizard's choice, the agents' labels).
DOCUMENT_KINDS = [
    ("attestation_qf", "Attestation de quotient familial de la CAF ou de la MSA"),
    ("avis_imposition", "Dernier avis d'imposition"),
]
# The proofs that show a quotient familial of the CAF or the MSA, the only one the commune's rules read. A tax
# notice shows none: the family is asked for no figure, an agent works the QF out from the notice.
QF_PROOF_KINDS = ("attestation_qf",)
# The tax notice: where the commune's rules compute a municipal quotient, the family types its revenu fiscal de
# référence and its nombre de parts (avis_figures.py), and an agent checks them on it.
AVIS_KIND = "avis_imposition"
CRITERION_PREFIX = "critere-"
CRECHE_RESOURCES = "ressources-creche"


def is_creche_kind(kind: str) -> bool:
    return kind.startswith(CRITERION_PREFIX) or kind == CRECHE_RESOURCES


def for_draft(draft, kind: str | None = None) -> Document | None:
    """The draft's latest proof of quotient familial, or its latest proof of the crèche `kind`."""
    if kind is None:
        found = [d for d in draft.documents if not is_creche_kind(d.kind)]
    else:
        found = [d for d in draft.documents if d.kind == kind]
    return max(found, key=lambda d: d.id, default=None)


def store(upload, kind: str, **owner) -> tuple[Document | None, str | None]:
    """Check an uploaded file and keep it for its owner (draft=… or application=…).

    Returns the new Document, or None and a French message saying why the file cannot be accepted."""
    content = upload.stream.read(MAX_BYTES + 1)
    if not content:
        return None, "Le fichier est vide : choisissez un autre fichier"
    if len(content) > MAX_BYTES:
        return None, "Le fichier dépasse 10 Mo : envoyez une version plus légère (une photo ou un scan suffit)"
    match = next((s for s in SIGNATURES if content.startswith(s[0])), None)
    if match is None:
        return None, "Le fichier doit être au format PDF, JPEG ou PNG"
    _, content_type, _, _ = match
    document = Document(kind=kind or "justificatif", content_type=content_type, size=len(content), **owner)
    # Written with the Document row, in the request's transaction: a proof is there whole or not at all.
    document.content = DocumentContent(data=content)
    db.session.add(document)
    return document, None


def content(document: Document) -> bytes | None:
    """The proof's bytes; None when they are not in the database (a file the migration found missing)."""
    return db.session.scalar(select(DocumentContent.data).where(DocumentContent.document_id == document.id))


def download_name(document: Document, prefix: str) -> str:
    return f"{prefix}-piece-{document.id}.{EXTENSIONS.get(document.content_type, 'bin')}"


def store_upload(draft, upload, kind: str) -> str | None:
    """A wizard's proof: replaces the draft's previous one of the same use (the quotient familial proof, or the
    crèche proof of the same kind). Returns a French error message or None."""
    if is_creche_kind(kind):
        previous = [d for d in draft.documents if d.kind == kind]
    else:
        previous = [d for d in draft.documents if not is_creche_kind(d.kind)]
    document, error = store(upload, kind, draft=draft)
    if document is not None:
        for old in previous:
            delete(old)
    return error


def delete(document: Document) -> None:
    """The document and its bytes (SQLite does not enforce the foreign key's ON DELETE CASCADE)."""
    if document.id is not None:
        db.session.execute(sql_delete(DocumentContent).where(DocumentContent.document_id == document.id))
    if document.stored_name:
        _forget_file(document.stored_name)
    db.session.delete(document)


def forget_moved_files() -> int:
    """Remove from the legacy folder the files whose bytes are now in the database; returns how many.

    The migration copies them and leaves them: it cannot know that its transaction will be committed (on
    PostgreSQL, every pending migration commits together). Only a file whose name a document row holds *and* whose
    bytes that row has is removed; another file stays."""
    folder = legacy_folder()
    if not folder.is_dir():
        return 0
    moved = select(Document.stored_name).where(
        Document.stored_name.is_not(None), exists().where(DocumentContent.document_id == Document.id)
    )
    return sum(_forget_file(name) for name in db.session.scalars(moved))


def _forget_file(name: str) -> bool:
    path = legacy_folder() / name
    if path.parent != legacy_folder() or not path.is_file():  # a name is never a path
        return False
    path.unlink(missing_ok=True)
    return True


def summary(document: Document | None) -> dict | None:
    if document is None:
        return None
    return {"label": LABELS.get(document.content_type, "fichier"), "size_kb": max(1, round(document.size / 1024))}


def delete_kind(draft, kind: str) -> None:
    for document in [d for d in draft.documents if d.kind == kind]:
        delete(document)
        draft.documents.remove(document)
