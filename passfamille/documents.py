"""Uploaded proofs: type checked by content, size bounded, stored under instance/ with a random name."""

import secrets
from pathlib import Path

from flask import current_app

from .extensions import db
from .models import Document

MAX_BYTES = 10 * 1024 * 1024
# The file's first bytes decide its type; the browser's declared type and the file name are not trusted.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf", "PDF"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG"),
)
LABELS = {content_type: label for _, content_type, _, label in SIGNATURES}


def folder() -> Path:
    path = Path(current_app.config["DOCUMENTS_FOLDER"])
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


# Kinds of the crèche's proofs: "critere-<code>" for a criterion of the points grid, and the resources proof.
# The quotient familial proofs a family may send (the wizard's choice, the agents' labels).
DOCUMENT_KINDS = [
    ("attestation_qf", "Attestation de quotient familial de la CAF ou de la MSA"),
    ("avis_imposition", "Dernier avis d'imposition"),
]
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
    _, content_type, extension, _ = match
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    (folder() / stored_name).write_bytes(content)
    document = Document(
        kind=kind or "justificatif", stored_name=stored_name, content_type=content_type, size=len(content), **owner
    )
    db.session.add(document)
    return document, None


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
    (folder() / document.stored_name).unlink(missing_ok=True)
    db.session.delete(document)


def summary(document: Document | None) -> dict | None:
    if document is None:
        return None
    return {"label": LABELS.get(document.content_type, "fichier"), "size_kb": max(1, round(document.size / 1024))}


def delete_kind(draft, kind: str) -> None:
    for document in [d for d in draft.documents if d.kind == kind]:
        delete(document)
        draft.documents.remove(document)
